# tests/model - checkpoint loading, the forward pass against the reference, and the tiny
# checkpoint generator (also a command-line tool: gen_tiny_moe DIR [variant] [seed]).
set(DS_TINY_MOE ${CMAKE_SOURCE_DIR}/tests/model/tiny_moe.c)
ds_add_test(NAME t_model_checkpoint
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/checkpoint_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 120)
ds_add_test(NAME t_model_forward
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/forward_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 600)
add_executable(gen_tiny_moe ${CMAKE_SOURCE_DIR}/tests/model/gen_tiny_moe.c ${DS_TINY_MOE})
target_link_libraries(gen_tiny_moe PRIVATE ds_testlib)
ds_add_test(NAME t_model_cmd
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/cmd_test.c ${DS_TINY_MOE}
            LABELS model TIMEOUT 120)
ds_add_test(NAME t_model_json
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/json_test.c ${DS_TINY_MOE}
            LABELS model TIMEOUT 300)
ds_add_test(NAME t_model_kvtier
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/kvtier_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 300)
ds_add_test(NAME t_model_prefix
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/prefix_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 300)
ds_add_test(NAME t_model_scheduler
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/scheduler_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 300)
# AutoAWQ int4: quantize tiny checkpoints, reload, compare with bf16 and a dequantised twin.
ds_add_test(NAME t_model_awq
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/awq_test.c ${DS_TINY_MOE}
            LABELS model ENGINE TIMEOUT 300)
# Bytes per decoded token (the decode bandwidth bound) against a count from the tensor list.
ds_add_test(NAME t_model_decode_bytes
            SOURCES ${CMAKE_SOURCE_DIR}/tests/model/decode_bytes_test.c ${DS_TINY_MOE}
            LABELS model TIMEOUT 120)
