# Ingest: HTML, inline XBRL and XBRL instance parsers, type detection (ingest/html.c, ixbrl.c,
# xbrl.c, xbrl_context.c, ixt.c, decimal.c, markup.c, detect.c).
ds_add_test(NAME t_ingest_xbrl_values SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/xbrl_values_test.c LABELS ingest)
ds_add_test(NAME t_ingest_ixbrl_inline SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/ixbrl_inline_test.c LABELS ingest)
ds_add_test(NAME t_ingest_ixbrl_shared SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/ixbrl_shared_test.c LABELS ingest TIMEOUT 300)
set_tests_properties(t_ingest_ixbrl_shared PROPERTIES SKIP_RETURN_CODE 77)
ds_add_test(NAME t_ingest_markup_hostile SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/markup_hostile_test.c LABELS ingest TIMEOUT 900)
ds_add_test(NAME t_ingest_detect SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/detect_test.c LABELS ingest)
ds_add_test(NAME t_ingest_xbrl_text SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/xbrl_text_test.c LABELS ingest)
