# EDGAR full-submission splitter and parser, input sources, URL fetching.
ds_add_test(NAME t_edgar_split SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_split.c LABELS ingest)
ds_add_test(NAME t_document_merge SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/document_merge.c LABELS ingest)

# The end-to-end EDGAR test needs the other parsers (HTML, XBRL, PDF, text, limits); it is
# registered once their definitions are in ingest/.
set(ds_edgar_parsers_ready TRUE)
file(GLOB ds_ingest_sources ${CMAKE_SOURCE_DIR}/ingest/*.c)
foreach(fn ds_html_parse ds_xbrl_parse ds_pdf_parse ds_text_parse ds_ingest_limits_default)
  set(found FALSE)
  foreach(src IN LISTS ds_ingest_sources)
    file(STRINGS ${src} hits REGEX "^(ds_status|void) ${fn}\\(")
    if(hits)
      set(found TRUE)
    endif()
  endforeach()
  if(NOT found)
    set(ds_edgar_parsers_ready FALSE)
  endif()
endforeach()
if(ds_edgar_parsers_ready)
  ds_add_test(NAME t_edgar_parse SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_parse.c LABELS ingest)
else()
  message(STATUS "t_edgar_parse: not built until ingest/ defines the HTML, XBRL, PDF and text parsers")
endif()

ds_add_fuzz(NAME fuzz_edgar SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar)
if(NOT DOSSIER_FUZZ AND EXISTS ${DS_SHARED_DIR}/data/edgar_fulltxt)
  # The real submissions as a second replay corpus (every file whole and halved).
  add_test(NAME fuzz_edgar_replay_shared COMMAND fuzz_edgar ${DS_SHARED_DIR}/data/edgar_fulltxt)
  set_tests_properties(fuzz_edgar_replay_shared PROPERTIES LABELS fuzzreplay ENVIRONMENT "${DS_TEST_ENV}")
endif()

ds_add_test(NAME t_sources SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/sources.c LABELS ingest)

ds_add_test(NAME t_fetch SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/fetch.c ${CMAKE_SOURCE_DIR}/tests/ingest/http_server.c
            LABELS ingest TIMEOUT 120)

ds_add_test(NAME t_edgar_submissions SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_submissions_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_submissions SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_submissions.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_submissions)

ds_add_test(NAME t_edgar_tickers SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_tickers_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_tickers SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_tickers.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_tickers)

ds_add_test(NAME t_edgar_index SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/edgar_index_test.c LABELS ingest)
ds_add_fuzz(NAME fuzz_edgar_daily_index SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_daily_index.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_daily_index)
ds_add_fuzz(NAME fuzz_edgar_filing_index SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_edgar_filing_index.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/edgar_filing_index)
