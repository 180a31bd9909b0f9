// Signs a checked zone (cidns-admin zone sign, cidns-authd online signing):
// drops its old KEY, SIG and NSEC records, publishes the keys at the apex,
// builds the NSEC chain and signs every authoritative RRset, in parallel.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/util/result.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/layout.hpp"

namespace cidns::dnssec {

struct sign_options {
  std::vector<zone_key> keys;  // at least one
  std::uint64_t inception = 0;
  std::uint64_t expiration = 0;
  unsigned jobs = 0;  // threads; 0: one per core
  // Counts names done while signing runs (for a progress line); may be null.
  std::atomic<std::size_t>* progress = nullptr;
  // Re-signing after a small change (dynamic UPDATE): an RRset keeps the SIG the zone already
  // has for it when `changed` says the RRset is not new, it is identical (the NSEC and the apex
  // KEYs, which the signer rebuilds, are compared), and that SIG was made by the same key with
  // the same TTL and expires no earlier than `reuse_until`. 0 (default): sign every RRset.
  std::uint64_t reuse_until = 0;
  std::function<bool(const name::identifier&, record::rtype)> changed;
};

struct sign_stats {
  std::size_t signatures = 0;
  std::size_t nsec = 0;
  std::size_t names = 0;   // names in the layout (the progress total)
  std::size_t reused = 0;  // signatures kept from the zone (reuse_until)
};

// Signs `zone` (sorted and checked; `shape` its layout) in place. Which key
// signs what: with both key-signing (sep) and zone-signing keys, the KEY RRset
// is signed by every key and the rest by the zone-signing keys; otherwise
// every key signs everything. SIGs cover every RRset of the apex and of
// authoritative names, and DS and NSEC at delegations; never glue or
// delegation NS. NSEC TTL = min(SOA TTL, SOA negative TTL); KEY TTL = SOA TTL.
// Output is deterministic (canonical order; Ed25519 signatures are too).
result<sign_stats> sign_zone(zone::contents& zone, const zone::layout& shape,
                             const sign_options& options);

}  // namespace cidns::dnssec
