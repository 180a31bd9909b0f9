// The denial step of the validator (validator.hpp, validate_denial): the NSEC RRsets of a
// negative answer's authority section are checked against the zone's keys, then the proof
// itself is left to lib/dnssec's denial checks (RFC 4035 §5.4 applied to cidns NSEC).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cidns/dnssec/denial.hpp"
#include "cidns/resolve/validator.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;
using wire::error_code;

// "NXDOMAIN for c.example.", "NODATA for DESC b.example.", ...
std::string claim(denial_kind kind, const name::identifier& qname, rtype qtype) {
  switch (kind) {
    case denial_kind::nxdomain:
      return "NXDOMAIN for " + qname.text();
    case denial_kind::nodata:
      return fmt::format("NODATA for {} {}", record::type_name(qtype), qname.text());
    case denial_kind::wildcard_answer:
      return "the wildcard answer for " + qname.text();
    case denial_kind::wildcard_nodata:
      return fmt::format("wildcard NODATA for {} {}", record::type_name(qtype), qname.text());
    case denial_kind::no_ds:
      return "no DS at the delegation " + qname.text();
  }
  return qname.text();
}

result<void> prove(denial_kind kind, const name::identifier& qname, rtype qtype,
                   const name::identifier* wildcard_owner,
                   std::span<const dnssec::nsec_record> nsecs) {
  switch (kind) {
    case denial_kind::nxdomain:
      return dnssec::prove_nxdomain(qname, nsecs);
    case denial_kind::nodata:
      return dnssec::prove_nodata(qname, qtype, nsecs);
    case denial_kind::wildcard_answer:
      if (wildcard_owner == nullptr) return make_error("no wildcard owner given");
      return dnssec::prove_wildcard_answer(qname, *wildcard_owner, nsecs);
    case denial_kind::wildcard_nodata:
      return dnssec::prove_wildcard_nodata(qname, qtype, nsecs);
    case denial_kind::no_ds:
      return dnssec::prove_no_ds(qname, nsecs);
  }
  return make_error("unknown kind of denial");
}

// The NSEC RRsets of `authority` inside the zone, each as its records (in order of first
// appearance of the owner).
std::vector<std::vector<record::rr>> nsec_rrsets(const name::identifier& zone,
                                                 std::span<const record::rr> authority) {
  std::vector<std::vector<record::rr>> out;
  for (const auto& r : authority) {
    if (r.type != rtype::nsec || !r.owner.is_part_of(zone)) continue;
    std::vector<record::rr>* set = nullptr;
    for (auto& s : out) {
      if (s.front().owner == r.owner) set = &s;
    }
    if (set == nullptr) set = &out.emplace_back();
    set->push_back(r);
  }
  return out;
}

}  // namespace

verdict validate_denial(const zone_keys& keys, denial_kind kind, const name::identifier& qname,
                        record::rtype qtype, std::span<const record::rr> authority,
                        std::uint64_t now_s, const name::identifier* wildcard_owner) {
  std::vector<dnssec::nsec_record> nsecs;
  for (const auto& set : nsec_rrsets(keys.zone, authority)) {
    const name::identifier& owner = set.front().owner;
    std::optional<name::identifier> expanded;
    verdict v =
        validate_rrset(keys, set, sigs_for(authority, owner, rtype::nsec), now_s, &expanded);
    if (!v.is_secure()) return v;
    if (expanded) {
      // RFC 4035 §5.3.4: an NSEC from a wildcard expansion proves nothing.
      return verdict::bogus(error_code::dnssec_bogus,
                            fmt::format("NSEC of {} is signed as a wildcard expansion of {}",
                                        owner.text(), expanded->text()));
    }
    for (const auto& r : set) {
      auto n = record::nsec::decode(r.data);
      if (!n) {
        return verdict::bogus(
            error_code::dnssec_bogus,
            fmt::format("NSEC of {} does not decode: {}", owner.text(), n.err().message));
      }
      nsecs.push_back({owner, std::move(*n)});
    }
  }
  auto proof = prove(kind, qname, qtype, wildcard_owner, nsecs);
  if (!proof) {
    return verdict::bogus(
        error_code::nsec_missing,
        fmt::format("no NSEC proves {} ({})", claim(kind, qname, qtype), proof.err().message));
  }
  return verdict::secure();
}

}  // namespace cidns::resolve
