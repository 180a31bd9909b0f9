// Denial-of-existence proofs as a validator checks them (denial.hpp).
#include "cidns/dnssec/denial.hpp"

#include <algorithm>

namespace cidns::dnssec {
namespace {

using record::rtype;

const nsec_record* matching(const name::identifier& name, std::span<const nsec_record> nsecs) {
  for (const auto& n : nsecs) {
    if (n.owner == name) return &n;
  }
  return nullptr;
}

const nsec_record* covering(const name::identifier& name, std::span<const nsec_record> nsecs) {
  for (const auto& n : nsecs) {
    if (covers(n, name)) return &n;
  }
  return nullptr;
}

// The deepest common ancestor of two names.
name::identifier common_ancestor(const name::identifier& a, const name::identifier& b) {
  name::identifier x = a;
  while (!b.is_part_of(x)) x = x.parent();
  return x;
}

bool denies_type(const record::nsec& n, rtype qtype) {
  if (lists(n, rtype::cname)) return false;
  if (qtype == rtype::resource) {
    return !lists(n, rtype::desc) && !lists(n, rtype::state) && !lists(n, rtype::ep);
  }
  return !lists(n, qtype);
}

result<void> deny_exact(const nsec_record& n, rtype qtype) {
  if (!denies_type(n.data, qtype)) {
    return make_error("the NSEC of " + n.owner.text() + " lists the type or a CNAME");
  }
  if (qtype != rtype::ds && lists(n.data, rtype::ns) && !lists(n.data, rtype::soa)) {
    return make_error("the NSEC of " + n.owner.text() +
                      " is the parent side of a delegation: it cannot deny other types");
  }
  return {};
}

}  // namespace

bool lists(const record::nsec& n, rtype t) noexcept {
  return std::binary_search(n.types.begin(), n.types.end(), t);
}

bool covers(const nsec_record& n, const name::identifier& name) noexcept {
  if (name::canonical_compare(n.owner, name) >= 0) return false;
  const bool last = name::canonical_compare(n.data.next, n.owner) <= 0;
  if (last) return name.is_part_of(n.data.next);
  return name::canonical_compare(name, n.data.next) < 0;
}

name::identifier closest_encloser(const nsec_record& covering, const name::identifier& qname) {
  name::identifier a = common_ancestor(qname, covering.owner);
  name::identifier b = common_ancestor(qname, covering.data.next);
  return a.label_count() >= b.label_count() ? a : b;
}

result<void> prove_nxdomain(const name::identifier& qname, std::span<const nsec_record> nsecs) {
  const nsec_record* n = covering(qname, nsecs);
  if (n == nullptr) return make_error("no NSEC covers " + qname.text());
  auto ce = closest_encloser(*n, qname);
  auto wildcard = ce.wildcard_child();
  if (!wildcard) return make_error("no wildcard name below " + ce.text());
  if (covering(*wildcard, nsecs) == nullptr) {
    return make_error("no NSEC covers the wildcard " + wildcard->text());
  }
  return {};
}

result<void> prove_nodata(const name::identifier& qname, rtype qtype,
                          std::span<const nsec_record> nsecs) {
  if (const nsec_record* n = matching(qname, nsecs)) return deny_exact(*n, qtype);
  const nsec_record* c = covering(qname, nsecs);
  if (c != nullptr && c->data.next.is_part_of(qname) && c->data.next != qname) return {};
  return make_error("no NSEC of " + qname.text() + " and none proving an empty non-terminal");
}

result<void> prove_wildcard_answer(const name::identifier& qname,
                                   const name::identifier& wildcard_owner,
                                   std::span<const nsec_record> nsecs) {
  const nsec_record* n = covering(qname, nsecs);
  if (n == nullptr) return make_error("no NSEC covers " + qname.text());
  auto ce = closest_encloser(*n, qname);
  if (!wildcard_owner.is_wildcard() || wildcard_owner.parent() != ce) {
    return make_error("the wildcard " + wildcard_owner.text() + " is not at the closest encloser " +
                      ce.text());
  }
  return {};
}

result<void> prove_wildcard_nodata(const name::identifier& qname, rtype qtype,
                                   std::span<const nsec_record> nsecs) {
  const nsec_record* n = covering(qname, nsecs);
  if (n == nullptr) return make_error("no NSEC covers " + qname.text());
  auto wildcard = closest_encloser(*n, qname).wildcard_child();
  if (!wildcard) return make_error("no wildcard name below the closest encloser");
  const nsec_record* w = matching(*wildcard, nsecs);
  if (w == nullptr) return make_error("no NSEC of the wildcard " + wildcard->text());
  return deny_exact(*w, qtype);
}

result<void> prove_no_ds(const name::identifier& cut, std::span<const nsec_record> nsecs) {
  const nsec_record* n = matching(cut, nsecs);
  if (n == nullptr) return make_error("no NSEC at the delegation " + cut.text());
  if (!lists(n->data, rtype::ns)) return make_error("the NSEC at " + cut.text() + " lists no NS");
  if (lists(n->data, rtype::ds)) return make_error("the NSEC at " + cut.text() + " lists DS");
  if (lists(n->data, rtype::soa)) {
    return make_error("the NSEC at " + cut.text() + " is a zone apex, not a delegation");
  }
  return {};
}

}  // namespace cidns::dnssec
