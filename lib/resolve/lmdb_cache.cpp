// lmdb_cache's reads and writes: get, put with the rank rule and TTL clamps, the per-zone NSEC
// index, flush (lmdb_cache.hpp). Opening is cache_open.cpp, eviction cache_evict.cpp.
#include "cidns/resolve/lmdb_cache.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>

#include <fmt/format.h>

#include "cache_age.hpp"
#include "cache_codec.hpp"
#include "cidns/record/data.hpp"
#include "cidns/store/keys.hpp"
#include "lmdb_cache_state.hpp"

namespace cidns::resolve {
namespace {

constexpr std::uint32_t check_every_puts = 16;
constexpr std::size_t flush_batch = 512;

std::uint32_t clamp_ttl(const cache_entry& e, const cache_limits& l) {
  if (e.rank == rank::bogus || e.state == security::bogus) return l.bogus_ttl;
  const std::uint32_t max = e.kind == entry_kind::rrset ? l.max_ttl : l.max_negative_ttl;
  return std::clamp(e.ttl, std::min(l.min_ttl, max), max);
}

// The rank rule: data of a lower rank never replaces unexpired data of a higher one; a
// secure write always replaces; an undecodable old value is replaced.
bool may_replace(std::optional<std::string_view> old, const cache_entry& e, std::uint32_t now) {
  if (!old || e.rank == rank::secure) return true;
  auto h = detail::decode_header(*old);
  return !h || h->expired(now) || e.rank >= h->rank;
}

// The zone whose signature covers an NSEC entry: the signer of a SIG over NSEC that is the
// owner or above it.
std::optional<name::identifier> nsec_zone(const name::identifier& owner, const cache_entry& e) {
  for (const auto& rr : e.records) {
    if (rr.type != record::rtype::sig) continue;
    auto s = record::sig::decode(rr.data);
    if (s && s->type_covered == record::rtype::nsec && owner.is_part_of(s->signer)) {
      return s->signer;
    }
  }
  return std::nullopt;
}

// Writes `value` under `key` (and its age key) if the rank rule allows.
bool write_one(lmdb_cache::state& m, store::txn& t, std::string_view key, std::string_view value,
               const cache_entry& e, std::uint32_t ttl, std::uint32_t now) {
  auto old = t.get(m.entries, key);
  if (!may_replace(old, e, now)) return false;
  if (old) {
    if (auto h = detail::decode_header(*old)) t.del(m.age, detail::age_key(h->stored, key));
  }
  t.put(m.entries, key, value);
  t.put(m.age, detail::age_key(e.stored, key), detail::age_value(e.stored + ttl));
  return true;
}

}  // namespace

namespace {

// Every entry of one owner, read by get(owner, NONE) (the engine's NXDOMAIN probe, which comes
// first) in one cursor walk, for the engine's next gets of the same owner (the question's type,
// then CNAME): one read transaction and one B-tree descent instead of two or three. Per thread
// and per cache; taken at most `prefetch_uses` times within `prefetch_life`, and dropped by any
// write through this cache on this thread. The answers are those of one snapshot, as if the
// reads had been one transaction.
constexpr unsigned prefetch_uses = 2;
constexpr auto prefetch_life = std::chrono::milliseconds(5);
constexpr std::size_t prefetch_max_value = 4096;

struct owner_prefetch {
  struct value {
    std::uint16_t type = 0;
    std::string bytes;
  };
  std::uint64_t cache_id = 0;  // 0: nothing prefetched (cache ids start at 1)
  std::string owner;           // owner text
  std::array<value, 6> values;
  std::size_t count = 0;
  bool complete = false;  // every entry of the owner is in `values`
  unsigned uses = 0;
  std::chrono::steady_clock::time_point taken;

