# tests/extract/name_corpus.cmake - the generated sanctions name corpus (tests/extract/name_corpus.h):
# its generator ds_gen_name_corpus (cairo + pango for the PDFs), the evaluation shared by the
# benchmark bench_name_corpus and the test t_extract_name_corpus, which holds the recall and false
# alert levels of tests/extract/data/name_corpus_levels.tsv.
if(NOT TARGET PkgConfig::FONTCONFIG)
  pkg_check_modules(FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
endif()
add_executable(ds_gen_name_corpus ${CMAKE_SOURCE_DIR}/tests/extract/gen_name_corpus.c
                                  ${CMAKE_SOURCE_DIR}/tests/extract/name_corpus_eval.c)
target_link_libraries(ds_gen_name_corpus PRIVATE ds_pipeline PkgConfig::CAIRO PkgConfig::PANGOCAIRO
                                                 PkgConfig::FONTCONFIG)
set_target_properties(ds_gen_name_corpus PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
ds_add_bench(NAME bench_name_corpus SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_name_corpus.c
             ${CMAKE_SOURCE_DIR}/tests/extract/name_corpus_eval.c)
add_dependencies(bench_name_corpus ds_gen_name_corpus)
ds_add_test(NAME t_extract_name_corpus
            SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/name_corpus_test.c
                    ${CMAKE_SOURCE_DIR}/tests/extract/name_corpus_eval.c
            ARGS $<TARGET_FILE:ds_gen_name_corpus>
            LABELS extract
            TIMEOUT 600)
add_dependencies(t_extract_name_corpus ds_gen_name_corpus)
set_tests_properties(t_extract_name_corpus PROPERTIES SKIP_RETURN_CODE 77)
