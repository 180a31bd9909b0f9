// Dynamic UPDATE against the zone in service (RFC 2136 §3, PROTOCOL §4): checks the
// prerequisites, checks every change against the zone's cuts, the server-managed types and
// the key's policy, then works out the changeset the changes make. Pure: reads the compiled
// zone, changes nothing; zone_manager applies the result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/record/changeset.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "update_policy.hpp"

namespace cidns::authd {

struct update_plan {
  wire::rcode rcode = wire::rcode::noerror;
  std::string why;  // when refused: which prerequisite or change, and why
  // What changes: empty when the update is a no-op (RFC 2136: the serial stays).
  record::changeset change;

  bool refused() const noexcept { return rcode != wire::rcode::noerror; }
  bool changes_something() const noexcept { return !change.added.empty(); }
};

// `m` is an UPDATE whose question names `z`'s apex; `key` the name of the key it was signed
// with. A changeset takes the zone from z.serial() to `new_serial`.
update_plan plan_update(const zone::compiled_zone& z, const wire::message& m, std::string_view key,
                        const update_policy& policy, std::uint32_t new_serial);

}  // namespace cidns::authd
