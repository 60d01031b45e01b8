# tests/docs/layout.cmake - the layout rules of docs/architecture.md: internal headers stay in their
# folder, and every path the architecture notes name exists.
ds_add_script_test(NAME t_docs_layout COMMAND ${CMAKE_SOURCE_DIR}/tests/docs/layout_test.sh ${CMAKE_SOURCE_DIR}
                   TIMEOUT 60)
