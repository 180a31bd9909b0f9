// The TCP transport against hostile clients on loopback (issue 11): idle and slow connections
// filling the table, the per-client cap, idle timeouts shrinking as the table fills, the
// deadline for a whole message, the bound on reply bytes queued for clients that never read,
// and memory given back once they leave. Clients come from several 127.x addresses so that
// the per-client cap does not get in the way of filling the table.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/sanitizers.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
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
using clock = std::chrono::steady_clock;
using testing::bytes;
using testing::eventually;

// Echoes "t:" + query; "big" gets a 60,000-byte reply.
class echo_handler : public query_handler {
 public:
  void handle(std::span<const std::uint8_t> query, const peer_info&, std::string& reply) override {
    const std::string_view q(reinterpret_cast<const char*>(query.data()), query.size());
    if (q == "big") {
      reply.assign(60000, 'b');
      return;
    }
    reply.append("t:");
    reply.append(q);
  }
};

server_options loopback(unsigned threads = 2) {
  server_options o;
  o.listen.push_back(*parse_endpoint("127.0.0.1:0"));
  o.threads = threads;
  return o;
}

// A raw client socket from 127.0.0.`host` (so that many clients need not share one address),
// connected (blocking) to `to`; -1 on failure. `rcvbuf` > 0 shrinks its receive buffer.
int connect_from(int host, const endpoint& to, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(host));
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(to.port);
  dst.sin_addr.s_addr = htonl(to.address.to_v4().to_uint());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Closes the descriptors on scope exit.
struct fd_set_guard {
  std::vector<int> fds;
  ~fd_set_guard() { close_all(); }
  void close_all() {
    for (int fd : fds) ::close(fd);
    fds.clear();
  }
};

// `n` connections spread over 127.0.0.2.. in groups of `per_host`.
void open_hostile(fd_set_guard& g, const endpoint& to, int n, int per_host, int rcvbuf = 0) {
  for (int i = 0; i < n; ++i) {
    const int fd = connect_from(2 + i / per_host, to, rcvbuf);
    ASSERT_GE(fd, 0) << "connection " << i;
    g.fds.push_back(fd);
  }
}

// A legitimate client's exchange from 127.0.0.1, timed.
void expect_answered_within(const endpoint& ep, std::chrono::milliseconds limit,
                            const std::string& q) {
  const auto start = clock::now();
  auto r = tcp_exchange(ep, bytes(q), 2s);
  const auto took = clock::now() - start;
  ASSERT_TRUE(r.ok()) << q << ": " << r.err().message;
  EXPECT_EQ(*r, "t:" + q);
  EXPECT_LT(took, limit) << q;
}

// Each client pipelines `n` queries for 60 kB replies (and never reads them).
void send_big_queries(const fd_set_guard& g, int n) {
  std::string burst;
  for (int i = 0; i < n; ++i) burst.append({'\0', '\3', 'b', 'i', 'g'});
  for (int fd : g.fds) (void)::send(fd, burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(TcpHostile, IdleConnectionsFillingTheTableDoNotLockOutANewcomer) {
  raise_fd_limit();
  echo_handler h;
  server s(loopback(), h);  // defaults: 256 connections, 32 per client address
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard hostile;
  open_hostile(hostile, ep, 256, 32);
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 256; }, 5s)) << s.stats().tcp_open;
  std::this_thread::sleep_for(600ms);  // older than tcp_evict_grace
  for (int i = 0; i < 5; ++i) expect_answered_within(ep, 1s, "q" + std::to_string(i));
  const auto st = s.stats();
  EXPECT_GE(st.tcp_evicted + (256 - std::min<std::uint64_t>(st.tcp_open, 256)), 1u);
  EXPECT_EQ(st.dropped_conn_limit, 0u);
  s.stop();
}

TEST(TcpHostile, SlowClientsFillingTheTableDoNotLockOutANewcomer) {
  raise_fd_limit();
  echo_handler h;
  server s(loopback(), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard hostile;
  open_hostile(hostile, ep, 256, 32);
  const std::uint8_t first = 0;  // the first byte of a length prefix, and nothing more
  for (int fd : hostile.fds) ASSERT_EQ(::send(fd, &first, 1, MSG_NOSIGNAL), 1);
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 256; }, 5s)) << s.stats().tcp_open;
  std::this_thread::sleep_for(600ms);
  // They trickle (one byte per 4 s would do): none of it may keep the newcomers out.
  for (int i = 0; i < 6; ++i) {
    expect_answered_within(ep, 1s, "s" + std::to_string(i));
    std::this_thread::sleep_for(300ms);
  }
  // Whatever was not evicted is closed at the message deadline (2 s), not the idle one (10 s).
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }, 3s)) << s.stats().tcp_open;
  EXPECT_GT(s.stats().tcp_slow_closed, 0u);
  s.stop();
}

