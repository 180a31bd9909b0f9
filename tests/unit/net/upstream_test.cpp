// The asynchronous upstream client against small loopback responders (plain sockets on
// threads): UDP reply, timeout, refusal, replies from another address ignored, fresh source
// ports; TCP framing split across writes, timeout; cancel_all; oversize queries.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cidns/net/upstream.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;

// A loopback socket of `type` bound to 127.0.0.1 on a kernel-chosen port.
struct bound_socket {
  int fd = -1;
  std::uint16_t port = 0;
  explicit bound_socket(int type) {
    fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
    if (type == SOCK_STREAM) ::listen(fd, 4);
  }
  ~bound_socket() {
    if (fd >= 0) ::close(fd);
  }
  bound_socket(const bound_socket&) = delete;
  bound_socket& operator=(const bound_socket&) = delete;
  endpoint ep() const { return endpoint{boost::asio::ip::make_address("127.0.0.1"), port}; }
};

bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

// One datagram: its text and the sender's address.
struct datagram {
  std::string text;
  sockaddr_in from{};
};

std::optional<datagram> receive(int fd, int ms = 2000) {
  if (!readable(fd, ms)) return std::nullopt;
  datagram d;
  char buf[2048];
  socklen_t len = sizeof d.from;
  const auto n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&d.from), &len);
  if (n < 0) return std::nullopt;
  d.text.assign(buf, static_cast<std::size_t>(n));
  return d;
}

void send_to(int fd, const std::string& text, const sockaddr_in& to) {
  ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

// The outcome of one query, once its callback ran.
struct outcome {
  bool called = false;
  int calls = 0;
  bool ok = false;
  std::string text;  // reply or error message
  endpoint from;
};

upstream_client::callback record(outcome& o) {
  return [&o](result<std::string> r, endpoint from) {
    o.called = true;
    ++o.calls;
    o.ok = r.ok();
    o.text = r.ok() ? *r : r.err().message;
    o.from = from;
  };
}

// Runs `io` until every outcome is called (or 5 s pass).
void run_until(boost::asio::io_context& io, std::initializer_list<outcome*> all) {
  const auto end = std::chrono::steady_clock::now() + 5s;
  auto done = [&] {
    for (auto* o : all)
      if (!o->called) return false;
    return true;
  };
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(10ms);
  }
}

TEST(Upstream, UdpReplyFromAFreshSourcePortEachTime) {
  bound_socket server(SOCK_DGRAM);
  std::vector<std::uint16_t> ports;
  std::thread responder([&] {
    for (int i = 0; i < 2; ++i) {
      auto d = receive(server.fd);
      if (!d) return;
      ports.push_back(ntohs(d->from.sin_port));
      send_to(server.fd, "re:" + d->text, d->from);
    }
  });
  boost::asio::io_context io;
  upstream_client client(io);
  outcome a, b;
  client.query(server.ep(), false, "one", 2s, record(a));
  EXPECT_EQ(client.pending(), 1u);
  EXPECT_FALSE(a.called);  // never from inside query()
  run_until(io, {&a});
  client.query(server.ep(), false, "two", 2s, record(b));
  run_until(io, {&b});
  responder.join();
  ASSERT_TRUE(a.ok) << a.text;
  EXPECT_EQ(a.text, "re:one");
  EXPECT_EQ(a.from, server.ep());
  ASSERT_TRUE(b.ok) << b.text;
  EXPECT_EQ(b.text, "re:two");
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], ports[1]);
  EXPECT_EQ(client.pending(), 0u);
  EXPECT_EQ(a.calls + b.calls, 2);
}

TEST(Upstream, UdpReplyFromAnotherAddressIsIgnored) {
  bound_socket server(SOCK_DGRAM);
  bound_socket other(SOCK_DGRAM);  // same host, another port: not the address asked
  std::thread responder([&] {
    auto d = receive(server.fd);
    if (!d) return;
    send_to(other.fd, "spoofed", d->from);
    std::this_thread::sleep_for(50ms);
    send_to(server.fd, "genuine", d->from);
  });
  boost::asio::io_context io;
  upstream_client client(io);
  outcome o;
  client.query(server.ep(), false, "q", 2s, record(o));
  run_until(io, {&o});
  responder.join();
  ASSERT_TRUE(o.ok) << o.text;
  EXPECT_EQ(o.text, "genuine");
}

