// Checks on an upstream reply before the engine believes any of it: the reply must match the
// query (QR set, id, question, source address), and records out of the bailiwick of the zone
// the server was asked as authoritative for are dropped. Then the reply is classified
// (answer, CNAME, referral, NXDOMAIN, NODATA, lame), Knot Resolver's iterator in small form.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::resolve {

// Whether `reply` answers the query (`id`, `q`): QR set and both equal.
bool reply_matches(const wire::message& reply, std::uint32_t id, const wire::question& q);

// Drops, from every section, the records whose owner is not at or below `zone`. Returns
// how many went.
std::size_t drop_out_of_bailiwick(wire::message& reply, const name::identifier& zone);

enum class reply_kind : std::uint8_t { answer, cname, referral, nxdomain, nodata, lame };

// The types that answer `qtype` at a name: RESOURCE is DESC, STATE and EP.
bool answers_type(record::rtype qtype, record::rtype have);

struct classified {
  reply_kind kind = reply_kind::lame;
  std::string why;  // for lame: what was wrong
  // answer: the data is at final_name, reached through the CNAME owners in `chain` (maybe
  // none); cname: the chain leaves the reply at final_name, the last target, to follow.
  std::vector<name::identifier> chain;
  name::identifier final_name;
  // referral: the delegated zone.
  name::identifier child;
};

// Classifies an accepted, bailiwick-filtered reply to `q` sent to a server of `zone`.
classified classify(const wire::message& reply, const wire::question& q,
                    const name::identifier& zone, unsigned max_links);

// The records of `section` at `owner` with type `type`, and the SIGs covering them.
std::vector<record::rr> rrset_at(std::span<const record::rr> section, const name::identifier& owner,
                                 record::rtype type);

}  // namespace cidns::resolve
