// Who sent a message to a server, and over which transport: what a handler gets with each
// query (the handler needs the transport to decide on truncation).
#pragma once

#include <cstdint>

#include <boost/asio/ip/address.hpp>

namespace cidns::net {

enum class transport : std::uint8_t { udp, tcp };

struct peer_info {
  boost::asio::ip::address address;
  std::uint16_t port = 0;
  transport proto = transport::udp;
};

}  // namespace cidns::net
