# tests/kernels - CPU kernels against their reference twins (and, with the gpu label, the CUDA
# twins against the CPU ones, see tests/cuda/).
ds_add_test(NAME t_kernels_ops SOURCES ${CMAKE_SOURCE_DIR}/tests/kernels/ops_test.c
            LABELS kernels ENGINE TIMEOUT 300)
# The int4 AWQ matmul and packing (CPU), and the CPU twins of the CUDA model ops.
ds_add_test(NAME t_kernels_awq SOURCES ${CMAKE_SOURCE_DIR}/tests/kernels/awq_test.c
            LABELS kernels ENGINE TIMEOUT 300)
ds_add_test(NAME t_kernels_twins SOURCES ${CMAKE_SOURCE_DIR}/tests/kernels/twins_test.c
            LABELS kernels ENGINE TIMEOUT 300)
