# Fuzz targets of the model stage's parsers (safetensors header, config.json), with small seed
# corpora; without DOSSIER_FUZZ they replay the corpus as plain tests.
ds_add_fuzz(NAME fuzz_safetensors SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_safetensors.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/safetensors)
ds_add_fuzz(NAME fuzz_hfconfig SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_hfconfig.c
            CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/hfconfig)
