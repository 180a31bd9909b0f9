// Internal: what a reply_sink points at. The socket or connection a query came in on owns one
// and clears its pointer when it closes, so a sink that outlives it sends nothing.
#pragma once

namespace cidns::net::detail {

class udp_receiver;
class tcp_connection;

struct reply_route {
  udp_receiver* udp = nullptr;
  tcp_connection* tcp = nullptr;
};

}  // namespace cidns::net::detail
