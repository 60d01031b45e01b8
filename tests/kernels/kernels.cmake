# tests/kernels - CPU kernels against their reference twins (and, with the gpu label, the CUDA
# twins against the CPU ones, see tests/cuda/).
ds_add_test(NAME t_kernels SOURCES ${CMAKE_SOURCE_DIR}/tests/kernels/test_kernels.c
            LABELS kernels TIMEOUT 300)