TEST(TcpHostile, EvictionTakesConnectionsThatNeverSentAMessageFirst) {
  echo_handler h;
  auto o = loopback(1);
  o.tcp_max_connections = 3;
  o.tcp_idle_timeout = 10s;
  o.tcp_min_idle_timeout = 10s;  // no shrinking here: eviction alone
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard idle;
  open_hostile(idle, ep, 1, 8);  // the oldest, but never sends a message
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 1; }));
  auto legit = tcp_client::connect(ep, 1s);
  ASSERT_TRUE(legit.ok());
  ASSERT_TRUE(legit->send(bytes("a"), 1s).ok());
  ASSERT_TRUE(legit->receive(1s).ok());
  open_hostile(idle, ep, 1, 8);
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 3; }));
  std::this_thread::sleep_for(600ms);  // all older than tcp_evict_grace
  expect_answered_within(ep, 1s, "newcomer");
  EXPECT_EQ(s.stats().tcp_evicted, 1u);
  EXPECT_EQ(s.stats().dropped_conn_limit, 0u);
  // The idle ones went (the oldest first), the one that had asked something is still served.
  ASSERT_TRUE(legit->send(bytes("b"), 1s).ok());
  auto r = legit->receive(1s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:b");
  char c;
  EXPECT_EQ(::recv(idle.fds[0], &c, 1, MSG_DONTWAIT), 0);  // closed by the server
  s.stop();
}

TEST(TcpHostile, PerClientAddressCap) {
  echo_handler h;
  auto o = loopback(1);
  o.tcp_max_per_client = 4;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard g;
  open_hostile(g, ep, 4, 4);  // all from 127.0.0.2
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 4; }));
  const int fifth = connect_from(2, ep);
  ASSERT_GE(fifth, 0);
  g.fds.push_back(fifth);
  char c;
  EXPECT_EQ(::recv(fifth, &c, 1, 0), 0);  // closed by the server at once
  EXPECT_EQ(s.stats().dropped_conn_limit, 1u);
  expect_answered_within(ep, 1s, "other");  // another address is let in
  // A slot freed is a slot for that address again.
  ::close(g.fds.front());
  g.fds.erase(g.fds.begin());
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 3; }));
  const int again = connect_from(2, ep);
  ASSERT_GE(again, 0);
  g.fds.push_back(again);
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 4; }));
  EXPECT_EQ(s.stats().dropped_conn_limit, 1u);
  s.stop();
}

TEST(TcpHostile, IdleTimeoutShrinksAsTheTableFills) {
  echo_handler h;
  auto o = loopback(1);
  o.tcp_max_connections = 8;
  o.tcp_idle_timeout = 10s;
  o.tcp_min_idle_timeout = 200ms;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard g;
  open_hostile(g, ep, 3, 8);  // under half full: the full timeout holds
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 3; }));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(s.stats().tcp_open, 3u);
  open_hostile(g, ep, 5, 8);  // full: the floor
  // Full, the floor applies and idle connections go within about a second (not 10 s); as
  // they go the table is no longer full and the timeout grows again, so only the first
  // closes are bounded by the floor. The bound is half the full timeout: on a loaded runner
  // (ctest -j2) the first closes took over 2 s once in a few runs.
  const auto start = clock::now();
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open <= 6; }, 6s)) << s.stats().tcp_open;
  EXPECT_LT(clock::now() - start, 5s);
  s.stop();
}

