# tests/security - attacks a hostile inbox or another local account could make, each bounded in time.
ds_add_script_test(NAME t_security_cluster COMMAND ${CMAKE_SOURCE_DIR}/tests/security/cluster_test.sh
                   LABELS security TIMEOUT 300)
set_tests_properties(t_security_cluster PROPERTIES SKIP_RETURN_CODE 77)
ds_add_script_test(NAME t_security_inbox COMMAND ${CMAKE_SOURCE_DIR}/tests/security/inbox_test.sh
                   PG LABELS security TIMEOUT 300)
ds_add_script_test(NAME t_security_audit COMMAND ${CMAKE_SOURCE_DIR}/tests/security/audit_test.sh
                   PG LABELS security TIMEOUT 300)
ds_add_script_test(NAME t_security_robust COMMAND ${CMAKE_SOURCE_DIR}/tests/security/robust_test.sh
                   PG LABELS security TIMEOUT 600)
ds_add_script_test(NAME t_security_lease COMMAND ${CMAKE_SOURCE_DIR}/tests/security/lease_test.sh
                   PG LABELS security TIMEOUT 600)
ds_add_script_test(NAME t_security_parse COMMAND ${CMAKE_SOURCE_DIR}/tests/security/parse_test.sh
                   PG LABELS security TIMEOUT 400)
ds_add_script_test(NAME t_security_roles COMMAND ${CMAKE_SOURCE_DIR}/tests/security/roles_test.sh
                   LABELS security TIMEOUT 400)
