// Aggressive use of cached NSEC (DESIGN §6, RFC 8198 analogue; engine_state.hpp): before a
// task asks a signed zone, the validated NSEC records of that zone in the cache may already
// prove the answer: an NSEC covering the name and one covering the wildcard at its closest
// encloser (NXDOMAIN), or the name's own NSEC without the type (NODATA). The denial is then
// synthesised, secure, with no upstream query.
#include <algorithm>

#include "cidns/dnssec/denial.hpp"
#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

// A cached NSEC usable for a proof: validated, unexpired, decodable, signed by `zone`.
struct cached_nsec {
  dnssec::nsec_record rec;
  std::vector<record::rr> records;  // the NSEC and its SIGs, as cached
  std::uint32_t remaining = 0;
};

std::optional<cached_nsec> nsec_for(cache& store, const name::identifier& zone,
                                    const name::identifier& name, std::uint32_t now_s) {
  auto e = store.nsec_at_or_before(zone, name);
  if (!e || e->expired(now_s) || e->state != security::secure || e->rank != rank::secure) {
    return std::nullopt;
  }
  std::optional<cached_nsec> out;
  bool signed_by_zone = false;
  for (const auto& r : e->records) {
    if (r.type == rtype::sig) {
      auto s = record::sig::decode(r.data);
      signed_by_zone = signed_by_zone || (s && s->type_covered == rtype::nsec && s->signer == zone);
      continue;
    }
    if (r.type != rtype::nsec || !r.owner.is_part_of(zone)) continue;
    auto n = record::nsec::decode(r.data);
    if (!n) return std::nullopt;
    if (out) return std::nullopt;  // one NSEC per owner
    out = cached_nsec{{r.owner, std::move(*n)}, {}, e->remaining(now_s)};
  }
  if (!out || !signed_by_zone) return std::nullopt;
  out->records = std::move(e->records);
  return out;
}

// An NSEC at a delegation (NS without SOA) says nothing about names below it: the child zone
// holds them (RFC 4035 §5.4, RFC 6840 §4.1).
bool delegation_above(const dnssec::nsec_record& n, const name::identifier& qname) {
  return qname != n.owner && qname.is_part_of(n.owner) && dnssec::lists(n.data, rtype::ns) &&
         !dnssec::lists(n.data, rtype::soa);
}

void add_with_ttl(std::vector<record::rr>& out, const std::vector<record::rr>& in,
                  std::uint32_t ttl) {
  for (auto r : in) {
    r.ttl = std::min(r.ttl, ttl);
    out.push_back(std::move(r));
  }
}

}  // namespace

bool engine::impl::synthesise(task& t, time_ms now) {
  if (store == nullptr || !t.validating || t.cut.sec != security::secure ||
      !t.q.name.is_part_of(t.cut.zone) || !t.find_cuts.empty()) {
    return false;
  }
  // The DS of a zone lives in its parent: the zone's own NSEC at its apex cannot deny it.
  if (t.q.type == rtype::ds && t.q.name == t.cut.zone) return false;
  const auto now_s = static_cast<std::uint32_t>(now / 1000);
  const name::identifier& zone = t.cut.zone;
  auto first = nsec_for(*store, zone, t.q.name, now_s);
  if (!first || delegation_above(first->rec, t.q.name)) return false;
  std::vector<cached_nsec> used{*first};
  std::vector<dnssec::nsec_record> recs{first->rec};
  bool nxdomain = false;
  if (first->rec.owner == t.q.name ||
      (dnssec::covers(first->rec, t.q.name) && first->rec.data.next.is_part_of(t.q.name))) {
    // The name's own NSEC, or an empty non-terminal.
    if (!dnssec::prove_nodata(t.q.name, t.q.type, recs)) return false;
  } else {
    if (!dnssec::covers(first->rec, t.q.name)) return false;
    auto wildcard = dnssec::closest_encloser(first->rec, t.q.name).wildcard_child();
    if (!wildcard) return false;
    if (!dnssec::covers(first->rec, *wildcard)) {
      auto second = nsec_for(*store, zone, *wildcard, now_s);
      if (!second || delegation_above(second->rec, *wildcard)) return false;
      recs.push_back(second->rec);
      used.push_back(std::move(*second));
    }
    if (!dnssec::prove_nxdomain(t.q.name, recs)) return false;
    nxdomain = true;
  }
  std::uint32_t ttl = used.front().remaining;
  for (const auto& u : used) ttl = std::min(ttl, u.remaining);
  outcome o;
  o.rcode = nxdomain ? wire::rcode::nxdomain : wire::rcode::noerror;
  if (auto soa = store->get(zone, rtype::soa);
      soa && !soa->expired(now_s) && soa->state == security::secure) {
    ttl = std::min(ttl, soa->remaining(now_s));
    add_with_ttl(o.authority, soa->records, ttl);
  }
  for (const auto& u : used) add_with_ttl(o.authority, u.records, ttl);
  o.answer = std::move(t.chain);
  o.state = combine(t.chain_state, security::secure);
  trace("{} {} {} secure from cached NSEC of {}", nxdomain ? "NXDOMAIN" : "NODATA", t.q.name.text(),
        record::type_name(t.q.type), zone.text());
  finish(t.id, std::move(o), now);
  return true;
}

}  // namespace cidns::resolve
