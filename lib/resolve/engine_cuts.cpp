// Zone cuts read back from the cache (engine_state.hpp): the engine writes a referral's NS and
// glue ADDR, the validated DS (or the proven absence of one) and the validated KEY RRset to the
// cache, and here finds a cut from them again, so that an engine started on a warm cache (after
// a restart, or another process sharing the cache) skips the levels above and refetches no key.
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

// An entry that may steer iteration: unexpired, not bogus, and a positive RRset unless a
// denial is asked for.
bool live(const std::optional<cache_entry>& e, std::uint32_t now_s) {
  return e && !e->expired(now_s) && e->state != security::bogus && e->rank != rank::bogus;
}

void add_addresses(ns_entry& ns, const cache_entry& e) {
  for (const auto& r : e.records) {
    if (r.type != rtype::addr || r.owner != ns.name) continue;
    auto a = record::addr::decode(r.data);
    if (!a || a->port == 0 || a->port > 65535) continue;
    server_address s{a->address, static_cast<std::uint16_t>(a->port)};
    if (std::find(ns.addrs.begin(), ns.addrs.end(), s) == ns.addrs.end()) ns.addrs.push_back(s);
  }
}

}  // namespace

std::shared_ptr<const zone_keys> engine::impl::keys_from_cache(const name::identifier& zone,
                                                               std::span<const record::ds> ds,
                                                               time_ms now, time_ms& expires) {
  if (store == nullptr || ds.empty()) return nullptr;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  auto e = store->get(zone, rtype::key);
  if (!live(e, now_s) || e->kind != entry_kind::rrset || e->state != security::secure) {
    return nullptr;
  }
  // Checked against the DS again: one signature, and a cache entry is no more trusted than
  // the chain that leads to it.
  std::vector<record::rr> keys, sigs;
  for (const auto& r : e->records) {
    if (r.owner != zone) continue;
    if (r.type == rtype::key) keys.push_back(r);
    if (r.type == rtype::sig) sigs.push_back(r);
  }
  auto out = std::make_shared<zone_keys>();
  if (!validate_keys(zone, keys, sigs, ds, now_s, *out).is_secure()) return nullptr;
  expires = now + 1000ULL * std::max<std::uint32_t>(e->remaining(now_s), 1);
  trace("KEY {} secure from the cache ({} key(s))", zone.text(), out->keys.size());
  return out;
}

std::optional<zone_cut> engine::impl::cut_from_cache(const name::identifier& zone, bool validate,
                                                     time_ms now) {
  if (store == nullptr || zone.is_root()) return std::nullopt;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  auto ns = store->get(zone, rtype::ns);
  if (!live(ns, now_s) || ns->kind != entry_kind::rrset) return std::nullopt;
  zone_cut cut;
  cut.zone = zone;
  bool reachable = false;
  for (const auto& r : ns->records) {
    if (r.type != rtype::ns || r.owner != zone) continue;
    auto n = record::ns::decode(r.data);
    if (!n) continue;
    ns_entry e{n->server, {}, false, false};
    if (auto a = store->get(n->server, rtype::addr);
        live(a, now_s) && a->kind == entry_kind::rrset) {
      add_addresses(e, *a);
    }
    // A server name inside the zone without an address has no way in.
    reachable = reachable || !e.addrs.empty() || !e.name.is_part_of(zone);
    cut.servers.push_back(std::move(e));
  }
  if (!reachable) return std::nullopt;
  time_ms expires = now + 1000ULL * std::max<std::uint32_t>(ns->remaining(now_s), 1);
  if (validate) {
    auto ds = store->get(zone, rtype::ds);
    if (!live(ds, now_s) || ds->state != security::secure) return std::nullopt;
    if (ds->kind == entry_kind::nodata) {
      cut.sec = security::insecure;  // the signed parent proved the delegation unsigned
    } else if (ds->kind == entry_kind::rrset) {
      for (const auto& r : ds->records) {
        if (r.type != rtype::ds || r.owner != zone) continue;
        if (auto d = record::ds::decode(r.data)) cut.ds.push_back(std::move(*d));
      }
      if (cut.ds.empty()) return std::nullopt;
      cut.sec = security::secure;
      time_ms keys_expire = 0;
      cut.keys = keys_from_cache(zone, cut.ds, now, keys_expire);
      if (cut.keys) expires = std::min(expires, keys_expire);
    } else {
      return std::nullopt;
    }
  }
  trace("zone cut {} from the cache ({} servers), {}", zone.text(), cut.servers.size(),
        security_name(cut.sec));
  remember_cut(cut, expires, now);
  return cut;
}

// Keeps a cut for the tasks that follow; an unvalidated cut never replaces a live validated one.
void engine::impl::remember_cut(const zone_cut& cut, time_ms expires, time_ms now) {
  auto known = infra.find(cut.zone);
  if (known == infra.end() || known->second.expires <= now || cut.sec != security::indeterminate ||
      known->second.cut.sec == security::indeterminate) {
    infra[cut.zone] = infra_zone{cut, expires};
  }
}

}  // namespace cidns::resolve
