# tests of cidns_resolve (the engine): scenario tests through a signed three-level hierarchy
# served by cidns-authd's answering code over an in-memory transport with a fake clock.
cidns_unit_test(resolve_engine_test
  SOURCES scenario_iteration_test.cpp scenario_failure_test.cpp scenario_validation_test.cpp
          scenario_cache_test.cpp scenario_lmdb_cache_test.cpp
          scenario_cuts_test.cpp scenario_aggressive_test.cpp scenario_bogus_cache_test.cpp
          scenario_tamper_test.cpp scenario_discover_test.cpp
  LIBS cidns_resolve cidns_select cidns_authd_core cidns_dnssec cidns_zone cidns_record cidns_name)
