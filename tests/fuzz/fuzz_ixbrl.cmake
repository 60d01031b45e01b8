# Fuzz target for the HTML / inline XBRL / XBRL instance parsers (ingest/html.c, ixbrl.c, xbrl.c).
ds_add_fuzz(NAME fuzz_ixbrl SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_ixbrl.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/ixbrl)
