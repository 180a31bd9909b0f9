// The floor of BENCHMARKING.md: receive a datagram, flip one bit, send it back, no parsing.
// No answer can cost less than this; compare "server CPU µs per answer" against it.
//
//   udp_echo --listen 127.0.0.1:5380 --batch 64     recvmmsg/sendmmsg batches (1: recvfrom/sendto)
//   udp_echo --via-server                            the same echo behind cidns::net::server
//                                                    (one thread): the transport's own overhead
// Runs until SIGINT/SIGTERM, then prints what it echoed.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/net/endpoint.hpp"
#include "cidns/net/server.hpp"
#include "cidns/net/signals.hpp"

namespace {

volatile sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

// Without SA_RESTART, so a blocking receive returns EINTR and the loop sees g_stop.
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int open_socket(const cidns::net::endpoint& ep) {
  const bool v6 = ep.address.is_v6();
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int rcvbuf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_storage sa{};
  socklen_t len = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(ep.port);
    const auto b = ep.address.to_v6().to_bytes();
    std::memcpy(in6->sin6_addr.s6_addr, b.data(), b.size());
    len = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&sa);
    in->sin_family = AF_INET;
    in->sin_port = htons(ep.port);
    in->sin_addr.s_addr = htonl(ep.address.to_v4().to_uint());
    len = sizeof(sockaddr_in);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint64_t echo_single(int fd) {
  std::vector<std::uint8_t> buf(65535);
  std::uint64_t count = 0;
  while (!g_stop) {
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    const ssize_t n =
        ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &plen);
    if (n <= 0) continue;
    buf[static_cast<std::size_t>(n) - 1] ^= 1;
    ::sendto(fd, buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&peer),
             plen);
    ++count;
  }
  return count;
}

std::uint64_t echo_batched(int fd, unsigned batch) {
  constexpr std::size_t slot = 2048;  // queries are small; longer ones arrive truncated
  std::vector<std::uint8_t> bufs(batch * slot);
  std::vector<sockaddr_storage> peers(batch);
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> msgs(batch);
  std::uint64_t count = 0;
  while (!g_stop) {
    for (unsigned i = 0; i < batch; ++i) {
      iov[i] = iovec{bufs.data() + i * slot, slot};
      msgs[i].msg_hdr = msghdr{};
      msgs[i].msg_hdr.msg_name = &peers[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(fd, msgs.data(), batch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) {
      const auto len = msgs[i].msg_len;
      if (len > 0) bufs[i * slot + len - 1] ^= 1;
      iov[i].iov_len = len;
    }
    int sent = 0;
    while (sent < n) {
      const int r = ::sendmmsg(fd, msgs.data() + sent, static_cast<unsigned>(n - sent), 0);
      if (r <= 0) {
        if (r < 0 && errno == EINTR && !g_stop) continue;
        break;
      }
      sent += r;
    }
    count += static_cast<std::uint64_t>(n);
  }
  return count;
}

// The same echo behind the real transport.
class flip_handler : public cidns::net::query_handler {
 public:
  void handle(std::span<const std::uint8_t> query, const cidns::net::peer_info&,
              std::string& reply) override {
    reply.assign(reinterpret_cast<const char*>(query.data()), query.size());
    if (!reply.empty()) reply.back() = static_cast<char>(reply.back() ^ 1);
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bare UDP echo: the per-packet cost floor for cidns benchmarks"};
  std::string listen = "127.0.0.1:5380";
  unsigned batch = 1;
  bool via_server = false;
  app.add_option("--listen", listen, "ADDR[:PORT] to serve")->capture_default_str();
  app.add_option("--batch", batch, "datagrams per recvmmsg/sendmmsg (1 = recvfrom/sendto)")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_flag("--via-server", via_server,
               "echo through cidns::net::server (one thread, --batch as its UDP batch)");
  CLI11_PARSE(app, argc, argv);

  auto ep = cidns::net::parse_endpoint(listen);
  if (!ep) {
    fmt::print(stderr, "udp_echo: {}\n", ep.err().message);
    return 2;
  }

  if (via_server) {
    flip_handler handler;
    cidns::net::server_options options;
    options.listen = {*ep};
    options.threads = 1;
    options.tcp = false;
    options.udp_batch = batch;
    try {
      cidns::net::server server(options, handler);
      server.start();
      fmt::print(stderr, "udp_echo: serving {} via cidns::net::server, batch {}\n",
                 server.local_endpoints()[0].to_string(), batch);
      cidns::net::wait_for_stop_signal({});
      server.stop();
      const auto s = server.stats();
      fmt::print("received {} replied {} dropped {}\n", s.udp_received, s.udp_replied, s.dropped());
    } catch (const std::exception& e) {
      fmt::print(stderr, "udp_echo: {}\n", e.what());
      return 1;
    }
    return 0;
  }

  const int fd = open_socket(*ep);
  if (fd < 0) {
    fmt::print(stderr, "udp_echo: cannot bind {}: {}\n", ep->to_string(), std::strerror(errno));
    return 1;
  }
  install_stop_handlers();
  fmt::print(stderr, "udp_echo: serving {}, batch {}\n", ep->to_string(), batch);
  const auto count = batch == 1 ? echo_single(fd) : echo_batched(fd, batch);
  ::close(fd);
  fmt::print("echoed {}\n", count);
  return 0;
}
