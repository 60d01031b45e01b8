# Tokenizer: exact ids against Hugging Face (golden file made by tokenizer/gen_golden.mjs), the
# fuzz target, and the speed benchmark against transformers.js.
ds_add_test(NAME t_model_tokenizer SOURCES ${CMAKE_SOURCE_DIR}/tests/model/tokenizer_test.c
            LABELS model ENGINE TIMEOUT 600)
ds_add_fuzz(NAME fuzz_tokenizer SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_tokenizer.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/tokenizer)
ds_add_bench(NAME bench_tokenizer SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_tokenizer.c)
target_compile_definitions(bench_tokenizer PRIVATE DS_BENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
ds_add_script_test(NAME t_model_tokens_cmd COMMAND ${CMAKE_SOURCE_DIR}/tests/model/tokens_cmd_test.sh
                   LABELS model TIMEOUT 120)
