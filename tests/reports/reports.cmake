# tests/reports - analyst reports (HTML and PDF) on the sample documents.
add_executable(t_report_xml ${CMAKE_SOURCE_DIR}/tests/reports/report_xml.c)
target_link_libraries(t_report_xml PRIVATE PkgConfig::LIBXML2)
ds_add_script_test(NAME t_reports_report COMMAND ${CMAKE_SOURCE_DIR}/tests/reports/report_test.sh PG TIMEOUT 600)
ds_add_script_test(NAME t_reports_filings COMMAND ${CMAKE_SOURCE_DIR}/tests/reports/filings_test.sh PG TIMEOUT 600)
ds_add_script_test(NAME t_reports_ltm COMMAND ${CMAKE_SOURCE_DIR}/tests/reports/ltm_test.sh PG TIMEOUT 600)
