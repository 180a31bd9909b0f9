#include "socket_util.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "cidns/util/log.hpp"

namespace cidns::net::detail {

using clock = std::chrono::steady_clock;

error sys_error(std::string_view what, int err) {
  return make_error(fmt::format("{}: {}", what, std::strerror(err)));
}

static int remaining_ms(clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until fd is ready for `events`; an error value on timeout.
result<void> wait_for(int fd, short events, clock::time_point deadline, std::string_view what) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r > 0) return {};
    if (r == 0) return make_error(fmt::format("{}: timed out", what));
    if (errno != EINTR) return sys_error(what, errno);
  }
}

result<void> send_all(int fd, const std::uint8_t* data, std::size_t size,
                      clock::time_point deadline) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto w = wait_for(fd, POLLOUT, deadline, "send");
      if (!w) return w;
      continue;
    }
    return sys_error("send", errno);
  }
  return {};
}

result<void> recv_all(int fd, std::uint8_t* data, std::size_t size, clock::time_point deadline) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return make_error("receive: connection closed by server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto w = wait_for(fd, POLLIN, deadline, "receive");
      if (!w) return w;
      continue;
    }
    return sys_error("receive", errno);
  }
  return {};
}

void peer_from_sockaddr(const sockaddr_storage& sa, peer_info& out) {
  if (sa.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &sa, sizeof in);
    out.address = boost::asio::ip::address_v4(ntohl(in.sin_addr.s_addr));
    out.port = ntohs(in.sin_port);
  } else if (sa.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &sa, sizeof in6);
    boost::asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), in6.sin6_addr.s6_addr, bytes.size());
    out.address = boost::asio::ip::address_v6(bytes, in6.sin6_scope_id);
    out.port = ntohs(in6.sin6_port);
  } else {
    out.address = boost::asio::ip::address();
    out.port = 0;
  }
}

socklen_t to_sockaddr(const endpoint& ep, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (ep.address.is_v4()) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(ep.port);
    in.sin_addr.s_addr = htonl(ep.address.to_v4().to_uint());
    std::memcpy(&out, &in, sizeof in);
    return sizeof in;
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(ep.port);
  const auto v6 = ep.address.to_v6();
  const auto bytes = v6.to_bytes();
  std::memcpy(in6.sin6_addr.s6_addr, bytes.data(), bytes.size());
  in6.sin6_scope_id = static_cast<std::uint32_t>(v6.scope_id());
  std::memcpy(&out, &in6, sizeof in6);
  return sizeof in6;
}

void set_reuse_port(int fd) {
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    throw std::system_error(errno, std::generic_category(), "setsockopt(SO_REUSEPORT)");
}

accept_backoff::accept_backoff(std::string what, std::chrono::milliseconds pause,
                               std::chrono::seconds log_every)
    : m_what(std::move(what)), m_pause(pause), m_log_every(log_every) {}

std::chrono::milliseconds accept_backoff::failed(const boost::system::error_code& ec) {
  ++m_failures;
  ++m_unlogged;
  const auto now = clock::now();
  if (m_last_log == clock::time_point{} || now - m_last_log >= m_log_every) {
    log::warning("{}: accept failed: {} ({} time(s) since the last warning); retrying every {} ms",
                 m_what, ec.message(), m_unlogged, m_pause.count());
    m_last_log = now;
    m_unlogged = 0;
  }
  return m_pause;
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
  if (this != &o) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = o.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace cidns::net::detail

namespace cidns::net {

std::uint64_t raise_fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(rl.rlim_cur);
}

}  // namespace cidns::net
