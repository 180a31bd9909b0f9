// The UDP/TCP transport against real sockets on 127.0.0.1 (and ::1 when present).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cidns/net/client.hpp"
#include "cidns/net/server.hpp"
#include "test_support.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;
using testing::bytes;
using testing::eventually;

// Echoes the query, prefixed by "u:" or "t:" for the transport. "drop" gets no reply,
// "throw" throws. Records the serving threads.
class echo_handler : public query_handler {
 public:
  void handle(std::span<const std::uint8_t> query, const peer_info& from,
              std::string& reply) override {
    {
      std::lock_guard lock(m_mutex);
      m_threads.insert(std::this_thread::get_id());
      m_last_peer = from.address;
    }
    const std::string_view q(reinterpret_cast<const char*>(query.data()), query.size());
    if (q == "drop") return;
    if (q == "throw") throw std::runtime_error("handler failure");
    reply.append(from.proto == transport::udp ? "u:" : "t:");
    reply.append(q);
  }
  std::size_t thread_count() {
    std::lock_guard lock(m_mutex);
    return m_threads.size();
  }
  boost::asio::ip::address last_peer() {
    std::lock_guard lock(m_mutex);
    return m_last_peer;
  }

 private:
  std::mutex m_mutex;
  std::set<std::thread::id> m_threads;
  boost::asio::ip::address m_last_peer;
};

server_options loopback(unsigned threads = 2) {
  server_options o;
  o.listen.push_back(*parse_endpoint("127.0.0.1:0"));
  o.threads = threads;
  return o;
}

TEST(Server, BindsEphemeralPortForBothProtocols) {
  echo_handler h;
  server s(loopback(), h);
  ASSERT_EQ(s.local_endpoints().size(), 1u);
  EXPECT_NE(s.local_endpoints()[0].port, 0);
  EXPECT_EQ(s.thread_count(), 2u);
  s.start();
  const auto ep = s.local_endpoints()[0];
  auto u = udp_exchange(ep, bytes("hello"), 2s);
  ASSERT_TRUE(u.ok()) << u.err().message;
  EXPECT_EQ(*u, "u:hello");
  auto t = tcp_exchange(ep, bytes("hello"), 2s);
  ASSERT_TRUE(t.ok()) << t.err().message;
  EXPECT_EQ(*t, "t:hello");
  EXPECT_EQ(h.last_peer().to_string(), "127.0.0.1");
  s.stop();
  const auto st = s.stats();
  EXPECT_EQ(st.udp_received, 1u);
  EXPECT_EQ(st.udp_replied, 1u);
  EXPECT_EQ(st.tcp_received, 1u);
  EXPECT_EQ(st.tcp_replied, 1u);
  EXPECT_EQ(st.tcp_accepted, 1u);
  EXPECT_EQ(st.dropped(), 0u);
}

TEST(Server, PortInUseIsReported) {
  echo_handler h;
  server first(loopback(1), h);
  auto o = loopback(1);
  o.listen[0] = first.local_endpoints()[0];
  try {
    server second(o, h);
    FAIL() << "second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(first.local_endpoints()[0].to_string()), std::string::npos)
        << e.what();
  }
}

