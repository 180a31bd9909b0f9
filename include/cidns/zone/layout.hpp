// The adjust step of the zone pipeline (Knot's zone-adjust): every name of a
// canonically sorted zone, with the empty non-terminals between them, and what
// each name is to the zone (apex, authoritative, delegation point, below a
// delegation). Computed once per load and shared by the checker, the signer,
// the verifier and the compiler, so no two of them disagree on a cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/zone/contents.hpp"

namespace cidns::zone {

enum class name_role : std::uint8_t {
  apex,
  authoritative,     // in the zone, above or beside every delegation
  delegation,        // NS below the apex: only NS and DS (and NSEC, SIG) are the zone's data
  below_delegation,  // strictly below a delegation: glue (ADDR) or occluded data
  outside,           // not part of the zone (the checker reports it)
};

struct name_entry {
  name::identifier name;
  record_range records;  // in contents::records; empty for an empty non-terminal
  name_role role = name_role::authoritative;

  bool empty_non_terminal() const noexcept { return records.size() == 0; }
  // Whether the zone is authoritative for RRsets of type `t` here (what a
  // signer signs): everything at the apex and at authoritative names; only DS
  // and NSEC at a delegation; nothing below one.
  bool authoritative_for(record::rtype t) const noexcept {
    switch (role) {
      case name_role::apex:
      case name_role::authoritative:
        return true;
      case name_role::delegation:
        return t == record::rtype::ds || t == record::rtype::nsec;
      default:
        return false;
    }
  }
  // Where NSEC records belong: names with data the zone is authoritative for,
  // and delegation points (RFC 4035 §2.3).
  bool in_nsec_chain() const noexcept {
    return !empty_non_terminal() && (role == name_role::apex || role == name_role::authoritative ||
                                     role == name_role::delegation);
  }
};

struct layout {
  std::vector<name_entry> names;  // canonical order
  std::size_t delegations = 0;
  std::size_t empty_non_terminals = 0;

  // The zone's names: the apex and every name below it, empty non-terminals
  // included (names outside the zone are not counted). This is what
  // compiled_zone::name_count() reports for the compiled zone, so `cidns-admin
  // zone check` and cidns-authd's load message give the same number.
  std::size_t name_count() const noexcept;
};

// Sorts `zone` if it is not sorted yet, then computes its layout. Names outside
// the origin are kept (role outside) so that the checker can report them.
layout adjust(contents& zone);

// True when the records at this entry include the type `t`.
bool has_type(const contents& zone, const name_entry& e, record::rtype t) noexcept;

}  // namespace cidns::zone
