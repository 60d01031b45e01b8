# bench_model - the CPU model engine against OpenBLAS sgemm, memory bandwidth and the reference
# pass, in one run (see the file comment). OpenBLAS is linked into the benchmark only.
pkg_check_modules(OPENBLAS IMPORTED_TARGET openblas)
ds_add_bench(NAME bench_model SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_model.c
             ${CMAKE_SOURCE_DIR}/tests/bench/model_pass.c ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
if(OPENBLAS_FOUND)
  target_link_libraries(bench_model PRIVATE PkgConfig::OPENBLAS)
  target_compile_definitions(bench_model PRIVATE DS_HAVE_OPENBLAS=1)
endif()
# bench_engine - JSON-schema masks, KV tiers and the scheduler against their baselines.
ds_add_bench(NAME bench_engine SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_engine.c
             ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
# bench_awq - the int4 decode matmul against bf16 and the streaming-read bound, in one run.
ds_add_bench(NAME bench_awq SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_awq.c)
# bench_a3b - the Qwen3-30B-A3B shape in int4 on the CPU (a 16 GB random checkpoint written,
# loaded and timed; skipped where disk or memory is short).
ds_add_bench(NAME bench_a3b SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_a3b.c
             ${CMAKE_SOURCE_DIR}/tests/bench/model_pass.c ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