TEST(Server, UdpSpreadsOverThreads) {
  echo_handler h;
  server s(loopback(4), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 50; ++i) {
        const auto q = "q" + std::to_string(c) + "-" + std::to_string(i);
        auto r = udp_exchange(ep, bytes(q), 2s);  // a new socket, so a new source port
        if (r.ok() && *r == "u:" + q) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_GE(h.thread_count(), 2u);
  s.stop();
  EXPECT_EQ(s.stats().udp_received, 200u);
  EXPECT_EQ(s.stats().udp_replied, 200u);
}

TEST(Server, UdpBurstFromOneSocketIsBatched) {
  echo_handler h;
  auto o = loopback(1);
  o.udp_batch = 8;
  server s(o, h);
  const auto ep = s.local_endpoints()[0];
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(ep.port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  // Queue the burst before the server runs, so recvmmsg finds full batches.
  constexpr int count = 100;
  for (int i = 0; i < count; ++i) {
    const auto q = std::to_string(i);
    ASSERT_EQ(::send(fd, q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
  }
  s.start();
  std::set<std::string> replies;
  char buf[512];
  while (replies.size() < count) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) break;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) replies.emplace(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(replies.size(), static_cast<std::size_t>(count));
  EXPECT_TRUE(replies.contains("u:0"));
  EXPECT_TRUE(replies.contains("u:99"));
  s.stop();
}

TEST(Server, UdpDropsOversizeSilentAndHandlerFailures) {
  echo_handler h;
  auto o = loopback(1);
  o.udp_buffer_size = 512;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  EXPECT_FALSE(udp_exchange(ep, bytes(std::string(1000, 'x')), 200ms).ok());
  EXPECT_FALSE(udp_exchange(ep, bytes("drop"), 200ms).ok());
  EXPECT_FALSE(udp_exchange(ep, bytes("throw"), 200ms).ok());
  auto r = udp_exchange(ep, bytes(std::string(512, 'y')), 2s);  // exactly fits
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->size(), 514u);
  s.stop();
  const auto st = s.stats();
  EXPECT_EQ(st.udp_received, 4u);
  EXPECT_EQ(st.udp_replied, 1u);
  EXPECT_EQ(st.dropped_oversize, 1u);
  EXPECT_EQ(st.dropped_errors, 1u);
}

TEST(Server, TcpPipelinedQueriesOnOneConnection) {
  echo_handler h;
  server s(loopback(), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok()) << c.err().message;
  // All frames in one write, the last one split across two writes.
  std::string burst;
  for (int i = 0; i < 10; ++i) {
    const auto q = "query-" + std::to_string(i);
    burst.push_back(static_cast<char>(q.size() >> 8));
    burst.push_back(static_cast<char>(q.size() & 0xff));
    burst += q;
  }
  ASSERT_TRUE(c->send_raw(bytes(burst), 1s).ok());
  ASSERT_TRUE(c->send_raw(bytes(std::string("\x00\x04"
                                            "ab",
                                            4)),
                          1s)
                  .ok());
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(c->send_raw(bytes("cd"), 1s).ok());
  for (int i = 0; i < 10; ++i) {
    auto r = c->receive(2s);
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(*r, "t:query-" + std::to_string(i));
  }
  auto last = c->receive(2s);
  ASSERT_TRUE(last.ok()) << last.err().message;
  EXPECT_EQ(*last, "t:abcd");
  // A query with no reply does not block the ones after it.
  ASSERT_TRUE(c->send(bytes("drop"), 1s).ok());
  ASSERT_TRUE(c->send(bytes("after"), 1s).ok());
  auto after = c->receive(2s);
  ASSERT_TRUE(after.ok()) << after.err().message;
  EXPECT_EQ(*after, "t:after");
  s.stop();
  EXPECT_EQ(s.stats().tcp_received, 13u);
  EXPECT_EQ(s.stats().tcp_replied, 12u);
}

TEST(Server, TcpLargestMessage) {
  echo_handler h;
  server s(loopback(1), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  const std::string big(65533, 'z');  // the reply adds 2 bytes: 65535
  ASSERT_TRUE(c->send(bytes(big), 2s).ok());
  auto r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->size(), 65535u);
  // A reply that cannot be framed is dropped, and the connection stays usable.
  ASSERT_TRUE(c->send(bytes(std::string(65535, 'z')), 2s).ok());
  ASSERT_TRUE(c->send(bytes("ok"), 2s).ok());
  auto ok = c->receive(2s);
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  EXPECT_EQ(*ok, "t:ok");
  EXPECT_FALSE(tcp_client::connect(s.local_endpoints()[0], 2s)
                   ->send(bytes(std::string(65536, 'x')), 1s)
                   .ok());
  s.stop();
}

TEST(Server, TcpZeroLengthFrameCloses) {
  echo_handler h;
  server s(loopback(1), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->send_raw(bytes(std::string("\x00\x00", 2)), 1s).ok());
  auto r = c->receive(2s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("closed"), std::string::npos) << r.err().message;
  EXPECT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }));
  s.stop();
}

TEST(Server, TcpThrowingHandlerSendsNothing) {
  echo_handler h;
  server s(loopback(1), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->send(bytes("throw"), 1s).ok());
  ASSERT_TRUE(c->send(bytes("next"), 1s).ok());
  auto r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:next");
  s.stop();
  EXPECT_EQ(s.stats().dropped_errors, 1u);
}

TEST(Server, TcpIdleTimeoutCloses) {
  echo_handler h;
  auto o = loopback(1);
  o.tcp_idle_timeout = 200ms;
  server s(o, h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  // Activity keeps it open past one timeout...
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(c->send(bytes("ping"), 1s).ok());
    auto r = c->receive(1s);
    ASSERT_TRUE(r.ok()) << r.err().message;
  }
  // ...and silence closes it.
  const auto start = std::chrono::steady_clock::now();
  auto r = c->receive(2s);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("closed"), std::string::npos) << r.err().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  s.stop();
}

