# tests/extract/llm.cmake - the model backend: prompts, parser, grounding and driver (t_extract_llm),
# the parser's fuzz target, and `dossier run` with a tiny checkpoint (t_extract_llm_run).
ds_add_test(NAME t_extract_llm SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/llm_test.c LABELS extract)
ds_add_fuzz(NAME fuzz_llm_parse SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_llm_parse.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/llm_parse)
ds_add_test(NAME t_extract_llm_run SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/llm_run_test.c
            ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c PG LABELS extract model TIMEOUT 300)
target_include_directories(t_extract_llm_run PRIVATE ${CMAKE_SOURCE_DIR})
ds_add_test(NAME t_extract_llm_pdfs SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/llm_run_test.c
            ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c PG ARGS pdfs LABELS extract model slow TIMEOUT 3600)
target_include_directories(t_extract_llm_pdfs PRIVATE ${CMAKE_SOURCE_DIR})
