// Checking authenticated denial as a validator does (RFC 4035 §5.4 applied to
// cidns NSEC): does this set of NSEC records prove this NXDOMAIN, NODATA,
// wildcard answer, wildcard NODATA or missing DS? Signatures over the NSECs
// are checked separately (verify_rrset); this is the logic of the proof.
#pragma once

#include <span>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"

namespace cidns::dnssec {

struct nsec_record {
  name::identifier owner;
  record::nsec data;
};

// owner < name < next in canonical order; for the last NSEC of a zone, whose
// next name is the apex, every name after the owner (below the apex) is covered.
bool covers(const nsec_record& n, const name::identifier& name) noexcept;
bool lists(const record::nsec& n, record::rtype t) noexcept;

// The closest encloser the NSEC covering `qname` implies: the deepest
// ancestor of `qname` shared with the NSEC's owner or next name.
name::identifier closest_encloser(const nsec_record& covering, const name::identifier& qname);

// NXDOMAIN: an NSEC covers `qname`, and one covers "*." + its closest encloser.
result<void> prove_nxdomain(const name::identifier& qname, std::span<const nsec_record> nsecs);
// NODATA: the NSEC of `qname` lists neither `qtype` (for RESOURCE: DESC, STATE
// and EP) nor CNAME, and is not the parent side of a delegation unless qtype is
// DS; or `qname` is an empty non-terminal (an NSEC covers it and its next name
// lies below it).
result<void> prove_nodata(const name::identifier& qname, record::rtype qtype,
                          std::span<const nsec_record> nsecs);
// A wildcard answer (SIG labels fewer than the owner's): an NSEC covers
// `qname`, and the closest encloser it implies is the wildcard's parent.
result<void> prove_wildcard_answer(const name::identifier& qname,
                                   const name::identifier& wildcard_owner,
                                   std::span<const nsec_record> nsecs);
// Wildcard NODATA: an NSEC covers `qname`, and the NSEC of "*." + the closest
// encloser lists neither `qtype` nor CNAME.
result<void> prove_wildcard_nodata(const name::identifier& qname, record::rtype qtype,
                                   std::span<const nsec_record> nsecs);
// An unsigned delegation: the NSEC at `cut` lists NS but neither DS nor SOA.
result<void> prove_no_ds(const name::identifier& cut, std::span<const nsec_record> nsecs);

}  // namespace cidns::dnssec
