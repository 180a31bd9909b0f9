// Internal: conversions between cidns endpoints and Asio/POSIX addresses, socket options.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "cidns/net/endpoint.hpp"
#include "cidns/net/server.hpp"
#include "cidns/util/result.hpp"

namespace cidns::net::detail {

inline boost::asio::ip::udp::endpoint to_udp(const endpoint& ep) { return {ep.address, ep.port}; }
inline boost::asio::ip::tcp::endpoint to_tcp(const endpoint& ep) { return {ep.address, ep.port}; }

template <typename AsioEndpoint>
endpoint from_asio(const AsioEndpoint& ep) {
  return endpoint{ep.address(), ep.port()};
}

// Fills address and port from a kernel sockaddr (as recvmmsg returns it); no allocation.
void peer_from_sockaddr(const sockaddr_storage& sa, peer_info& out);

// Fills a sockaddr for the POSIX clients; returns its length.
socklen_t to_sockaddr(const endpoint& ep, sockaddr_storage& out);

// SO_REUSEPORT so every thread binds its own socket to the same address. Throws.
void set_reuse_port(int fd);

// Blocking-style helpers over non-blocking POSIX sockets, bounded by a deadline.
error sys_error(std::string_view what, int err);
result<void> wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline,
                      std::string_view what);
result<void> send_all(int fd, const std::uint8_t* data, std::size_t size,
                      std::chrono::steady_clock::time_point deadline);
result<void> recv_all(int fd, std::uint8_t* data, std::size_t size,
                      std::chrono::steady_clock::time_point deadline);

// For accept loops that hit EMFILE, ENFILE, ENOBUFS...: the pause before the next accept (so
// the loop does not spin on the error), and a warning naming `what` at most once per
// `log_every` (with how many failures since the last one).
class accept_backoff {
 public:
  explicit accept_backoff(std::string what,
                          std::chrono::milliseconds pause = std::chrono::milliseconds(50),
                          std::chrono::seconds log_every = std::chrono::seconds(10));
  std::chrono::milliseconds failed(const boost::system::error_code& ec);
  std::uint64_t failures() const { return m_failures; }

 private:
  std::string m_what;
  std::chrono::milliseconds m_pause;
  std::chrono::seconds m_log_every;
  std::chrono::steady_clock::time_point m_last_log{};
  std::uint64_t m_failures = 0;
  std::uint64_t m_unlogged = 0;
};

// Closes a POSIX descriptor on scope exit (clients, control).
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : m_fd(fd) {}
  unique_fd(unique_fd&& o) noexcept : m_fd(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept;
  ~unique_fd();
  int get() const { return m_fd; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd = -1;
};

}  // namespace cidns::net::detail
