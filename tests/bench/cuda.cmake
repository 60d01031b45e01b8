# bench_cuda - the CUDA backend's attention, MoE layer and end-to-end speed (see the file
# comment); tests/cuda/run_on_gpu.sh runs it on a GPU machine with the PyTorch baselines of
# tests/bench/torch_ref.py.
if(DS_HAVE_CUDA)
  ds_add_bench(NAME bench_cuda SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_cuda.c)
endif()