TEST(TcpHostile, MessageDeadlineEvenWhenBytesTrickle) {
  echo_handler h;
  auto o = loopback(1);
  o.tcp_message_timeout = 300ms;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  fd_set_guard g;
  const int fd = connect_from(2, ep);
  ASSERT_GE(fd, 0);
  g.fds.push_back(fd);
  // A 100-byte message, one byte every 50 ms: never idle, never complete in time.
  const std::uint8_t len[2] = {0, 100};
  ASSERT_EQ(::send(fd, len, 2, MSG_NOSIGNAL), 2);
  const auto start = clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    std::this_thread::sleep_for(50ms);
    const std::uint8_t b = 'x';
    closed = ::send(fd, &b, 1, MSG_NOSIGNAL) != 1 || s.stats().tcp_open == 0;
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(clock::now() - start, 1s);
  EXPECT_EQ(s.stats().tcp_slow_closed, 1u);
  // Messages that arrive in time are unaffected, also when split over several writes.
  auto c = tcp_client::connect(ep, 1s);
  ASSERT_TRUE(c.ok());
  const std::uint8_t part1[3] = {0, 4, 'a'};
  ASSERT_TRUE(c->send_raw(part1, 1s).ok());
  std::this_thread::sleep_for(100ms);
  const std::uint8_t part2[3] = {'b', 'c', 'd'};
  ASSERT_TRUE(c->send_raw(part2, 1s).ok());
  auto r = c->receive(1s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:abcd");
  s.stop();
}

// 250 clients that pipeline 64 queries for 60 kB replies and never read: without a bound the
// server queues ~960 MB.
TEST(TcpHostile, QueuedReplyBytesAreBoundedAcrossConnections) {
  CIDNS_SKIP_UNDER_ASAN();
  raise_fd_limit();
  echo_handler h;
  auto o = loopback(2);
  o.tcp_max_queued_bytes = 16 << 20;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  const auto rss_start = rss_bytes();
  fd_set_guard g;
  open_hostile(g, ep, 250, 32, 4096);
  send_big_queries(g, 64);
  std::uint64_t peak_queued = 0;
  std::size_t peak_rss = 0;
  eventually(
      [&] {
        const auto st = s.stats();
        peak_queued = std::max(peak_queued, st.tcp_queued_bytes);
        peak_rss = std::max(peak_rss, rss_bytes());
        return false;
      },
      2s);
  const auto st = s.stats();
  std::fprintf(stderr, "received %lu, queue-closed %lu, peak queued %lu MB, RSS %zu -> %zu MB\n",
               static_cast<unsigned long>(st.tcp_received),
               static_cast<unsigned long>(st.tcp_queue_closed),
               static_cast<unsigned long>(peak_queued >> 20), rss_start >> 20, peak_rss >> 20);
  EXPECT_GT(st.tcp_queue_closed, 0u);
  EXPECT_LE(peak_queued, std::uint64_t{24} << 20);  // the bound plus one connection's burst
  EXPECT_LT(peak_rss, rss_start + (std::size_t{96} << 20));
  s.stop();
}

// Never-reading clients hold a few hundred MB of replies (under the bound), then leave: the
// memory goes back to the system within a few seconds.
TEST(TcpHostile, MemoryReturnsAfterNeverReadingClientsLeave) {
  CIDNS_SKIP_UNDER_ASAN();
  raise_fd_limit();
  echo_handler h;
  auto o = loopback(2);
  o.tcp_max_queued_bytes = std::size_t{1} << 30;
  server s(o, h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  expect_answered_within(ep, 1s, "warm");
  const auto rss_start = rss_bytes();
  fd_set_guard g;
  open_hostile(g, ep, 250, 32, 4096);
  send_big_queries(g, 24);
  // The peak is sampled from the first reply on: how much stays queued in the process, and
  // for how long, depends on how much the kernel's socket buffers take and on the machine's
  // load (a loaded CI runner sees a lower, earlier peak).
  std::size_t peak_rss = 0;
  std::uint64_t queued = 0;
  auto sample = [&] {
    peak_rss = std::max(peak_rss, rss_bytes());
    queued = std::max(queued, s.stats().tcp_queued_bytes);
  };
  ASSERT_TRUE(eventually(
      [&] {
        sample();
        return s.stats().tcp_received >= 250 * 24;
      },
      10s));
  eventually(
      [&] {
        sample();
        return false;
      },
      300ms);
  g.close_all();
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }, 3s));
  std::size_t rss_after = rss_bytes();
  eventually(
      [&] {
        rss_after = rss_bytes();
        return rss_after * 5 <= rss_start * 6;
      },
      4s);
  std::fprintf(stderr, "peak queued %lu MB; RSS start %zu MB, peak %zu MB, after %zu MB\n",
               static_cast<unsigned long>(queued >> 20), rss_start >> 20, peak_rss >> 20,
               rss_after >> 20);
  EXPECT_GT(peak_rss, rss_start + (std::size_t{16} << 20));  // the load did take memory
  EXPECT_LE(rss_after * 5, rss_start * 6);                   // within 1.2x of the start
  EXPECT_EQ(s.stats().tcp_queued_bytes, 0u);
  s.stop();
}

}  // namespace
}  // namespace cidns::net
