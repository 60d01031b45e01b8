# Ingest: HTML, inline XBRL and XBRL instance parsers, type detection (ingest/html.c, ixbrl.c,
# xbrl.c, xbrl_context.c, ixt.c, decimal.c, markup.c, detect.c).
ds_add_test(NAME t_ingest_xbrl_values SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/xbrl_values_test.c LABELS ingest)
ds_add_test(NAME t_ingest_ixbrl_inline SOURCES ${CMAKE_SOURCE_DIR}/tests/ingest/ixbrl_inline_test.c LABELS ingest)
