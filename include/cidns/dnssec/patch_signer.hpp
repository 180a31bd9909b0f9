// Signing for a zone patched in service (zone::compiled_zone::patched): the server holds the
// zone's keys and signs each RRset an UPDATE changes, as the zone signer would.
#pragma once

#include <cstdint>
#include <vector>

#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::dnssec {

// The keys that sign an RRset of type `t` (zone_signer.hpp's rule): the KEY RRset every key;
// the others the zone-signing keys, or every key when the keys are not split into key- and
// zone-signing ones.
std::vector<const zone_key*> signers_for(const std::vector<zone_key>& keys, record::rtype t);

// A zone::rrset_signer for zone `zone` with `keys` (kept by reference: they must outlive it),
// valid from `inception` to `expiration` (unix seconds).
zone::rrset_signer patch_signer(const std::vector<zone_key>& keys, const name::identifier& zone,
                                std::uint64_t inception, std::uint64_t expiration);

// True when `keys` are the KEY RRset `apex_keys` publishes (same key data, any order): a
// patch may sign with them; otherwise the zone must be signed again as a whole.
bool keys_published(const std::vector<zone_key>& keys, const std::vector<std::string>& apex_keys);

}  // namespace cidns::dnssec
