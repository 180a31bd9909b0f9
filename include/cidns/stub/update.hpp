// Dynamic UPDATE from applications (docs/PROTOCOL.md §13, docs/stub.md "Dynamic updates"):
// sign an UPDATE message with a shared key, send it to the zone's primary over TCP, check
// the reply's signature and say what the server did. Used by cidns-admin update and by
// agents that report live STATE (contrib/examples/state_agent.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::stub {

// What the server said of one UPDATE.
struct update_outcome {
  wire::rcode rcode = wire::rcode::noerror;  // NOERROR: applied (or nothing to change)
  std::optional<std::uint32_t> serial;       // the zone's SOA serial after it (signed replies)
  std::string error;                         // the ExtendedError text, if any
  bool authenticated = true;                 // false: an unsigned failure reply
};

// Sets a random id, signs `update` with `key` at the current time, sends it over TCP (the
// timeout bounds the whole exchange) and reads the reply. Error values: no connection, no
// reply in time, an unreadable reply or one that does not answer the request, and a reply
// that is not signed with `key` over the request's MAC, unless it is a failure: an unsigned
// failure (the server could not check the request) is returned with its rcode,
// authenticated false, no serial and " (unsigned reply)" appended to its error text
// ("unsigned reply" when it had none). Only a signed reply may say an update was applied.
result<update_outcome> send_update(const net::endpoint& server, wire::message update,
                                   const hmac::key& key, std::chrono::milliseconds timeout);

// An UPDATE of `zone` (question {zone, SOA}) that replaces the RRset (r.owner, r.type) with
// the one record `r`: a delete_rrset change, then an add change. No id and no auth yet.
wire::message replace_rrset(const name::identifier& zone, const record::rr& r);

}  // namespace cidns::stub
