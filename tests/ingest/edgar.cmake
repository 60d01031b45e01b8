# EDGAR full-submission splitter and parser, input sources, URL fetching.
ds_add_test(NAME t_edgar_split SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_split.c LABELS ingest)
