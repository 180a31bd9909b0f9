// Replies in several messages over TCP (query_handler::stream, as for a zone transfer) on
// loopback: order and the per-connection bound on queued bytes with a slow reader, queries
// waiting behind a stream, the idle timeout, and streams ended by the client, by stop() or by
// their own failure.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/format.h>
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

// Message `i` of a stream: its index in 8 digits, then a letter depending on it.
std::string stream_message(unsigned i, std::size_t size) {
  std::string m = fmt::format("{:08}", i);
  m.resize(std::max<std::size_t>(size, m.size()), static_cast<char>('a' + i % 26));
  return m;
}

// `count` messages of `size` bytes; `fail_at` (0: never) throws or, when `oversize`, gives a
// message too large to frame. Counts its destruction.
class test_stream : public reply_stream {
 public:
  test_stream(unsigned count, std::size_t size, unsigned fail_at, bool oversize,
              std::atomic<int>& destroyed)
      : m_count(count),
        m_size(size),
        m_fail_at(fail_at),
        m_oversize(oversize),
        m_destroyed(destroyed) {}
  ~test_stream() override { m_destroyed.fetch_add(1); }

  bool next(std::string& out) override {
    if (!out.empty()) throw std::logic_error("out not cleared");
    const unsigned i = m_next++;
    if (m_fail_at != 0 && m_next == m_fail_at) {
      if (!m_oversize) throw std::runtime_error("stream failure");
      out.assign(70000, 'x');
      return true;
    }
    if (i >= m_count) return false;
    out = stream_message(i, m_size);
    return true;
  }

 private:
  unsigned m_count;
  std::size_t m_size;
  unsigned m_fail_at;
  bool m_oversize;
  std::atomic<int>& m_destroyed;
  unsigned m_next = 0;
};

// "xfr COUNT SIZE [throw|big]" streams; anything else is echoed as "t:" / "u:" + query.
class stream_handler : public query_handler {
 public:
  void handle(std::span<const std::uint8_t> query, const peer_info& from,
              std::string& reply) override {
    reply.append(from.proto == transport::udp ? "u:" : "t:");
    reply.append(reinterpret_cast<const char*>(query.data()), query.size());
  }

  std::unique_ptr<reply_stream> stream(std::span<const std::uint8_t> query,
                                       const peer_info&) override {
    const std::string q(reinterpret_cast<const char*>(query.data()), query.size());
    unsigned count = 0;
    std::size_t size = 0;
    char mode[8] = {};
    if (std::sscanf(q.c_str(), "xfr %u %zu %7s", &count, &size, mode) < 2) return nullptr;
    const std::string m(mode);
    started.fetch_add(1);
    return std::make_unique<test_stream>(count, size, m.empty() ? 0 : 3, m == "big", destroyed);
  }

  std::atomic<int> started{0};
  std::atomic<int> destroyed{0};
};

server_options loopback() {
  server_options o;
  o.listen.push_back(*parse_endpoint("127.0.0.1:0"));
  o.threads = 1;
  return o;
}

tcp_client connect(const endpoint& ep) {
  auto c = tcp_client::connect(ep, 2s);
  if (!c.ok()) throw std::runtime_error(c.err().message);
  return std::move(*c);
}

// Receives messages first..first+count-1 of a stream of `size`-byte messages, in order;
// sleeps `pause` after every `every` messages.
void expect_stream(tcp_client& c, unsigned first, unsigned count, std::size_t size,
                   unsigned every = 0, std::chrono::milliseconds pause = 0ms) {
  for (unsigned i = first; i < first + count; ++i) {
    auto r = c.receive(5s);
    ASSERT_TRUE(r.ok()) << "message " << i << ": " << r.err().message;
    ASSERT_EQ(r->size(), size) << "message " << i;
    ASSERT_EQ(*r, stream_message(i, size)) << "message " << i;
    if (every != 0 && (i + 1) % every == 0) std::this_thread::sleep_for(pause);
  }
}

TEST(TcpStream, SlowReaderGetsEverythingInOrderWithBoundedQueue) {
  stream_handler h;
  const auto o = loopback();
  server s(o, h);
  s.start();
  auto c = connect(s.local_endpoints()[0]);
  std::atomic<bool> done{false};
  std::uint64_t peak = 0;
  std::thread sampler([&] {
    while (!done.load()) {
      peak = std::max(peak, s.stats().tcp_queued_bytes);
      std::this_thread::sleep_for(1ms);
    }
  });
  ASSERT_TRUE(c.send(bytes("xfr 2000 60000"), 1s).ok());
  expect_stream(c, 0, 2000, 60000, 100, 20ms);
  done = true;
  sampler.join();
  std::fprintf(stderr, "peak queued %lu bytes\n", static_cast<unsigned long>(peak));
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, o.tcp_stream_window + 65536);
  // Over, the stream is gone and the connection answers again.
  ASSERT_TRUE(c.send(bytes("after"), 1s).ok());
  auto r = c.receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:after");
  EXPECT_EQ(h.destroyed.load(), 1);
  EXPECT_TRUE(eventually([&] { return s.stats().tcp_replied == 2001; }));  // counted after
  EXPECT_EQ(s.stats().dropped_errors, 0u);
  s.stop();
}

