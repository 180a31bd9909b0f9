// Verifies a signed zone (cidns-admin zone verify): every authoritative RRset
// signed by a zone key within its validity window, the NSEC chain complete,
// ordered and matching the types present, the apex keys matching a trust
// anchor and delegations' DS matching the children's keys when given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/layout.hpp"

namespace cidns::dnssec {

// One thing wrong: the owner, the type concerned, and what is wrong.
struct problem {
  std::string name;
  std::string type;
  std::string message;
};

// A child zone's apex KEY data, for checking the parent's DS.
struct child_keys {
  name::identifier apex;
  std::vector<std::string> key_data;
};

struct verify_options {
  std::uint64_t now = 0;             // unix seconds the validity windows are checked at
  std::vector<record::rr> anchors;   // DS or KEY records of the apex (optional)
  std::vector<child_keys> children;  // optional
  unsigned jobs = 0;                 // threads; 0: one per core
};

// All problems, in canonical name order (zone-wide ones first).
std::vector<problem> verify_zone(const zone::contents& zone, const zone::layout& shape,
                                 const verify_options& options);

}  // namespace cidns::dnssec
