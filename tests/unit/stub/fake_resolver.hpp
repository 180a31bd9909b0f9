// A tiny in-process resolver for the stub tests: UDP and TCP on one 127.0.0.1 port, each
// query answered by a test-supplied function with canned messages (several replies, spoofed
// ones first, or none), plus a UDP socket that never answers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cidns/net/endpoint.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::stub::testing {

// Binds a socket of `type` to 127.0.0.1:port (0: any); returns the fd, -1 on failure.
inline int bind_loopback(int type, std::uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline std::uint16_t local_port(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

inline net::endpoint loopback(std::uint16_t port) {
  return net::endpoint{boost::asio::ip::make_address_v4("127.0.0.1"), port};
}

// A bound UDP socket nobody reads: queries to it time out.
class silent_server {
 public:
  silent_server() : m_fd(bind_loopback(SOCK_DGRAM, 0)) {}
  ~silent_server() { ::close(m_fd); }
  silent_server(const silent_server&) = delete;
  silent_server& operator=(const silent_server&) = delete;
  net::endpoint endpoint() const { return loopback(local_port(m_fd)); }

 private:
  int m_fd;
};

class fake_resolver {
 public:
  // Called for each query, with whether it came over TCP; returns the replies to send.
  using responder = std::function<std::vector<wire::message>(const wire::message&, bool tcp)>;

  explicit fake_resolver(responder r) : m_respond(std::move(r)) {
    for (int i = 0; i < 20 && m_tcp < 0; ++i) {
      if (m_udp >= 0) ::close(m_udp);
      m_udp = bind_loopback(SOCK_DGRAM, 0);
      m_tcp = bind_loopback(SOCK_STREAM, local_port(m_udp));
    }
    if (m_tcp < 0 || ::listen(m_tcp, 8) != 0) throw std::runtime_error("fake_resolver: bind");
    m_thread = std::thread([this] { loop(); });
  }
  ~fake_resolver() {
    m_stop = true;
    m_thread.join();
    ::close(m_udp);
    ::close(m_tcp);
  }
  fake_resolver(const fake_resolver&) = delete;
  fake_resolver& operator=(const fake_resolver&) = delete;

  net::endpoint endpoint() const { return loopback(local_port(m_udp)); }
  int udp_queries() const { return m_udp_count; }
  int tcp_queries() const { return m_tcp_count; }

  // A reply to `q`: same id and question, QR set, and `rc`.
  static wire::message reply_to(const wire::message& q, wire::rcode rc = wire::rcode::noerror) {
    wire::message r;
    r.id = q.id;
    r.flags = wire::flag::qr | wire::flag::ra | (q.flags & wire::flag::rd);
    r.rcode = rc;
    r.question = q.question;
    return r;
  }

 private:
  void loop() {
    std::vector<int> conns;
    while (!m_stop) {
      std::vector<pollfd> fds{{m_udp, POLLIN, 0}, {m_tcp, POLLIN, 0}};
      for (int c : conns) fds.push_back({c, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
      if (fds[0].revents & POLLIN) serve_udp();
      if (fds[1].revents & POLLIN) {
        const int c = ::accept4(m_tcp, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) conns.push_back(c);
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (!serve_tcp(fds[i].fd)) {
          ::close(fds[i].fd);
          std::erase(conns, fds[i].fd);
        }
      }
    }
    for (int c : conns) ::close(c);
  }

  void serve_udp() {
    std::string buf(65535, '\0');
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const ssize_t n =
        ::recvfrom(m_udp, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) return;
    auto q = wire::decode(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    if (!q) return;
    ++m_udp_count;
    for (const auto& reply : m_respond(*q, false)) {
      const std::string out = wire::encode(reply);
      ::sendto(m_udp, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }

  static bool read_exact(int fd, char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t got = ::recv(fd, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }

  bool serve_tcp(int fd) {
    unsigned char len[2];
    if (!read_exact(fd, reinterpret_cast<char*>(len), 2)) return false;
    std::string buf(static_cast<std::size_t>(len[0] << 8 | len[1]), '\0');
    if (!read_exact(fd, buf.data(), buf.size())) return false;
    auto q = wire::decode(buf);
    if (!q) return false;
    ++m_tcp_count;
    for (const auto& reply : m_respond(*q, true)) {
      const std::string body = wire::encode(reply);
      std::string out;
      out.push_back(static_cast<char>(body.size() >> 8));
      out.push_back(static_cast<char>(body.size() & 0xff));
      out += body;
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return false;
    }
    return true;
  }

  responder m_respond;
  int m_udp = -1;
  int m_tcp = -1;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_udp_count{0};
  std::atomic<int> m_tcp_count{0};
  std::thread m_thread;
};

}  // namespace cidns::stub::testing
