# EDGAR full-submission splitter and parser, input sources, URL fetching.
ds_add_test(NAME t_edgar_split SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_split.c LABELS ingest)
ds_add_test(NAME t_document_merge SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/document_merge.c LABELS ingest)
