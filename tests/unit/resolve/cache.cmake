# tests of cidns_resolve_cache (owner: the cache part)
cidns_unit_test(resolve_cache_test
  SOURCES cache_policy_test.cpp cache_file_test.cpp cache_decode_test.cpp
  LIBS cidns_resolve_cache cidns_store cidns_record cidns_name)
target_include_directories(resolve_cache_test PRIVATE ${PROJECT_SOURCE_DIR}/lib/resolve)
