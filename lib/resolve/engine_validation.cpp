// The chain of trust, one link at a time (engine_state.hpp), over the validator's steps
// (validator.hpp): a zone's KEY RRset against its trusted DS, the DS (or its proven absence)
// in a referral, an RRset of an answer (with the proof of a wildcard expansion), a denial.
#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

void split(std::span<const record::rr> records, std::vector<record::rr>& data,
           std::vector<record::rr>& sigs) {
  for (const auto& r : records) (r.type == rtype::sig ? sigs : data).push_back(r);
}

}  // namespace

verdict check_keys(const zone_cut& cut, std::span<const record::rr> answer, std::uint64_t now_s,
                   zone_keys& out) {
  std::vector<record::rr> keys, sigs;
  for (const auto& r : answer) {
    if (r.owner != cut.zone) continue;
    if (r.type == rtype::key) keys.push_back(r);
    if (r.type == rtype::sig) {
      auto s = record::sig::decode(r.data);
      if (s && s->type_covered == rtype::key) sigs.push_back(r);
    }
  }
  if (keys.empty()) {
    return verdict::bogus(wire::error_code::key_missing, "no KEY at " + cut.zone.text());
  }
  return validate_keys(cut.zone, keys, sigs, cut.ds, now_s, out);
}

verdict check_ds(const zone_keys& parent, const name::identifier& child,
                 std::span<const record::rr> authority, std::uint64_t now_s,
                 std::vector<record::ds>& out) {
  std::vector<record::rr> data, sigs;
  split(rrset_at(authority, child, rtype::ds), data, sigs);
  if (data.empty()) {
    auto v = validate_denial(parent, denial_kind::no_ds, child, rtype::ds, authority, now_s);
    if (!v.is_secure()) return v;
    return verdict::insecure("no DS for " + child.text());
  }
  auto v = validate_rrset(parent, data, sigs, now_s);
  if (!v.is_secure()) return v;
  for (const auto& r : data) {
    if (auto ds = record::ds::decode(r.data)) out.push_back(std::move(*ds));
  }
  return v;
}

verdict check_rrset(const zone_keys& keys, std::span<const record::rr> rrset_and_sigs,
                    std::span<const record::rr> authority, std::uint64_t now_s) {
  std::vector<record::rr> data, sigs;
  split(rrset_and_sigs, data, sigs);
  if (data.empty()) return verdict::secure();
  // Only the SIG that verified says whether the RRset is a wildcard expansion: another SIG
  // with fewer labels (injected, or left over) must not force a wildcard proof.
  std::optional<name::identifier> expanded;
  auto v = validate_rrset(keys, data, sigs, now_s, &expanded);
  if (!v.is_secure()) return v;
  if (expanded) {
    return validate_denial(keys, denial_kind::wildcard_answer, data.front().owner,
                           data.front().type, authority, now_s, &*expanded);
  }
  return v;
}

std::optional<name::identifier> deeper_signer(std::span<const record::rr> records,
                                              const name::identifier& cut_zone) {
  std::optional<name::identifier> out;
  for (const auto& r : records) {
    if (r.type != rtype::sig) continue;
    auto s = record::sig::decode(r.data);
    if (!s) continue;
    if (s->signer == cut_zone) return std::nullopt;  // signed by the cut: validated as usual
    if (!out && s->signer.is_part_of(cut_zone) && r.owner.is_part_of(s->signer)) out = s->signer;
  }
  return out;
}

verdict check_denial(const zone_keys& keys, bool nxdomain, const wire::question& q,
                     std::span<const record::rr> authority, std::uint64_t now_s) {
  // The SOA that gives the negative TTL is signed data like any other.
  for (const auto& r : authority) {
    if (r.type != rtype::soa) continue;
    auto v = check_rrset(keys, rrset_at(authority, r.owner, rtype::soa), {}, now_s);
    if (!v.is_secure()) return v;
    break;
  }
  if (nxdomain)
    return validate_denial(keys, denial_kind::nxdomain, q.name, q.type, authority, now_s);
  auto v = validate_denial(keys, denial_kind::nodata, q.name, q.type, authority, now_s);
  if (v.is_secure()) return v;
  auto w = validate_denial(keys, denial_kind::wildcard_nodata, q.name, q.type, authority, now_s);
  return w.is_secure() ? w : v;
}

}  // namespace cidns::resolve