TEST(TcpStream, QueriesDuringAStreamAreAnsweredAfterIt) {
  stream_handler h;
  server s(loopback(), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  auto c = connect(ep);
  // Sent while the stream is going.
  ASSERT_TRUE(c.send(bytes("xfr 500 10000"), 1s).ok());
  expect_stream(c, 0, 1, 10000);
  ASSERT_TRUE(c.send(bytes("ping"), 1s).ok());
  expect_stream(c, 1, 499, 10000);
  auto r = c.receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:ping");
  // Pipelined with the request, in the same segment.
  const std::string both = std::string("\0\x0cxfr 300 5000", 14) + std::string("\0\x04pong", 6);
  ASSERT_TRUE(c.send_raw(bytes(both), 1s).ok());
  expect_stream(c, 0, 300, 5000);
  r = c.receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:pong");
  EXPECT_EQ(h.destroyed.load(), 2);
  // UDP never streams.
  auto u = udp_exchange(ep, bytes("xfr 3 10"), 2s);
  ASSERT_TRUE(u.ok()) << u.err().message;
  EXPECT_EQ(*u, "u:xfr 3 10");
  EXPECT_EQ(h.started.load(), 2);
  s.stop();
}

TEST(TcpStream, ProgressKeepsTheIdleTimeoutAwayButAStalledReaderIsClosed) {
  stream_handler h;
  auto o = loopback();
  o.tcp_idle_timeout = 300ms;
  o.tcp_min_idle_timeout = 300ms;
  server s(o, h);
  s.start();
  auto c = connect(s.local_endpoints()[0]);
  const auto start = clock::now();
  // A write completes when the kernel takes the bytes, which (with buffers of megabytes) it
  // does in bursts: the reader must be slow, yet not so slow that a burst takes 300 ms.
  ASSERT_TRUE(c.send(bytes("xfr 400 60000"), 1s).ok());
  expect_stream(c, 0, 400, 60000, 5, 10ms);  // about 1 s, well past the idle timeout
  EXPECT_GT(clock::now() - start, 2 * o.tcp_idle_timeout);
  EXPECT_EQ(h.destroyed.load(), 1);
  // Stalled: takes what fits in the socket buffers, then nothing is written for 300 ms.
  ASSERT_TRUE(c.send(bytes("xfr 100000 60000"), 1s).ok());
  expect_stream(c, 0, 1, 60000);
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }, 3s));
  EXPECT_EQ(h.destroyed.load(), 2);
  s.stop();
}

TEST(TcpStream, ClientClosingMidStreamDestroysTheStream) {
  stream_handler h;
  server s(loopback(), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  {
    auto c = connect(ep);
    ASSERT_TRUE(c.send(bytes("xfr 2000 60000"), 1s).ok());
    expect_stream(c, 0, 3, 60000);
    EXPECT_EQ(h.destroyed.load(), 0);
  }  // closed with unread data
  ASSERT_TRUE(eventually([&] { return h.destroyed.load() == 1; }, 3s));
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }, 3s));
  auto r = tcp_exchange(ep, bytes("other"), 2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "t:other");
  EXPECT_TRUE(eventually([&] { return s.stats().tcp_queued_bytes == 0; }));
  s.stop();
}

TEST(TcpStream, StopMidStreamIsBounded) {
  stream_handler h;
  auto o = loopback();
  o.shutdown_grace = 300ms;
  server s(o, h);
  s.start();
  auto c = connect(s.local_endpoints()[0]);
  ASSERT_TRUE(c.send(bytes("xfr 100000 60000"), 1s).ok());
  expect_stream(c, 0, 1, 60000);  // and then reads no more
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_queued_bytes > 0; }));
  const auto start = clock::now();
  s.stop();
  EXPECT_LT(clock::now() - start, 300ms + 700ms);
  EXPECT_EQ(h.destroyed.load(), 1);
}

// The stream fails on its third message: the first two arrive, then the connection closes.
void expect_failed_stream(const char* request) {
  stream_handler h;
  server s(loopback(), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  auto c = connect(ep);
  ASSERT_TRUE(c.send(bytes(request), 1s).ok());
  expect_stream(c, 0, 2, 1000);
  auto r = c.receive(2s);
  EXPECT_FALSE(r.ok()) << "got " << r->size() << " bytes";
  ASSERT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }));
  EXPECT_EQ(h.destroyed.load(), 1);
  EXPECT_EQ(s.stats().dropped_errors, 1u);
  auto other = tcp_exchange(ep, bytes("other"), 2s);
  ASSERT_TRUE(other.ok()) << other.err().message;
  EXPECT_EQ(*other, "t:other");
  s.stop();
}

TEST(TcpStream, ThrowingStreamClosesTheConnection) { expect_failed_stream("xfr 10 1000 throw"); }

TEST(TcpStream, OversizeMessageClosesTheConnection) { expect_failed_stream("xfr 10 1000 big"); }

}  // namespace
}  // namespace cidns::net
