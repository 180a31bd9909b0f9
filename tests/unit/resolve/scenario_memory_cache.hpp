// A resolve::cache in memory for the engine's scenario tests: the same contract as the LMDB
// cache (rank rules, TTL clamps, expired entries still returned) without the files.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "cidns/resolve/cache.hpp"

namespace cidns::resolve::test {

class memory_cache final : public cache {
 public:
  explicit memory_cache(cache_limits limits = {}) : m_limits(limits) {}

  std::optional<cache_entry> get(const name::identifier& owner, record::rtype type) override {
    auto it = m_entries.find({owner.key(), static_cast<std::uint16_t>(type)});
    if (it == m_entries.end()) {
      ++m_stats.misses;
      return std::nullopt;
    }
    ++m_stats.hits;
    return it->second;
  }

  bool put(const name::identifier& owner, record::rtype type, const cache_entry& e,
           std::uint32_t now) override {
    const auto key = std::make_pair(owner.key(), static_cast<std::uint16_t>(type));
    auto it = m_entries.find(key);
    if (it != m_entries.end() && !it->second.expired(now) && it->second.rank > e.rank &&
        e.rank != rank::secure) {
      ++m_stats.rejected_by_rank;
      return false;
    }
    cache_entry c = e;
    const bool negative = e.kind != entry_kind::rrset;
    c.ttl = std::clamp(c.ttl, m_limits.min_ttl,
                       negative ? m_limits.max_negative_ttl : m_limits.max_ttl);
    if (e.rank == rank::bogus) c.ttl = std::min(c.ttl, m_limits.bogus_ttl);
    m_entries[key] = std::move(c);
    ++m_stats.stores;
    return true;
  }

  std::optional<cache_entry> nsec_at_or_before(const name::identifier&,
                                               const name::identifier&) override {
    return std::nullopt;  // aggressive NSEC is not exercised by the engine's scenarios
  }

  std::uint64_t flush(const name::identifier& n, bool subtree) override {
    const auto k = n.key();
    return std::erase_if(m_entries, [&](const auto& kv) {
      return subtree ? kv.first.first.starts_with(k) : kv.first.first == k;
    });
  }

  cache_stats stats() const override {
    auto s = m_stats;
    s.entries = m_entries.size();
    return s;
  }

  std::size_t size() const { return m_entries.size(); }
  // The raw entry, for assertions (no hit counted).
  const cache_entry* peek(const name::identifier& owner, record::rtype type) const {
    auto it = m_entries.find({owner.key(), static_cast<std::uint16_t>(type)});
    return it == m_entries.end() ? nullptr : &it->second;
  }

 private:
  cache_limits m_limits;
  cache_stats m_stats;
  std::map<std::pair<std::string, std::uint16_t>, cache_entry> m_entries;
};

}  // namespace cidns::resolve::test
