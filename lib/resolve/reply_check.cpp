// reply_check: matching, bailiwick and classification of upstream replies (reply_check.hpp).
#include "reply_check.hpp"

#include <algorithm>

#include "cidns/record/data.hpp"

namespace cidns::resolve {

using record::rtype;

bool reply_matches(const wire::message& reply, std::uint32_t id, const wire::question& q) {
  return reply.has_flag(wire::flag::qr) && reply.id == id && reply.question && *reply.question == q;
}

std::size_t drop_out_of_bailiwick(wire::message& reply, const name::identifier& zone) {
  std::size_t dropped = 0;
  for (auto* s : {&reply.answer, &reply.authority, &reply.additional}) {
    dropped += std::erase_if(*s, [&](const record::rr& r) { return !r.owner.is_part_of(zone); });
  }
  return dropped;
}

bool answers_type(rtype qtype, rtype have) {
  if (qtype == rtype::resource) {
    return have == rtype::desc || have == rtype::state || have == rtype::ep;
  }
  return have == qtype;
}

namespace {

bool has_at(std::span<const record::rr> s, const name::identifier& owner, rtype qtype) {
  return std::any_of(s.begin(), s.end(), [&](const record::rr& r) {
    return r.owner == owner && answers_type(qtype, r.type);
  });
}

const record::rr* cname_at(std::span<const record::rr> s, const name::identifier& owner) {
  for (const auto& r : s) {
    if (r.owner == owner && r.type == rtype::cname) return &r;
  }
  return nullptr;
}

// A referral: NS records in authority for a zone strictly below `zone` that contains qname.
std::optional<name::identifier> referral_child(const wire::message& reply, const wire::question& q,
                                               const name::identifier& zone) {
  for (const auto& r : reply.authority) {
    if (r.type != rtype::ns) continue;
    if (r.owner == zone || !r.owner.is_part_of(zone) || !q.name.is_part_of(r.owner)) continue;
    return r.owner;
  }
  return std::nullopt;
}

bool has_soa(const wire::message& reply, const name::identifier& zone) {
  return std::any_of(reply.authority.begin(), reply.authority.end(),
                     [&](const record::rr& r) { return r.type == rtype::soa && r.owner == zone; });
}

}  // namespace

std::vector<record::rr> rrset_at(std::span<const record::rr> section, const name::identifier& owner,
                                 rtype type) {
  std::vector<record::rr> out;
  for (const auto& r : section) {
    if (r.owner != owner) continue;
    if (r.type == type) {
      out.push_back(r);
    } else if (r.type == rtype::sig) {
      auto s = record::sig::decode(r.data);
      if (s && s->type_covered == type) out.push_back(r);
    }
  }
  return out;
}

classified classify(const wire::message& reply, const wire::question& q,
                    const name::identifier& zone, unsigned max_links) {
  classified c;
  if (reply.rcode != wire::rcode::noerror && reply.rcode != wire::rcode::nxdomain) {
    c.why = "rcode " + wire::rcode_name(reply.rcode);
    return c;
  }
  // Walk the CNAME chain in the answer from qname.
  name::identifier at = q.name;
  for (unsigned links = 0;; ++links) {
    if (has_at(reply.answer, at, q.type)) {
      c.kind = reply_kind::answer;
      c.final_name = at;
      return c;
    }
    const record::rr* cn = q.type == rtype::cname ? nullptr : cname_at(reply.answer, at);
    if (cn == nullptr || links > max_links) break;
    auto t = record::cname::decode(cn->data);
    if (!t) break;
    c.chain.push_back(at);
    at = t->target;
    if (std::find(c.chain.begin(), c.chain.end(), at) != c.chain.end()) break;  // a loop
  }
  if (!c.chain.empty()) {
    // The chain leaves the data here: follow its last target.
    c.kind = reply_kind::cname;
    c.final_name = at;
    return c;
  }
  if (reply.rcode == wire::rcode::nxdomain) {
    c.kind = reply_kind::nxdomain;
    return c;
  }
  if (auto child = referral_child(reply, q, zone); child && !reply.has_flag(wire::flag::aa)) {
    c.kind = reply_kind::referral;
    c.child = *child;
    return c;
  }
  if (reply.has_flag(wire::flag::aa) && reply.answer.empty() && has_soa(reply, zone)) {
    c.kind = reply_kind::nodata;
    return c;
  }
  if (reply.has_flag(wire::flag::aa) && reply.answer.empty()) {
    c.kind = reply_kind::nodata;  // no SOA: still a NODATA, the TTL falls back to a default
    return c;
  }
  c.why = reply.has_flag(wire::flag::aa) ? "answer without the asked data"
                                         : "not authoritative and not a referral";
  return c;
}

}  // namespace cidns::resolve
