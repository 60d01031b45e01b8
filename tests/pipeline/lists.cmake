# tests/pipeline/lists.cmake - sanctions lists in PostgreSQL: loading, replacing, refusing
# broken files, and the screening index built from the active lists.
ds_add_test(NAME t_pipeline_lists SOURCES ${CMAKE_SOURCE_DIR}/tests/pipeline/lists_test.c PG TIMEOUT 300)
