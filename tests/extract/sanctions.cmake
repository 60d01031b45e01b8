# tests/extract/sanctions.cmake - sanctions screening: name normalisation, scoring and the index,
# list parsers (real OFAC/EU/UN files from ../shared/data), fuzzing of
# the CSV and XML parsers, and the screening benchmark.
ds_add_test(NAME t_extract_names SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/names_test.c)
ds_add_test(NAME t_extract_screen SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/screen_test.c TIMEOUT 300)
ds_add_test(NAME t_extract_sanctions_parse SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/sanctions_parse_test.c)
ds_add_test(NAME t_extract_alerts_screen SOURCES ${CMAKE_SOURCE_DIR}/tests/extract/alerts_screen_test.c)
ds_add_fuzz(NAME fuzz_sanctions_csv SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/sanctions_csv_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/sanctions_csv)
ds_add_fuzz(NAME fuzz_sanctions_xml SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/sanctions_xml_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/sanctions_xml)
ds_add_bench(NAME bench_screening SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_screening.c)
ds_add_bench(NAME bench_doc_screen SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_doc_screen.c)
ds_add_fuzz(NAME fuzz_name_spans SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/name_spans_fuzz.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/name_spans)
