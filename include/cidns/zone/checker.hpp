// Semantic checks of a zone (Knot's semantic-checks step): what a syntactically
// valid zonefile can still get wrong.
#pragma once

#include <cstddef>
#include <vector>

#include "cidns/zone/contents.hpp"
#include "cidns/zone/diagnostic.hpp"
#include "cidns/zone/layout.hpp"

namespace cidns::zone {

struct check_options {
  // Run record::validate_data on every record (the reader's parse_data already
  // validates what it parses; this also covers contents built by other means).
  bool validate_data = true;
};

struct check_summary {
  std::size_t errors = 0;
  std::size_t warnings = 0;
};

// Sorts `zone` canonically if it is not yet, then checks it and appends its
// problems to `out` in file order (zone-wide problems first). Errors: no SOA,
// more than one, SOA not at the apex; no NS at the apex; records outside the
// zone; CNAME beside other data or more than one CNAME; in-zone server names
// of a delegation or of the apex without ADDR; duplicate records; RRsets with
// differing TTLs; invalid data (a second SOA or CNAME, and a CNAME beside
// other data, cite the other record's line). Warnings (likely mistakes in a
// zone that is still served): data occluded by a delegation or beside one; a
// name (owner, or SOA/NS/CNAME/EP name) that ends in the origin twice (a
// forgotten trailing dot); a CNAME target or EP host inside the zone that
// neither exists, nor is covered by a wildcard, nor lies at or below a
// delegation (EP hosts only in zones other than the root); a DESC price
// without a currency or without price.unit, or price.currency without price.
check_summary check(contents& zone, std::vector<diagnostic>& out,
                    const check_options& options = {});
// The same on a zone already adjusted (zone::adjust) into `shape`.
check_summary check(contents& zone, const layout& shape, std::vector<diagnostic>& out,
                    const check_options& options = {});

}  // namespace cidns::zone
