// The secondary's side of a zone transfer (PROTOCOL §14): asks the primary over TCP for a
// zone, full or incremental, and reads the whole reply stream, each message authenticated
// (HMAC chained on the previous one) before the strict xfr::reader sees it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/xfr/reader.hpp"

namespace cidns::authd {

struct fetched {
  std::unique_ptr<xfr::reader> transfer;  // complete
  std::uint64_t bytes = 0, messages = 0;
};

// The XFR request for `zone`: incremental from `have` (the SOA the secondary serves) when
// given, else full. Unsigned, id 0: fetch_transfer sets both.
wire::message transfer_request(const name::identifier& zone, const std::optional<record::rr>& have);

// Asks `primary` for `zone` (incremental from `have` when given: the SOA the secondary
// serves) and reads the whole verified stream. `timeout` bounds the connection and each read;
// `total` the whole. `stop`, when given and set, ends the transfer between two messages.
// Errors name the primary and what went wrong (the rcode when the primary answered one).
result<fetched> fetch_transfer(const net::endpoint& primary, const name::identifier& zone,
                               const std::optional<record::rr>& have, const hmac::key& key,
                               std::chrono::milliseconds timeout, std::chrono::seconds total,
                               const std::atomic<bool>* stop = nullptr);

}  // namespace cidns::authd
