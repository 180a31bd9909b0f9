// The engine and the cache (engine_state.hpp): answering a client from cached data (the data,
// a CNAME chain to it, or a cached denial with its proof, TTLs = what remains; expired data
// only to serve stale), and storing what was learned with its trust rank.
#include <algorithm>
#include <iterator>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

constexpr std::uint32_t stale_ttl = 30;
constexpr std::uint32_t default_negative_ttl = 60;
constexpr std::uint32_t default_bogus_ttl = 60;  // the cache clamps it to its bogus_ttl

rank rank_for(security s, bool aa) {
  switch (s) {
    case security::secure:
      return rank::secure;
    case security::insecure:
      return rank::insecure;
    case security::bogus:
      return rank::bogus;
    case security::indeterminate:
      break;
  }
  return aa ? rank::auth : rank::nonauth;
}

// Whether `e` may answer a client: not glue; for a validating question, validated.
bool usable(const cache_entry& e, bool validate) {
  if (e.rank < rank::nonauth && e.rank != rank::bogus) return false;
  if (!validate) return e.state != security::bogus;
  return e.state == security::secure || e.state == security::insecure || e.state == security::bogus;
}

// Moves `in` (a decoded cache entry's records, ours to take) to the end of `out`, each TTL cut
// to `ttl`: no record is copied, and the first RRset becomes `out` itself.
void add_with_ttl(std::vector<record::rr>& out, std::vector<record::rr>&& in, std::uint32_t ttl) {
  for (auto& r : in) r.ttl = std::min(r.ttl, ttl);
  if (out.empty()) {
    out = std::move(in);
    return;
  }
  out.reserve(out.size() + in.size());
  std::move(in.begin(), in.end(), std::back_inserter(out));
}

}  // namespace

std::optional<outcome> engine::impl::from_cache(const wire::question& q, bool validate, time_ms now,
                                                bool stale) {
  if (store == nullptr) return std::nullopt;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  outcome o;
  o.state = validate ? security::secure : security::indeterminate;
  // The owner looked up: the question's name, then each CNAME target (kept in `target`).
  const name::identifier* at = &q.name;
  name::identifier target;
  auto fresh = [&](const std::optional<cache_entry>& e) {
    return e && (stale || !e->expired(now_s)) && usable(*e, validate);
  };
  auto ttl_of = [&](const cache_entry& e) { return stale ? stale_ttl : e.remaining(now_s); };
  for (unsigned links = 0; links <= options.max_cname_links; ++links) {
    auto nx = store->get(*at, rtype::none);
    auto e = store->get(*at, q.type);
    const bool negative = fresh(nx) && nx->kind == entry_kind::nxdomain;
    if (negative || fresh(e)) {
      cache_entry& hit = negative ? *nx : *e;
      if (hit.state == security::bogus) {
        return outcome::bogus(verdict::bogus(wire::error_code::dnssec_bogus, hit.reason));
      }
      if (validate) o.state = combine(o.state, hit.state);
      const std::uint32_t ttl = ttl_of(hit);
      add_with_ttl(o.answer, std::move(hit.records), ttl);
      add_with_ttl(o.authority, std::move(hit.proof), ttl);
      if (hit.kind == entry_kind::nxdomain) o.rcode = wire::rcode::nxdomain;
      o.aa = false;
      if (stale) {
        o.error = wire::extended_error{static_cast<std::uint32_t>(wire::error_code::stale_answer),
                                       "stale data: no reachable authority"};
      }
      return o;
    }
    auto cn = store->get(*at, rtype::cname);
    if (!fresh(cn) || cn->kind != entry_kind::rrset || q.type == rtype::cname) return std::nullopt;
    if (validate) o.state = combine(o.state, cn->state);
    std::optional<name::identifier> next;
    for (const auto& r : cn->records) {
      if (r.type != rtype::cname) continue;
      if (auto t = record::cname::decode(r.data)) next = t->target;
    }
    add_with_ttl(o.answer, std::move(cn->records), ttl_of(*cn));
    if (!next || *next == *at) return std::nullopt;
    target = std::move(*next);
    at = &target;
  }
  return std::nullopt;
}

void engine::impl::cache_answer(const wire::question& q, const std::vector<record::rr>& records,
                                security s, bool aa, time_ms now) {
  if (store == nullptr || records.empty()) return;
  cache_entry e;
  e.kind = entry_kind::rrset;
  e.rank = rank_for(s, aa);
  e.state = s;
  e.stored = static_cast<std::uint32_t>(now / 1000);
  e.ttl = min_ttl(records);
  e.records = records;
  store->put(q.name, q.type, e, e.stored);
}

