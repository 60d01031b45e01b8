# tests/extract/facts.cmake - facts, statement tables, SWOT rules, entities and AML signals.
ds_add_test(NAME t_extract_facts SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/facts_test.c)
ds_add_test(NAME t_extract_entities SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/entities_test.c)
ds_add_test(NAME t_extract_swot SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/swot_test.c)
ds_add_test(NAME t_extract_credit SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/credit_test.c PG TIMEOUT 300)
# Real filings through the PDF parser: registered once the parser is in the tree.
if(EXISTS ${CMAKE_SOURCE_DIR}/ingest/pdf.c)
  ds_add_test(NAME t_extract_real_pdf SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/real_pdf_test.c TIMEOUT 300)
endif()
# PDF identity (cover, headline, statement headers): synthetic and broken pages, and its fuzz target.
ds_add_test(NAME t_extract_identity SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/identity_test.c LABELS extract)
ds_add_fuzz(NAME fuzz_doc_identity SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/doc_identity_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/doc_identity)
ds_add_fuzz(NAME fuzz_extract SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/fuzz_extract.c CORPUS ${CMAKE_SOURCE_DIR}/tests/extract/fuzz_corpus)
# The sample generator's documents through `dossier run`, against its truth.json.
if(NOT TARGET PkgConfig::JANSSON)
  pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
endif()
ds_add_test(NAME t_extract_truth SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/truth_test.c PG
            LIBS PkgConfig::JANSSON ARGS $<TARGET_FILE:ds_gen_samples> LABELS extract TIMEOUT 600)
add_dependencies(t_extract_truth ds_gen_samples dossier)
# Red-flag rules on hand-labelled sentences from real filings: precision and recall floors, and
# the benchmark against the phrases-only baseline (make bench).
ds_add_test(NAME t_extract_redflags_labelled SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/redflags_labelled_test.c
            ${CMAKE_SOURCE_DIR}/tests/extract/redflags_eval.c LABELS extract)
ds_add_bench(NAME bench_redflags SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_redflags.c
             ${CMAKE_SOURCE_DIR}/tests/extract/redflags_eval.c)
