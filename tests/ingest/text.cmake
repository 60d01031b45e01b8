ds_add_test(NAME t_ingest_text SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/text_test.c LABELS ingest)
ds_add_script_test(NAME t_ingest_bad_corpus COMMAND ${CMAKE_SOURCE_DIR}/tests/ingest/bad_corpus_test.sh PG TIMEOUT 600 LABELS ingest)
