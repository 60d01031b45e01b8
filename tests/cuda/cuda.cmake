# tests/cuda - the CUDA backend against the CPU backend (label gpu). Built whenever the CUDA
# backend is (they must compile and link on machines without a GPU); at run time without a
# device each exits 77, which ctest reports as skipped. CPU machines run `ctest -LE gpu`.
if(NOT DS_HAVE_CUDA)
  return()
endif()
add_executable(test_cuda_ops ${CMAKE_SOURCE_DIR}/tests/cuda/test_cuda_ops.c)
target_link_libraries(test_cuda_ops PRIVATE ds_testlib)
foreach(op rmsnorm rope kv_write attention moe matmul gemm_bf16 awq_dequant gemv sample elementwise)
  add_test(NAME t_cuda_${op} COMMAND test_cuda_ops ${op})
  set_tests_properties(t_cuda_${op} PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "${DS_TEST_ENV}")
endforeach()
# The whole forward pass: CUDA engines against the CPU backend on tiny checkpoints, and 2-way
# tensor parallelism against one device (skipped below 2 GPUs).
add_executable(test_cuda_forward ${CMAKE_SOURCE_DIR}/tests/cuda/test_cuda_forward.c
               ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
target_link_libraries(test_cuda_forward PRIVATE ds_testlib)
foreach(what forward tp)
  add_test(NAME t_cuda_${what} COMMAND test_cuda_forward ${what})
  set_tests_properties(t_cuda_${what} PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 600
                       ENVIRONMENT "${DS_TEST_ENV}")
endforeach()