  const value* find(std::uint16_t type) const {
    for (std::size_t i = 0; i < count; ++i) {
      if (values[i].type == type) return &values[i];
    }
    return nullptr;
  }
};

thread_local owner_prefetch t_prefetch;

// Reads every entry of the owner whose NONE key is `key` into `pf` (one cursor walk).
void prefetch_owner(store::txn& t, store::dbi entries, std::string_view key, owner_prefetch& pf) {
  const std::string_view prefix = key.substr(0, key.size() - 2);
  auto c = t.open_cursor(entries);
  pf.count = 0;
  pf.complete = false;
  for (auto it = c.lower_bound(key); it; it = c.next()) {
    if (it->first.size() != key.size() || !it->first.starts_with(prefix)) {
      pf.complete = true;
      return;
    }
    if (pf.count == pf.values.size() || it->second.size() > prefetch_max_value) return;
    auto& v = pf.values[pf.count++];
    const auto hi = static_cast<unsigned char>(it->first[key.size() - 2]);
    const auto lo = static_cast<unsigned char>(it->first[key.size() - 1]);
    v.type = static_cast<std::uint16_t>(hi << 8 | lo);
    v.bytes.assign(it->second);
  }
  pf.complete = true;  // the end of the database
}

}  // namespace

std::optional<cache_entry> lmdb_cache::get(const name::identifier& owner, record::rtype type) {
  const auto want = static_cast<std::uint16_t>(type);
  auto& pf = t_prefetch;
  std::optional<cache_entry> out;
  auto found = [&](std::optional<cache_entry> e) {
    (e ? m->hits : m->misses).fetch_add(1, std::memory_order_relaxed);
    return e;
  };
  if (type != record::rtype::none && pf.cache_id == m->id && pf.uses < prefetch_uses &&
      pf.owner == owner.text() && std::chrono::steady_clock::now() - pf.taken < prefetch_life) {
    ++pf.uses;
    if (const auto* v = pf.find(want)) return found(detail::decode_entry(v->bytes, owner));
    if (pf.complete) return found(std::nullopt);
  }
  // The key's owner part is kept while the owner stays the same; only the type changes.
  thread_local std::string key, key_owner;
  if (!key.empty() && key_owner == owner.text()) {
    key[key.size() - 2] = static_cast<char>(want >> 8);
    key[key.size() - 1] = static_cast<char>(want & 0xff);
  } else {
    key.clear();
    store::append_entry_key(key, owner, type);
    key_owner = owner.text();
  }
  assert(key == store::entry_key(owner, type));
  try {
    if (type == record::rtype::none) {
      pf.cache_id = 0;
      m->read([&](store::txn& t) { prefetch_owner(t, m->entries, key, pf); });
      pf.cache_id = m->id;
      pf.owner = owner.text();
      pf.uses = 0;
      pf.taken = std::chrono::steady_clock::now();
      if (const auto* v = pf.find(want)) out = detail::decode_entry(v->bytes, owner);
    } else {
      out = m->read([&](store::txn& t) -> std::optional<cache_entry> {
        auto v = t.get(m->entries, key);
        if (!v) return std::nullopt;
        return detail::decode_entry(*v, owner);
      });
    }
  } catch (const std::exception&) {
    out.reset();  // an unreadable cache is a miss, never a failed query
  }
  return found(std::move(out));
}

bool lmdb_cache::put(const name::identifier& owner, record::rtype type, const cache_entry& e,
                     std::uint32_t now) {
  t_prefetch.cache_id = 0;  // this thread's next reads see the write
  if (m->puts_since_check.fetch_add(1, std::memory_order_relaxed) % check_every_puts == 0) {
    evict_if_needed(now);
  }
  const std::uint32_t ttl = clamp_ttl(e, m->opts.limits);
  cache_entry clamped_header = e;  // only the header fields differ from `e`
  clamped_header.ttl = ttl;
  std::string value;
  detail::encode_entry(value, clamped_header, owner);
  const std::string key = store::entry_key(owner, type);
  std::optional<std::string> nkey;
  std::string nvalue;
  if (type == record::rtype::nsec) {
    if (auto zone = nsec_zone(owner, e)) {
      nkey = store::nsec_key(*zone, owner);
      detail::encode_entry(nvalue, clamped_header, owner);
    }
  }
  auto attempt = [&] {
    return m->write([&](store::txn& t) {
      if (!write_one(*m, t, key, value, e, ttl, now)) return false;
      if (nkey) write_one(*m, t, *nkey, nvalue, e, ttl, now);
      return true;
    });
  };
  for (int round = 0; round < 2; ++round) {
    try {
      const bool stored = attempt();
      (stored ? m->stores : m->rejected).fetch_add(1, std::memory_order_relaxed);
      return stored;
    } catch (const store::lmdb_error& err) {
      if (err.code() == MDB_MAP_FULL && round == 0) {
        evict(now, true);
        continue;
      }
      if (err.code() != MDB_MAP_FULL) m->log(fmt::format("cache: write dropped: {}", err.what()));
      break;
    }
  }
  m->dropped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::optional<cache_entry> lmdb_cache::nsec_at_or_before(const name::identifier& zone,
                                                         const name::identifier& name) {
  if (!name.is_part_of(zone)) return std::nullopt;
  const std::string prefix = store::nsec_zone_prefix(zone);
  const std::string target = store::nsec_key(zone, name);
  try {
    return m->read([&](store::txn& t) -> std::optional<cache_entry> {
      auto c = t.open_cursor(m->entries);
      auto it = c.at_or_before(target);
      if (!it || !store::has_prefix(it->first, prefix)) return std::nullopt;
      auto k = store::decode_key(it->first);
      if (!k || k->tag != store::key_tag::nsec) return std::nullopt;
      return detail::decode_entry(it->second, k->owner);
    });
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

struct flush_range {
  std::string prefix;
  bool exact;  // only the key equal to `prefix`
};

// Deletes up to flush_batch keys of `r` (and their age keys); returns how many.
std::uint64_t flush_some(lmdb_cache::state& m, store::txn& t, const flush_range& r) {
  auto c = t.open_cursor(m.entries);
  std::uint64_t n = 0;
  while (n < flush_batch) {
    auto it = c.lower_bound(r.prefix);
    if (!it || !store::has_prefix(it->first, r.prefix)) break;
    if (r.exact && it->first.size() != r.prefix.size()) break;
    const std::string key(it->first);
    if (auto h = detail::decode_header(it->second)) t.del(m.age, detail::age_key(h->stored, key));
    t.del(m.entries, key);
    ++n;
  }
  return n;
}

}  // namespace

std::uint64_t lmdb_cache::flush(const name::identifier& name, bool subtree) {
  t_prefetch.cache_id = 0;
  std::vector<flush_range> ranges;
  ranges.push_back(
      {subtree ? store::subtree_prefix(name) : store::entry_types_prefix(name), false});
  // The NSEC records owned by `name` (or below it) in the ranges of the zones above it.
  for (std::size_t i = subtree ? 1 : 0; i <= name.label_count(); ++i) {
    ranges.push_back({store::nsec_key(name.strip_left(i), name), !subtree});
  }
  std::uint64_t total = 0;
  try {
    for (const auto& r : ranges) {
      for (;;) {
        const auto n = m->write([&](store::txn& t) { return flush_some(*m, t, r); });
        total += n;
        if (n < flush_batch) break;
      }
    }
  } catch (const store::lmdb_error& e) {
    m->log(fmt::format("cache: flush of {} stopped: {}", name.text(), e.what()));
  }
  if (total > 0) {
    m->log(fmt::format("cache: flushed {} entries at {}{}", total, name.text(),
                       subtree ? " and below" : ""));
  }
  return total;
}

}  // namespace cidns::resolve
