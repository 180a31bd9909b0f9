# The iteration engine (engine.hpp): no I/O, one step per file (engine_state.hpp says which).
add_library(cidns_resolve STATIC
  engine.cpp
  engine_aggressive.cpp
  engine_answer.cpp
  engine_cache.cpp
  engine_cuts.cpp
  engine_discover.cpp
  engine_iterate.cpp
  engine_reply.cpp
  engine_signer.cpp
  engine_validation.cpp
  reply_check.cpp
  server_address.cpp
  server_selection.cpp)
target_link_libraries(cidns_resolve PUBLIC cidns_resolve_validate cidns_resolve_cache cidns_select cidns_wire cidns_record cidns_name cidns_util
                      PRIVATE cidns_dnssec fmt::fmt)
cidns_module_headers(cidns_resolve resolve)
