// Blocking clients for one exchange over UDP or TCP (cidns-lookup, the load generator, tests):
// plain sockets with poll() deadlines, errors as values. The caller matches replies to
// queries (by message id); these only move bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "cidns/net/endpoint.hpp"
#include "cidns/util/result.hpp"

namespace cidns::net {

// Sends one datagram from a connected socket and returns the first datagram that comes back.
result<std::string> udp_exchange(const endpoint& server, std::span<const std::uint8_t> query,
                                 std::chrono::milliseconds timeout);

// A TCP connection speaking the 2-byte length framing; several queries may be in flight.
class tcp_client {
 public:
  static result<tcp_client> connect(const endpoint& server, std::chrono::milliseconds timeout);

  tcp_client(tcp_client&& other) noexcept;
  tcp_client& operator=(tcp_client&& other) noexcept;
  ~tcp_client();

  // Writes one framed message (at most 65535 bytes).
  result<void> send(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout);
  // Reads the next framed message; an error on timeout or when the server closes.
  result<std::string> receive(std::chrono::milliseconds timeout);
  // Writes raw bytes with no framing (tests of hostile input).
  result<void> send_raw(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);

  int native_handle() const { return m_fd; }

 private:
  explicit tcp_client(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

// connect + send + receive; the timeout bounds the whole exchange.
result<std::string> tcp_exchange(const endpoint& server, std::span<const std::uint8_t> query,
                                 std::chrono::milliseconds timeout);

}  // namespace cidns::net
