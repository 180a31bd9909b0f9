// The resolver's cache as the core sees it (DESIGN §6): entries keyed by (owner, type), each
// with the time stored, a TTL, a trust rank and a validation state, holding the records as
// received (their `data` unchanged) with their SIGs, or a negative answer with its proof.
// The LMDB implementation (lmdb_cache.hpp) is the only real one; the interface exists so the
// core's scenario tests and the daemon share one contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/resolve/types.hpp"

namespace cidns::resolve {

// What an entry says about (owner, type).
//   rrset    `records` is the answer for (owner, type): one RRset, or for type RESOURCE the
//            DESC, STATE and EP RRsets together; a CNAME is cached as (owner, CNAME);
//   nodata   the name exists, the type does not; `proof` holds SOA/NSEC records and SIGs;
//   nxdomain the name does not exist; cached under (owner, rtype::none), so it answers every
//            type; `proof` as for nodata.
enum class entry_kind : std::uint8_t { rrset = 0, nodata = 1, nxdomain = 2 };

struct cache_entry {
  entry_kind kind = entry_kind::rrset;
  resolve::rank rank = resolve::rank::auth;
  resolve::security state = resolve::security::indeterminate;
  std::uint32_t stored = 0;         // unix seconds when stored
  std::uint32_t ttl = 0;            // seconds, already clamped by the cache
  std::vector<record::rr> records;  // answer records, SIGs included (type SIG)
  std::vector<record::rr> proof;    // authority records of a negative answer, SIGs included
  std::string reason;               // for bogus entries: the extended error text

  bool expired(std::uint32_t now) const noexcept { return now >= stored + ttl; }
  std::uint32_t remaining(std::uint32_t now) const noexcept {
    return expired(now) ? 0 : stored + ttl - now;
  }
  friend bool operator==(const cache_entry&, const cache_entry&) = default;
};

// TTL clamps and the memory bound.
struct cache_limits {
  std::uint32_t max_ttl = 86'400;          // 1 day
  std::uint32_t max_negative_ttl = 3'600;  // 1 hour
  std::uint32_t min_ttl = 0;
  std::uint32_t bogus_ttl = 60;
};

struct cache_stats {
  std::uint64_t hits = 0, misses = 0, stores = 0, rejected_by_rank = 0, evictions = 0;
  std::uint64_t dropped = 0;  // writes that did not fit even after eviction
  std::uint64_t entries = 0;  // at the last count (may lag)
  std::uint64_t bytes_used = 0, bytes_limit = 0;
};

class cache {
 public:
  virtual ~cache() = default;

  // The entry for (owner, type), expired or not (serve-stale and prefetch look at expired
  // ones; callers check expired()). Never writes: a hit needs no write transaction.
  // Thread-safe. nullopt when absent, or when the stored value fails to decode (it is then
  // treated as absent and later replaced or evicted).
  virtual std::optional<cache_entry> get(const name::identifier& owner, record::rtype type) = 0;

  // Stores `e` (TTL clamped per cache_limits, `stored` set by the caller), unless an unexpired
  // entry of higher rank is there (a secure write always replaces). Returns whether it was
  // stored. Never fails a query: a full map triggers eviction, and a write that still does
  // not fit is dropped (counted) rather than thrown.
  virtual bool put(const name::identifier& owner, record::rtype type, const cache_entry& e,
                   std::uint32_t now) = 0;

  // The NSEC record (with its SIGs, as an entry) whose owner is the greatest cached NSEC owner
  // <= `name` in canonical order within `zone`: aggressive use of cached NSEC (RFC 8198).
  virtual std::optional<cache_entry> nsec_at_or_before(const name::identifier& zone,
                                                       const name::identifier& name) = 0;

  // Removes (name, every type), or with `subtree` every entry at or below `name`.
  // Returns how many entries went.
  virtual std::uint64_t flush(const name::identifier& name, bool subtree) = 0;

  virtual cache_stats stats() const = 0;
};

}  // namespace cidns::resolve
