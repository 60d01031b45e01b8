# tests/docs/function_length.cmake - no product function over 120 lines outside the allow-list
# tests/docs/function_length.allow (extents from universal-ctags; skipped without it).
ds_add_script_test(NAME t_docs_function_length
                   COMMAND ${CMAKE_SOURCE_DIR}/tests/docs/function_length_test.sh ${CMAKE_SOURCE_DIR} 120
                   TIMEOUT 120)
set_tests_properties(t_docs_function_length PROPERTIES SKIP_RETURN_CODE 77)
