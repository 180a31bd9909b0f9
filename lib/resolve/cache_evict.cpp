// Eviction and usage of lmdb_cache (lmdb_cache.hpp): never a wipe. Past high_water, a pass
// takes candidates from the oldest end of the age index (expired ones first), deletes them in
// batches of short write transactions, and stops at low_water, after a bounded number of
// batches, or once half the entries present at its start are gone.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "cache_age.hpp"
#include "cache_codec.hpp"
#include "lmdb_cache_state.hpp"

namespace cidns::resolve {
namespace {

constexpr std::size_t batch_size = 100;    // entries per write transaction
constexpr std::size_t scan_window = 1000;  // age keys looked at per batch
constexpr int max_batches = 64;            // per pass

struct usage_info {
  std::uint64_t used = 0, limit = 0, entries = 0;
  double fraction() const { return limit == 0 ? 0.0 : static_cast<double>(used) / limit; }
};

usage_info measure(lmdb_cache::state& m) {
  usage_info u;
  m.read([&](store::txn& t) {
    for (store::dbi d : {m.main, m.entries, m.age, m.meta}) {
      const MDB_stat st = t.stat(d);
      u.used += (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
      if (d == m.entries) u.entries = st.ms_entries;
    }
  });
  u.limit = m.env.info().me_mapsize;
  return u;
}

// Up to batch_size age keys: the expired ones within the oldest scan_window first, then the
// oldest others.
std::vector<std::string> pick(lmdb_cache::state& m, std::uint32_t now, std::size_t batch) {
  std::vector<std::string> expired, old;
  m.read([&](store::txn& t) {
    auto c = t.open_cursor(m.age);
    std::size_t seen = 0;
    for (auto it = c.first(); it && seen < scan_window && expired.size() < batch;
         it = c.next(), ++seen) {
      if (detail::be32(it->second) <= now) {
        expired.emplace_back(it->first);
      } else if (old.size() < batch) {
        old.emplace_back(it->first);
      }
    }
  });
  for (auto& k : old) {
    if (expired.size() >= batch) break;
    expired.push_back(std::move(k));
  }
  return expired;
}

// Deletes the entries behind `age_keys` (unless rewritten since) and the age keys.
std::uint64_t remove(lmdb_cache::state& m, const std::vector<std::string>& age_keys) {
  return m.write([&](store::txn& t) {
    std::uint64_t n = 0;
    for (const auto& ak : age_keys) {
      if (ak.size() < 4) continue;
      const std::string_view key = std::string_view(ak).substr(4);
      if (auto v = t.get(m.entries, key)) {
        auto h = detail::decode_header(*v);
        if (!h || h->stored == detail::be32(ak)) {
          t.del(m.entries, key);
          ++n;
        }
      }
      t.del(m.age, ak);
    }
    return n;
  });
}

}  // namespace

std::uint64_t lmdb_cache::evict_if_needed(std::uint32_t now) { return evict(now, false); }

std::uint64_t lmdb_cache::evict(std::uint32_t now, bool force) {
  std::unique_lock pass(m->evict_mutex, std::try_to_lock);
  if (!pass.owns_lock()) return 0;  // another thread is at it
  std::uint64_t total = 0;
  try {
    const usage_info start = measure(*m);
    if (!force && start.fraction() < m->opts.high_water) return 0;
    const std::uint64_t cap = start.entries / 2;
    usage_info u = start;
    std::size_t batch = batch_size;
    for (int b = 0; b < max_batches && total < cap; ++b) {
      auto keys = pick(*m, now, batch);
      if (keys.size() > cap - total) keys.resize(cap - total);
      if (keys.empty()) break;
      try {
        total += remove(*m, keys);
      } catch (const store::lmdb_error& e) {
        // Deleting needs fresh pages too (copy-on-write): with the map nearly full, fewer
        // deletes per transaction, whose freed pages the next transaction can reuse.
        if (e.code() != MDB_MAP_FULL || batch == 1) throw;
        batch = std::max<std::size_t>(1, batch / 4);
        continue;
      }
      batch = std::min(batch_size, batch * 2);
      u = measure(*m);
      if (u.fraction() <= m->opts.low_water) break;
    }
    m->evictions.fetch_add(total, std::memory_order_relaxed);
    if (total > 0) {
      m->log(fmt::format("cache: evicted {} entries ({:.0f}% -> {:.0f}% of {} bytes){}", total,
                         100 * start.fraction(), 100 * u.fraction(), u.limit,
                         force ? " after a full map" : ""));
    }
  } catch (const std::exception& e) {
    m->log(fmt::format("cache: eviction stopped: {}", e.what()));
  }
  return total;
}

std::uint64_t lmdb_cache::dropped_writes() const noexcept {
  return m->dropped.load(std::memory_order_relaxed);
}

double lmdb_cache::usage() const {
  try {
    return measure(*m).fraction();
  } catch (const std::exception&) {
    return 0.0;
  }
}

cache_stats lmdb_cache::stats() const {
  cache_stats s;
  s.hits = m->hits.load(std::memory_order_relaxed);
  s.misses = m->misses.load(std::memory_order_relaxed);
  s.stores = m->stores.load(std::memory_order_relaxed);
  s.rejected_by_rank = m->rejected.load(std::memory_order_relaxed);
  s.evictions = m->evictions.load(std::memory_order_relaxed);
  s.dropped = dropped_writes();
  try {
    const usage_info u = measure(*m);
    s.entries = u.entries;
    s.bytes_used = u.used;
    s.bytes_limit = u.limit;
  } catch (const std::exception&) {
  }
  return s;
}

}  // namespace cidns::resolve