TEST(Upstream, UdpTimeoutAndRefusal) {
  bound_socket silent(SOCK_DGRAM);
  endpoint closed;
  {
    bound_socket gone(SOCK_DGRAM);
    closed = gone.ep();
  }  // nothing listens there now: the kernel answers with port unreachable
  boost::asio::io_context io;
  upstream_client client(io);
  outcome timeout, refused;
  const auto t0 = std::chrono::steady_clock::now();
  client.query(silent.ep(), false, "q", 200ms, record(timeout));
  client.query(closed, false, "q", 2s, record(refused));
  EXPECT_EQ(client.pending(), 2u);
  run_until(io, {&timeout, &refused});
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(timeout.ok);
  EXPECT_NE(timeout.text.find("timeout"), std::string::npos) << timeout.text;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.text.find("refused"), std::string::npos) << refused.text;
  EXPECT_EQ(client.pending(), 0u);
  EXPECT_EQ(timeout.calls, 1);
  EXPECT_EQ(refused.calls, 1);
}

// Reads exactly n bytes from a connected TCP socket.
std::optional<std::string> read_exact(int fd, std::size_t n) {
  std::string out;
  while (out.size() < n) {
    if (!readable(fd, 2000)) return std::nullopt;
    char buf[1024];
    const auto got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) return std::nullopt;
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

TEST(Upstream, TcpFramingAcrossPartialWrites) {
  bound_socket server(SOCK_STREAM);
  std::string seen;
  const std::string reply(300, 'r');
  std::thread responder([&] {
    if (!readable(server.fd, 2000)) return;
    const int c = ::accept(server.fd, nullptr, nullptr);
    auto len = read_exact(c, 2);
    if (len) {
      const std::size_t n = (std::size_t{static_cast<std::uint8_t>((*len)[0])} << 8) |
                            static_cast<std::uint8_t>((*len)[1]);
      if (auto body = read_exact(c, n)) seen = *body;
    }
    // The reply's length prefix and body in three pieces.
    const std::string frame =
        std::string{char(reply.size() >> 8), char(reply.size() & 0xff)} + reply;
    ::send(c, frame.data(), 1, MSG_NOSIGNAL);
    std::this_thread::sleep_for(30ms);
    ::send(c, frame.data() + 1, 100, MSG_NOSIGNAL);
    std::this_thread::sleep_for(30ms);
    ::send(c, frame.data() + 101, frame.size() - 101, MSG_NOSIGNAL);
    std::this_thread::sleep_for(30ms);
    ::close(c);
  });
  boost::asio::io_context io;
  upstream_client client(io);
  outcome o;
  const std::string query(600, 'q');
  client.query(server.ep(), true, query, 2s, record(o));
  run_until(io, {&o});
  responder.join();
  ASSERT_TRUE(o.ok) << o.text;
  EXPECT_EQ(o.text, reply);
  EXPECT_EQ(seen, query);
  EXPECT_EQ(o.from, server.ep());
}

TEST(Upstream, TcpTimeoutWhenTheServerNeverAnswers) {
  bound_socket server(SOCK_STREAM);  // the kernel accepts; nobody answers
  boost::asio::io_context io;
  upstream_client client(io);
  outcome o;
  client.query(server.ep(), true, "q", 200ms, record(o));
  run_until(io, {&o});
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.text.find("timeout"), std::string::npos) << o.text;
  EXPECT_EQ(o.calls, 1);
}

TEST(Upstream, CancelAllAndOversizeQueries) {
  bound_socket silent(SOCK_DGRAM);
  bound_socket silent_tcp(SOCK_STREAM);
  boost::asio::io_context io;
  outcome a, b, big;
  {
    upstream_client client(io);
    client.query(silent.ep(), false, "q", 5s, record(a));
    client.query(silent_tcp.ep(), true, "q", 5s, record(b));
    io.run_for(50ms);
    EXPECT_EQ(client.pending(), 2u);
    client.cancel_all();
    EXPECT_EQ(client.pending(), 0u);
    EXPECT_TRUE(a.called && b.called);
    EXPECT_NE(a.text.find("cancelled"), std::string::npos) << a.text;
    EXPECT_FALSE(b.ok);

    client.query(silent.ep(), false, std::string(upstream_client::max_message + 1, 'x'), 5s,
                 record(big));
    EXPECT_FALSE(big.called);
    run_until(io, {&big});
    EXPECT_FALSE(big.ok);
    EXPECT_NE(big.text.find("exceeds"), std::string::npos) << big.text;
  }
  io.restart();
  io.run_for(50ms);  // late completions of the cancelled operations find nothing to do
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 1);
  EXPECT_EQ(big.calls, 1);
}

TEST(Upstream, DestructorCancelsPendingQueries) {
  bound_socket silent(SOCK_DGRAM);
  boost::asio::io_context io;
  outcome o;
  {
    upstream_client client(io);
    client.query(silent.ep(), false, "q", 5s, record(o));
    io.run_for(20ms);
  }
  EXPECT_TRUE(o.called);
  EXPECT_FALSE(o.ok);
  io.restart();
  io.run_for(20ms);
  EXPECT_EQ(o.calls, 1);
}

}  // namespace
}  // namespace cidns::net
