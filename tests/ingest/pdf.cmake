# pdf.cmake - tests of the PDF parser (ingest/pdf*.c).
#   t_ingest_pdf_real:   real SEC filings from ../shared/data/financial_pdf (skips when absent)
#   t_ingest_pdf_synth:  PDFs drawn with cairo in the test: two columns, a table, an image-only page,
#                 running headers, filing headings, outline, metadata, limits, empty/truncated input
#   t_ingest_pdf_broken: ../shared/data/broken_pdf, encrypted and damaged files (skips when absent)
#   fuzz_pdf:     the parser as a libFuzzer target; without DOSSIER_FUZZ it replays broken_pdf
ds_add_test(NAME t_ingest_pdf_real SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/pdf_real_test.c LABELS ingest TIMEOUT 300)
pkg_check_modules(DS_FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
ds_add_test(NAME t_ingest_pdf_synth SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/pdf_synth_test.c LABELS ingest TIMEOUT 120
            LIBS PkgConfig::CAIRO PkgConfig::DS_FONTCONFIG)
ds_add_test(NAME t_ingest_pdf_broken SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/pdf_broken_test.c LABELS ingest TIMEOUT 120)
set_tests_properties(t_ingest_pdf_real t_ingest_pdf_synth t_ingest_pdf_broken PROPERTIES SKIP_RETURN_CODE 77)

if(EXISTS ${DS_SHARED_DIR}/data/broken_pdf)
  ds_add_fuzz(NAME fuzz_pdf SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_pdf.c CORPUS ${DS_SHARED_DIR}/data/broken_pdf)
else()
  ds_add_fuzz(NAME fuzz_pdf SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_pdf.c)
endif()
# t_ingest_doc_wire: the parsed-document encoding a parse in a child process hands back; fuzz_doc_wire its decoder
ds_add_test(NAME t_ingest_doc_wire SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/doc_wire_test.c LABELS ingest TIMEOUT 300)
ds_add_fuzz(NAME fuzz_doc_wire SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/doc_wire_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/doc_wire)
