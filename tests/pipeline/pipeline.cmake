# tests/pipeline - the spine: configuration, database, loader, runs.
ds_add_test(NAME t_pipeline_config SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/config_test.c)
ds_add_script_test(NAME t_pipeline_statedir COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/statedir_test.sh LABELS pipeline)
ds_add_test(NAME t_pipeline_db SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/db_test.c PG)
ds_add_test(NAME t_pipeline_chunker SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/chunker_test.c)
ds_add_test(NAME t_pipeline_decimal SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/decimal_test.c)
ds_add_fuzz(NAME fuzz_decimal SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/decimal_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/decimal)
ds_add_script_test(NAME t_pipeline_run COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/run_test.sh PG TIMEOUT 600)
ds_add_script_test(NAME t_pipeline_kill_load COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/kill_load_test.sh PG TIMEOUT 600)
ds_add_bench(NAME bench_loader SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_loader.c)
ds_add_script_test(NAME t_pipeline_roles COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/roles_test.sh PG TIMEOUT 300)
ds_add_script_test(NAME t_pipeline_crash COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/crash_test.sh PG TIMEOUT 900 LABELS slow)
ds_add_test(NAME t_pipeline_nightly SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/nightly_test.c
            ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c PG TIMEOUT 300)
target_include_directories(t_pipeline_nightly PRIVATE ${CMAKE_SOURCE_DIR}/tests)
ds_add_script_test(NAME t_pipeline_cli COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/cli_test.sh PG TIMEOUT 300)
ds_add_test(NAME t_pipeline_ratelimit SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/ratelimit_test.c
            ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c PG TIMEOUT 120)
target_include_directories(t_pipeline_ratelimit PRIVATE ${CMAKE_SOURCE_DIR}/tests)
ds_add_test(NAME t_pipeline_watchlist SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/watchlist_test.c
            ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c PG TIMEOUT 300)
target_include_directories(t_pipeline_watchlist PRIVATE ${CMAKE_SOURCE_DIR}/tests)
ds_add_script_test(NAME t_pipeline_identity COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/identity_test.sh PG TIMEOUT 600)
ds_add_test(NAME t_pipeline_redact SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/redact_test.c LABELS security)
ds_add_fuzz(NAME fuzz_redact SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/redact_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/redact)
ds_add_script_test(NAME t_pipeline_compliance COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/compliance_test.sh PG TIMEOUT 300)
# Verification status through the database: a real filing's metrics in company_metrics,
# credit_ratios and review_credit as the reader and reviewer roles, the ratio bounds flagged, and a
# restated period showing the later filing among values of equal status.
ds_add_script_test(NAME t_pipeline_verify_db COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/verify_db_test.sh PG TIMEOUT 300)
ds_add_test(NAME t_pipeline_parse_child SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/parse_child_test.c LABELS pipeline)
# The watchlist run by two machines (two configs, run.worker_id) and three worker processes at
# once against one database and a local EDGAR: the shared rate limit, one fetch per filing.
ds_add_test(NAME t_pipeline_watchlist_fleet SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/watchlist_fleet_test.c
            ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c PG TIMEOUT 300)
target_include_directories(t_pipeline_watchlist_fleet PRIVATE ${CMAKE_SOURCE_DIR}/tests)
ds_add_script_test(NAME t_pipeline_review_context COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/review_context_test.sh PG TIMEOUT 300)
# Sanctions cases: mentions grouped per list entry and company, review on the case through the
# audited function, re-screening on a new list version, the writer's limits and the case chain.
ds_add_script_test(NAME t_pipeline_cases COMMAND ${CMAKE_SOURCE_DIR}/tests/pipeline/cases_test.sh PG TIMEOUT 300)
