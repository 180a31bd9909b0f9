#include "cidns/net/client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "socket_util.hpp"

namespace cidns::net {

namespace {

using clock = std::chrono::steady_clock;
using detail::recv_all;
using detail::send_all;
using detail::sys_error;
using detail::wait_for;

// A socket connected to `server` (for UDP: just the default destination).
result<detail::unique_fd> connect_to(const endpoint& server, int type, clock::time_point deadline) {
  sockaddr_storage sa;
  const socklen_t len = detail::to_sockaddr(server, sa);
  detail::unique_fd fd(::socket(sa.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return sys_error("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), len) == 0) return fd;
  if (errno != EINPROGRESS) return sys_error(fmt::format("connect {}", server.to_string()), errno);
  auto w = wait_for(fd.get(), POLLOUT, deadline, fmt::format("connect {}", server.to_string()));
  if (!w) return std::move(w).err();
  int err = 0;
  socklen_t err_len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len);
  if (err != 0) return sys_error(fmt::format("connect {}", server.to_string()), err);
  return fd;
}

}  // namespace

result<std::string> udp_exchange(const endpoint& server, std::span<const std::uint8_t> query,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  auto fd = connect_to(server, SOCK_DGRAM, deadline);
  if (!fd) return std::move(fd).err();
  for (;;) {
    if (::send(fd->get(), query.data(), query.size(), 0) >= 0) break;
    if (errno != EINTR) return sys_error("send", errno);
  }
  std::string reply(65535, '\0');
  for (;;) {
    const ssize_t n = ::recv(fd->get(), reply.data(), reply.size(), MSG_DONTWAIT);
    if (n >= 0) {
      reply.resize(static_cast<std::size_t>(n));
      return reply;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return sys_error(fmt::format("receive from {}", server.to_string()), errno);
    auto w = wait_for(fd->get(), POLLIN, deadline, fmt::format("{}", server.to_string()));
    if (!w) return std::move(w).err();
  }
}

result<tcp_client> tcp_client::connect(const endpoint& server, std::chrono::milliseconds timeout) {
  auto fd = connect_to(server, SOCK_STREAM, clock::now() + timeout);
  if (!fd) return std::move(fd).err();
  return tcp_client(fd->release());
}

tcp_client::tcp_client(tcp_client&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

tcp_client& tcp_client::operator=(tcp_client&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

tcp_client::~tcp_client() {
  if (m_fd >= 0) ::close(m_fd);
}

result<void> tcp_client::send(std::span<const std::uint8_t> message,
                              std::chrono::milliseconds timeout) {
  if (message.size() > 65535)
    return make_error(fmt::format("message of {} bytes exceeds 65535", message.size()));
  const auto deadline = clock::now() + timeout;
  const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(message.size() >> 8),
                                  static_cast<std::uint8_t>(message.size() & 0xff)};
  auto r = send_all(m_fd, prefix, 2, deadline);
  if (!r) return r;
  return send_all(m_fd, message.data(), message.size(), deadline);
}

result<void> tcp_client::send_raw(std::span<const std::uint8_t> bytes,
                                  std::chrono::milliseconds timeout) {
  return send_all(m_fd, bytes.data(), bytes.size(), clock::now() + timeout);
}

result<std::string> tcp_client::receive(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::uint8_t prefix[2];
  auto r = recv_all(m_fd, prefix, 2, deadline);
  if (!r) return std::move(r).err();
  std::string body((std::size_t{prefix[0]} << 8) | prefix[1], '\0');
  r = recv_all(m_fd, reinterpret_cast<std::uint8_t*>(body.data()), body.size(), deadline);
  if (!r) return std::move(r).err();
  return body;
}

result<std::string> tcp_exchange(const endpoint& server, std::span<const std::uint8_t> query,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  auto client = tcp_client::connect(server, timeout);
  if (!client) return std::move(client).err();
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  };
  auto sent = client->send(query, left());
  if (!sent) return std::move(sent).err();
  return client->receive(left());
}

}  // namespace cidns::net
