// The address a query came from, as plain bytes: what server cookies hash and
// what response-rate limiting groups by prefix. IPv4-mapped IPv6 addresses
// (a dual-stack socket) count as the IPv4 address they carry.
//
// No Asio here: from() takes any address type with Asio's interface (is_v4(),
// to_v4().to_bytes(), to_v6().to_bytes()), so the daemons convert what their
// transport hands them and this module stays free of the network library.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace cidns::serve {

struct client_address {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t size = 0;  // 4 or 16; 0 for no address

  bool is_v4() const noexcept { return size == 4; }
  std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
  // "192.0.2.1", "2001:db8::1"; "-" for no address (for logs).
  std::string text() const {
    if (size != 4 && size != 16) return "-";
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(size == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
  }

  static client_address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                           std::uint8_t d) noexcept {
    client_address out;
    out.bytes[0] = a;
    out.bytes[1] = b;
    out.bytes[2] = c;
    out.bytes[3] = d;
    out.size = 4;
    return out;
  }
  static client_address v6(const std::array<std::uint8_t, 16>& b) noexcept {
    client_address out;
    out.bytes = b;
    out.size = 16;
    return out;
  }
  // From boost::asio::ip::address (or anything shaped like it).
  template <typename Address>
  static client_address from(const Address& a) noexcept {
    if (a.is_v4()) {
      const auto b = a.to_v4().to_bytes();
      return v4(b[0], b[1], b[2], b[3]);
    }
    const auto v6a = a.to_v6();
    if (v6a.is_v4_mapped()) {
      const auto b = v6a.to_bytes();
      return v4(b[12], b[13], b[14], b[15]);
    }
    return v6(v6a.to_bytes());
  }
};

}  // namespace cidns::serve
