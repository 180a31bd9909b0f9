// Addresses as operators write them: ADDR[:PORT], [IPV6]:PORT or a bare IPv6 address.
// No host names: a listen or server address is always a literal IP address.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "cidns/util/result.hpp"

namespace cidns::net {

// Servers and resolvers all use this port; they differ by address (DESIGN.md §5).
inline constexpr std::uint16_t default_port = 5380;

// An IP address and a port, for UDP and TCP alike.
struct endpoint {
  boost::asio::ip::address address;
  std::uint16_t port = default_port;

  // "127.0.0.1:5380", "[::1]:5380".
  std::string to_string() const;

  friend bool operator==(const endpoint&, const endpoint&) = default;
};

// Parses "127.0.0.1", "127.0.0.1:53", "[::1]:53", "[::1]" and "::1" (a bare IPv6 address
// has no port). Errors read "TEXT: reason", e.g. "127.0.0.300: invalid IPv4 address".
result<endpoint> parse_endpoint(std::string_view text, std::uint16_t port_if_absent = default_port);

// The same with the port required, for an address that must not fall back on the query port
// (a metrics endpoint): "127.0.0.1" is "127.0.0.1: a port is required (ADDR:PORT)".
result<endpoint> parse_endpoint_with_port(std::string_view text);

}  // namespace cidns::net
