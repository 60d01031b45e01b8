# Throughput of the HTML / inline XBRL / XBRL instance parsers against libxml2 alone.
ds_add_bench(NAME bench_html SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_html.c)
