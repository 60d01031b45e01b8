# EDGAR full-submission splitter and parser, input sources, URL fetching.
ds_add_test(NAME t_ingest_edgar_split SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_split_test.c LABELS ingest)
ds_add_test(NAME t_ingest_document_merge SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/document_merge_test.c LABELS ingest)

# The end-to-end EDGAR test: full submissions through the HTML, XBRL, PDF and text parsers.
ds_add_test(NAME t_ingest_edgar_parse SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_parse_test.c LABELS ingest)

ds_add_fuzz(NAME fuzz_edgar SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar)
if(NOT DOSSIER_FUZZ AND EXISTS ${DS_SHARED_DIR}/data/edgar_fulltxt)
  # The real submissions as a second replay corpus (every file whole and halved).
  add_test(NAME fuzz_edgar_replay_shared COMMAND fuzz_edgar ${DS_SHARED_DIR}/data/edgar_fulltxt)
  set_tests_properties(fuzz_edgar_replay_shared PROPERTIES LABELS fuzzreplay ENVIRONMENT "${DS_TEST_ENV}")
endif()

ds_add_test(NAME t_ingest_sources SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/sources_test.c LABELS ingest)

ds_add_test(NAME t_ingest_fetch SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/fetch_test.c ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c
            LABELS ingest TIMEOUT 120)

ds_add_test(NAME t_ingest_edgar_submissions SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_submissions_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_submissions SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_submissions.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_submissions)

ds_add_test(NAME t_ingest_edgar_tickers SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_tickers_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_tickers SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_tickers.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_tickers)

ds_add_test(NAME t_ingest_edgar_index SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_index_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_daily_index SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_daily_index.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_daily_index)
ds_add_fuzz(NAME fuzz_edgar_filing_index SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_filing_index.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_filing_index)
