# tests/docs/format.cmake - the layout of the sources is clang-format's (.clang-format).
ds_add_script_test(NAME t_docs_format COMMAND ${CMAKE_SOURCE_DIR}/tests/docs/format_test.sh ${CMAKE_SOURCE_DIR}
                   TIMEOUT 300)
set_tests_properties(t_docs_format PROPERTIES SKIP_RETURN_CODE 77)
