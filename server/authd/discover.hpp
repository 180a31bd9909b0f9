// Authoritative DISCOVER (DESIGN §7): the selector evaluated over the zone's resources under
// the scope with the zone's index, the matching resources' DESC, STATE and EP RRsets in the
// answer (SIGs with DO), ordered and cut to the selector's limit, and the delegations to
// child zones under the scope in authority (NS, DS or its NSEC with DO) with glue.
#pragma once

#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {

// Fills `rb` (start()ed with the query's id and opcode) with the answer to `query`, a
// DISCOVER with a question (the scope). Sets rcode and AA: FORMERR with the selector's error
// when it does not parse, REFUSED outside our zones, a referral when the scope is at or
// below a delegation.
void answer_discover(const zone_set& zones, const wire::message& query, wire::reply_builder& rb);

}  // namespace cidns::authd
