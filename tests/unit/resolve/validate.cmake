# tests of cidns_resolve_validate (owner: the validate part): KEY against DS, RRsets against
# keys (the tamper matrix), NSEC denial of every kind, the trust anchor file, garbage input.
cidns_unit_test(resolve_validate_test
  SOURCES validator_test.cpp validate_denial_test.cpp validate_anchor_test.cpp
  LIBS cidns_resolve_validate cidns_dnssec cidns_zone cidns_record cidns_name OpenSSL::Crypto)
