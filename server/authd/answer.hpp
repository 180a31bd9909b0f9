// The answering steps of cidns-authd, as an authoritative DNS server takes them
// (Knot's nameserver/internet.c): find the zone, walk down for delegations,
// answer, follow CNAMEs, synthesise from wildcards, or deny with the SOA.
#pragma once

#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {

inline constexpr int max_cname_links = 8;

// Fills `rb` (already start()ed with the query's id and opcode) with the answer
// to `query`, a QUERY with a question. Sets rcode and the AA flag.
void answer_query(const zone_set& zones, const wire::message& query, wire::reply_builder& rb);

}  // namespace cidns::authd
