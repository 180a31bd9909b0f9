# cidns_resolve_validate: the validator's steps (KEY against DS, RRset against keys, NSEC
# denial), the trust anchor file, and the shared resolver types.
add_library(cidns_resolve_validate STATIC types.cpp validator.cpp validate_denial.cpp trust_anchor.cpp)
target_link_libraries(cidns_resolve_validate PUBLIC cidns_dnssec cidns_wire cidns_record cidns_name cidns_util
                      PRIVATE cidns_zone fmt::fmt)
cidns_module_headers(cidns_resolve_validate resolve)
