# tests/cuda - the CUDA backend against the CPU backend (label gpu). Built whenever the CUDA
# backend is (they must compile and link on machines without a GPU); at run time without a
# device each exits 77, which ctest reports as skipped. CPU machines run `ctest -LE gpu`.
# Besides ctest, the device run (tests/cuda/run_on_gpu.sh) reads gpu-tests.txt, written here:
# one line per gpu test, "name<TAB>program<TAB>argument", so that carried binaries (built on
# another machine, tests/cuda/carry.sh) run the same list without this build folder.
if(NOT DS_HAVE_CUDA)
  return()
endif()
set(DS_GPU_TESTS "")
add_executable(test_cuda_ops ${CMAKE_SOURCE_DIR}/tests/cuda/ops_test.c)
target_link_libraries(test_cuda_ops PRIVATE ds_testlib_engine)
foreach(op rmsnorm rope kv_write attention moe matmul gemm_bf16 awq_dequant gemv sample elementwise)
  add_test(NAME t_cuda_${op} COMMAND test_cuda_ops ${op})
  set_tests_properties(t_cuda_${op} PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "${DS_TEST_ENV}")
  string(APPEND DS_GPU_TESTS "t_cuda_${op}\ttest_cuda_ops\t${op}\n")
endforeach()
# The whole forward pass: CUDA engines against the CPU backend on tiny checkpoints, and 2-way
# tensor parallelism against one device (skipped below 2 GPUs).
add_executable(test_cuda_forward ${CMAKE_SOURCE_DIR}/tests/cuda/forward_test.c
               ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
target_link_libraries(test_cuda_forward PRIVATE ds_testlib_engine)
foreach(what forward tp)
  add_test(NAME t_cuda_${what} COMMAND test_cuda_forward ${what})
  set_tests_properties(t_cuda_${what} PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 600
                       ENVIRONMENT "${DS_TEST_ENV}")
  string(APPEND DS_GPU_TESTS "t_cuda_${what}\ttest_cuda_forward\t${what}\n")
endforeach()
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/gpu-tests.txt CONTENT "${DS_GPU_TESTS}")
# The CUDA engine's logits for the independent transformers reference (tests/cuda/hf_reference.py).
add_executable(cuda_logits ${CMAKE_SOURCE_DIR}/tests/cuda/cuda_logits.c
               ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
target_link_libraries(cuda_logits PRIVATE ds_testlib_engine)
# What the device run needs, as one target (tests/cuda/carry.sh builds it).
add_custom_target(gpu_carry_build DEPENDS test_cuda_ops test_cuda_forward bench_cuda cuda_logits)
# The device run rehearsed here (no GPU needed): deadline, skipped tests counted, table on kill.
if(DOSSIER_GPU_ONLY)
  return()
endif()
ds_add_script_test(NAME t_cuda_run_script LABELS cuda_script TIMEOUT 400
                   COMMAND ${CMAKE_SOURCE_DIR}/tests/cuda/run_script_test.sh ${CMAKE_BINARY_DIR})