void engine::impl::cache_negative(const wire::question& q, bool nxdomain,
                                  const wire::message& reply, security s, time_ms now) {
  if (store == nullptr) return;
  cache_entry e;
  e.kind = nxdomain ? entry_kind::nxdomain : entry_kind::nodata;
  e.rank = rank_for(s, reply.has_flag(wire::flag::aa));
  e.state = s;
  e.stored = static_cast<std::uint32_t>(now / 1000);
  e.ttl = default_negative_ttl;
  for (const auto& r : reply.authority) {
    if (r.type != rtype::soa) continue;
    auto soa = record::soa::decode(r.data);
    e.ttl = soa ? std::min(r.ttl, soa->negative_ttl) : r.ttl;
  }
  e.proof = reply.authority;
  store->put(q.name, nxdomain ? rtype::none : q.type, e, e.stored);
}

void engine::impl::cache_referral(const zone_cut& child, const wire::message& reply, time_ms now) {
  if (store == nullptr) return;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  auto put = [&](const name::identifier& owner, rtype type, std::vector<record::rr> records, rank r,
                 security s) {
    if (records.empty()) return;
    cache_entry e;
    e.rank = r;
    e.state = s;
    e.stored = now_s;
    e.ttl = min_ttl(records);
    e.records = std::move(records);
    store->put(owner, type, e, now_s);
  };
  put(child.zone, rtype::ns, rrset_at(reply.authority, child.zone, rtype::ns), rank::glue,
      security::indeterminate);
  for (const auto& ns : child.servers) {
    put(ns.name, rtype::addr, rrset_at(reply.additional, ns.name, rtype::addr), rank::glue,
        security::indeterminate);
  }
  if (child.sec == security::secure) {
    put(child.zone, rtype::ds, rrset_at(reply.authority, child.zone, rtype::ds), rank::secure,
        security::secure);
  }
}

void engine::impl::cache_keys(const name::identifier& zone, const std::vector<record::rr>& keys,
                              time_ms now) {
  if (store == nullptr || keys.empty()) return;
  cache_entry e;
  e.rank = rank::secure;
  e.state = security::secure;
  e.stored = static_cast<std::uint32_t>(now / 1000);
  e.ttl = min_ttl(keys);
  e.records = keys;
  store->put(zone, rtype::key, e, e.stored);
}

// The proven absence of a DS at a delegation (a cut read back from the cache is insecure):
// a NODATA for (child, DS) with the NSEC at the cut and its SIGs as the proof.
void engine::impl::cache_no_ds(const name::identifier& child, const wire::message& reply,
                               time_ms now) {
  if (store == nullptr) return;
  cache_entry e;
  e.kind = entry_kind::nodata;
  e.rank = rank::secure;
  e.state = security::secure;
  e.stored = static_cast<std::uint32_t>(now / 1000);
  e.proof = rrset_at(reply.authority, child, rtype::nsec);
  if (e.proof.empty()) return;
  e.ttl = min_ttl(e.proof);
  store->put(child, rtype::ds, e, e.stored);
}

// The validated NSEC RRsets of a secure denial, each as (owner, NSEC) with its SIGs (the cache
// indexes them by the zone of their signer for nsec_at_or_before), and the zone's SOA, so
// that later questions in the zone can be denied from them (engine_aggressive.cpp).
void engine::impl::cache_nsecs(const name::identifier& zone, const wire::message& reply,
                               std::uint32_t ttl, time_ms now) {
  if (store == nullptr) return;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  std::vector<std::pair<name::identifier, rtype>> done;
  for (const auto& r : reply.authority) {
    if ((r.type != rtype::nsec && r.type != rtype::soa) || !r.owner.is_part_of(zone)) continue;
    if (r.type == rtype::soa && r.owner != zone) continue;
    if (std::find(done.begin(), done.end(), std::make_pair(r.owner, r.type)) != done.end()) {
      continue;
    }
    done.emplace_back(r.owner, r.type);
    cache_entry e;
    e.rank = rank::secure;
    e.state = security::secure;
    e.stored = now_s;
    e.records = rrset_at(reply.authority, r.owner, r.type);
    e.ttl = r.type == rtype::nsec ? std::min(min_ttl(e.records), ttl) : min_ttl(e.records);
    store->put(r.owner, r.type, e, now_s);
  }
}

// A bogus answer, kept briefly (the cache clamps it to cache_limits::bogus_ttl) with its reason
// so that a burst of clients asking the same does not re-query upstream. Its rank is the lowest:
// it never replaces validated data, and a CD question ignores it.
void engine::impl::cache_bogus(const wire::question& q, const verdict& v, time_ms now) {
  if (store == nullptr || q.type == rtype::none) return;
  cache_entry e;
  e.kind = entry_kind::rrset;
  e.rank = rank::bogus;
  e.state = security::bogus;
  e.stored = static_cast<std::uint32_t>(now / 1000);
  e.ttl = default_bogus_ttl;
  e.reason = v.reason;
  store->put(q.name, q.type, e, e.stored);
}

void engine::impl::fail_bogus(task& t, const verdict& v, time_ms now) {
  if (t.parent == 0 && !t.discover && t.validating && v.is_bogus()) cache_bogus(t.q, v, now);
  finish(t.id, outcome::bogus(v), now);
}

}  // namespace cidns::resolve
