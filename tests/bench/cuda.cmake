# bench_cuda - the CUDA backend's attention, MoE layer and end-to-end speed (see the file
# comment); tests/cuda/run_on_gpu.sh runs it on a GPU machine with the PyTorch baselines of
# tests/bench/torch_ref.py.
# It links the engine alone (ds_testlib_engine), like the GPU tests, so that the device run
# needs none of the pipeline's libraries.
if(DS_HAVE_CUDA)
  add_executable(bench_cuda ${CMAKE_SOURCE_DIR}/tests/bench/bench_cuda.c)
  target_link_libraries(bench_cuda PRIVATE ds_testlib_engine)
  set_property(GLOBAL APPEND PROPERTY DS_BENCHES bench_cuda)
endif()
