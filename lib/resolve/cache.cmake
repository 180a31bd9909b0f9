# cidns_resolve_cache: the LMDB cache and its policy (LMDB RAII and keys are lib/store).
add_library(cidns_resolve_cache STATIC lmdb_cache.cpp cache_open.cpp cache_readers.cpp
                                       cache_evict.cpp cache_codec.cpp)
target_link_libraries(cidns_resolve_cache PUBLIC cidns_resolve_validate cidns_record cidns_name cidns_util
                      PRIVATE cidns_store cidns_wire fmt::fmt)
cidns_module_headers(cidns_resolve_cache resolve)
