ds_add_test(NAME t_text SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/text_test.c LABELS ingest)