TEST(Server, TcpConnectionLimitPerListener) {
  echo_handler h;
  auto o = loopback(2);
  o.tcp_max_connections = 2;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  std::vector<tcp_client> open;
  for (int i = 0; i < 2; ++i) {
    auto c = tcp_client::connect(ep, 2s);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->send(bytes("hi"), 1s).ok());
    ASSERT_TRUE(c->receive(2s).ok());
    open.push_back(std::move(*c));
  }
  auto extra = tcp_client::connect(ep, 2s);  // the kernel accepts; the server closes it
  ASSERT_TRUE(extra.ok());
  (void)extra->send(bytes("hi"), 1s);
  EXPECT_FALSE(extra->receive(2s).ok());
  EXPECT_EQ(s.stats().dropped_conn_limit, 1u);
  // Freeing a slot admits a new connection.
  open.pop_back();
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 1; }));
  auto again = tcp_exchange(ep, bytes("again"), 2s);
  ASSERT_TRUE(again.ok()) << again.err().message;
  EXPECT_EQ(*again, "t:again");
  s.stop();
}

TEST(Server, StopClosesConnectedClients) {
  echo_handler h;
  server s(loopback(2), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->send(bytes("hi"), 1s).ok());
  ASSERT_TRUE(c->receive(2s).ok());
  const auto start = std::chrono::steady_clock::now();
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_FALSE(c->receive(1s).ok());
  // Nothing listens any more.
  EXPECT_FALSE(tcp_exchange(s.local_endpoints()[0], bytes("x"), 300ms).ok());
  EXPECT_FALSE(udp_exchange(s.local_endpoints()[0], bytes("x"), 100ms).ok());
}

TEST(Server, StopIsBoundedWhenClientDoesNotRead) {
  echo_handler h;
  auto o = loopback(1);
  o.shutdown_grace = 300ms;
  server s(o, h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok());
  // Fill both directions: the server's replies back up once we stop reading.
  const std::string big(60000, 'b');
  for (int i = 0; i < 400; ++i)
    if (!c->send(bytes(big), 100ms).ok()) break;
  const auto start = std::chrono::steady_clock::now();
  s.stop();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);   // it did wait for the queued replies...
  EXPECT_LT(took, 1500ms);  // ...but not for ever
  EXPECT_EQ(s.stats().tcp_open, 0u);
}

TEST(Server, StopRequestedFromAHandler) {
  struct stopper : query_handler {
    server* target = nullptr;
    void handle(std::span<const std::uint8_t>, const peer_info&, std::string& reply) override {
      target->request_stop();
      reply = "bye";
    }
  } h;
  server s(loopback(2), h);
  h.target = &s;
  s.start();
  auto r = udp_exchange(s.local_endpoints()[0], bytes("x"), 2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  s.join();  // returns because the threads end by themselves
}

TEST(Server, SeveralAddressesAndIpv6) {
  echo_handler h;
  server_options o;
  o.threads = 2;
  o.listen.push_back(*parse_endpoint("127.0.0.1:0"));
  o.listen.push_back(*parse_endpoint("127.0.0.2:0"));
  bool have_v6 = true;
  {
    const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    have_v6 = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    if (fd >= 0) ::close(fd);
  }
  if (have_v6) o.listen.push_back(*parse_endpoint("[::1]:0"));
  server s(o, h);
  s.start();
  ASSERT_EQ(s.local_endpoints().size(), o.listen.size());
  for (const auto& ep : s.local_endpoints()) {
    auto u = udp_exchange(ep, bytes("a"), 2s);
    ASSERT_TRUE(u.ok()) << ep.to_string() << ": " << u.err().message;
    EXPECT_EQ(*u, "u:a");
    auto t = tcp_exchange(ep, bytes("b"), 2s);
    ASSERT_TRUE(t.ok()) << ep.to_string() << ": " << t.err().message;
    EXPECT_EQ(*t, "t:b");
  }
  if (have_v6) {
    EXPECT_EQ(h.last_peer().to_string(), "::1");
  }
  s.stop();
}

TEST(Client, ErrorsAreValues) {
  // Nothing listens on the port we just released.
  echo_handler h;
  endpoint ep;
  {
    server s(loopback(1), h);
    ep = s.local_endpoints()[0];
  }
  auto t = tcp_exchange(ep, bytes("x"), 500ms);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.err().message.find(ep.to_string()), std::string::npos) << t.err().message;
  auto u = udp_exchange(ep, bytes("x"), 300ms);
  ASSERT_FALSE(u.ok());
}

}  // namespace
}  // namespace cidns::net
