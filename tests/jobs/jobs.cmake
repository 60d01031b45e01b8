ds_add_script_test(NAME t_jobs_slurm COMMAND ${CMAKE_SOURCE_DIR}/tests/jobs/slurm_test.sh PG TIMEOUT 600)
set_tests_properties(t_jobs_slurm PROPERTIES SKIP_RETURN_CODE 77)
