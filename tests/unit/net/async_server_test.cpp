// The server with an asynchronous handler: replies sent later (from another handler run on
// the worker's io_context), over UDP from the socket the query came in on, over TCP on its
// connection, several in flight and out of order; sinks dropped or outliving their connection.
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "cidns/net/async_handler.hpp"
#include "cidns/net/client.hpp"
#include "cidns/net/server.hpp"
#include "test_support.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;
using testing::bytes;
using testing::eventually;

// "now:X" is answered at once with "n:X"; "throw" throws; anything else is kept, keyed by its
// text, until the test replies to it (on the worker's thread) with reply_later().
class later_handler : public async_query_handler {
 public:
  void handle(std::span<const std::uint8_t> query, const peer_info& from, unsigned worker,
              reply_sink reply) override {
    const std::string q(reinterpret_cast<const char*>(query.data()), query.size());
    if (q.starts_with("now:")) {
      reply.send((from.proto == transport::udp ? "n:" : "N:") + q.substr(4));
      return;
    }
    if (q == "throw") throw std::runtime_error("handler failure");
    std::lock_guard lock(m_mutex);
    m_thread = std::this_thread::get_id();
    m_waiting.emplace(q, held{worker, std::move(reply)});
  }

  std::size_t waiting() {
    std::lock_guard lock(m_mutex);
    return m_waiting.size();
  }
  std::thread::id serving_thread() {
    std::lock_guard lock(m_mutex);
    return m_thread;
  }

  // Sends `answer` for the query `q` (empty `answer`: drop it) on the worker that got it;
  // returns when done.
  void reply_later(server& s, const std::string& q, const std::string& answer) {
    unsigned worker = 0;
    {
      std::lock_guard lock(m_mutex);
      auto it = m_waiting.find(q);
      ASSERT_NE(it, m_waiting.end()) << q;
      worker = it->second.worker;
    }
    std::promise<void> done;
    boost::asio::post(s.io_context(worker), [&] {
      reply_sink sink;
      {
        std::lock_guard lock(m_mutex);
        auto it = m_waiting.find(q);
        sink = std::move(it->second.sink);
        m_waiting.erase(it);
      }
      EXPECT_TRUE(sink.pending());
      if (answer.empty()) {
        sink.drop();
      } else {
        sink.send(answer);
      }
      EXPECT_FALSE(sink.pending());
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(2s), std::future_status::ready);
  }

  // Takes the sink of `q` out (the test then owns it).
  reply_sink take(const std::string& q) {
    std::lock_guard lock(m_mutex);
    auto it = m_waiting.find(q);
    if (it == m_waiting.end()) return {};
    reply_sink sink = std::move(it->second.sink);
    m_waiting.erase(it);
    return sink;
  }

 private:
  struct held {
    unsigned worker;
    reply_sink sink;
  };
  std::mutex m_mutex;
  std::map<std::string, held> m_waiting;
  std::thread::id m_thread;
};

server_options loopback(unsigned threads = 1) {
  server_options o;
  o.listen.push_back(*parse_endpoint("127.0.0.1:0"));
  o.threads = threads;
  return o;
}

TEST(AsyncServer, AnswersAtOnceOverUdpAndTcp) {
  later_handler h;
  server s(loopback(2), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  auto u = udp_exchange(ep, bytes("now:a"), 2s);
  ASSERT_TRUE(u.ok()) << u.err().message;
  EXPECT_EQ(*u, "n:a");
  auto t = tcp_exchange(ep, bytes("now:b"), 2s);
  ASSERT_TRUE(t.ok()) << t.err().message;
  EXPECT_EQ(*t, "N:b");
  s.stop();
  EXPECT_EQ(s.stats().udp_replied, 1u);
  EXPECT_EQ(s.stats().tcp_replied, 1u);
}

TEST(AsyncServer, UdpReplyLaterLeavesFromTheQuerysSocket) {
  later_handler h;
  server s(loopback(2), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  // udp_exchange's socket is connected to ep: a reply from any other address or port
  // would not reach it.
  auto pending = std::async(std::launch::async, [&] { return udp_exchange(ep, bytes("q1"), 3s); });
  ASSERT_TRUE(eventually([&] { return h.waiting() == 1; }));
  std::this_thread::sleep_for(50ms);  // "later" indeed
  h.reply_later(s, "q1", "answer-1");
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "answer-1");
  s.stop();
  EXPECT_EQ(s.stats().udp_received, 1u);
  EXPECT_EQ(s.stats().udp_replied, 1u);
}

TEST(AsyncServer, UdpSinkDroppedOrDestroyedSendsNothing) {
  later_handler h;
  server s(loopback(), h);
  s.start();
  const auto ep = s.local_endpoints()[0];
  auto first = std::async(std::launch::async, [&] { return udp_exchange(ep, bytes("q1"), 400ms); });
  ASSERT_TRUE(eventually([&] { return h.waiting() == 1; }));
  h.reply_later(s, "q1", "");  // drop()
  EXPECT_FALSE(first.get().ok());
  auto second =
      std::async(std::launch::async, [&] { return udp_exchange(ep, bytes("q2"), 400ms); });
  ASSERT_TRUE(eventually([&] { return h.waiting() == 1; }));
  std::promise<void> done;
  boost::asio::post(s.io_context(0), [&] {
    { reply_sink gone = h.take("q2"); }  // destroyed unsent
    done.set_value();
  });
  done.get_future().wait();
  EXPECT_FALSE(second.get().ok());
  EXPECT_FALSE(udp_exchange(ep, bytes("throw"), 200ms).ok());
  s.stop();
  EXPECT_EQ(s.stats().udp_replied, 0u);
  EXPECT_EQ(s.stats().dropped_errors, 1u);  // the throw
}

TEST(AsyncServer, TcpRepliesLaterOutOfOrder) {
  later_handler h;
  server s(loopback(2), h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok()) << c.err().message;
  for (const char* q : {"t1", "t2", "t3"}) ASSERT_TRUE(c->send(bytes(q), 1s).ok());
  ASSERT_TRUE(eventually([&] { return h.waiting() == 3; }));
  h.reply_later(s, "t3", "r3");
  auto r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "r3");
  h.reply_later(s, "t1", "r1");
  h.reply_later(s, "t2", std::string(3000, 'x'));  // larger than the first read buffer
  r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "r1");
  r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, std::string(3000, 'x'));
  // An immediate answer on the same connection still works.
  ASSERT_TRUE(c->send(bytes("now:x"), 1s).ok());
  r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "N:x");
  s.stop();
  EXPECT_EQ(s.stats().tcp_received, 4u);
  EXPECT_EQ(s.stats().tcp_replied, 4u);
}

TEST(AsyncServer, TcpOwedRepliesCountAgainstTheInFlightLimit) {
  later_handler h;
  auto o = loopback();
  o.tcp_max_in_flight = 2;
  server s(o, h);
  s.start();
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok()) << c.err().message;
  for (const char* q : {"a", "b", "c"}) ASSERT_TRUE(c->send(bytes(q), 1s).ok());
  ASSERT_TRUE(eventually([&] { return h.waiting() == 2; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.waiting(), 2u);  // "c" waits until a slot frees
  h.reply_later(s, "a", "");   // a dropped reply frees its slot too
  ASSERT_TRUE(eventually([&] { return h.waiting() == 2; }));
  h.reply_later(s, "c", "rc");
  h.reply_later(s, "b", "rb");
  auto r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "rc");
  r = c->receive(2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "rb");
  s.stop();
}

TEST(AsyncServer, TcpConnectionClosedBeforeTheReply) {
  later_handler h;
  auto o = loopback();
  o.shutdown_grace = 200ms;
  server s(o, h);
  s.start();
  {
    auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
    ASSERT_TRUE(c.ok()) << c.err().message;
    ASSERT_TRUE(c->send(bytes("q1"), 1s).ok());
    ASSERT_TRUE(c->send(bytes("q2"), 1s).ok());
    ASSERT_TRUE(eventually([&] { return h.waiting() == 2; }));
  }  // the client goes away
  h.reply_later(s, "q1", "too late");
  // The server notices the write failing or the close, and closes its side.
  h.reply_later(s, "q2", "later still");
  EXPECT_TRUE(eventually([&] { return s.stats().tcp_open == 0; }));
  // A sink whose connection is gone, kept past the server's end, does nothing.
  auto c = tcp_client::connect(s.local_endpoints()[0], 2s);
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_TRUE(c->send(bytes("kept"), 1s).ok());
  ASSERT_TRUE(eventually([&] { return h.waiting() == 1; }));
  reply_sink kept;
  std::promise<void> taken;
  boost::asio::post(s.io_context(0), [&] {
    kept = h.take("kept");
    taken.set_value();
  });
  taken.get_future().wait();
  EXPECT_TRUE(kept.pending());
  s.request_stop();
  s.join();  // the grace period closes the connection that still owes a reply
  kept.send("after the end");
  EXPECT_FALSE(kept.pending());
  EXPECT_EQ(s.stats().tcp_open, 0u);
}

TEST(AsyncServer, IoContextRunsOnTheServingThread) {
  later_handler h;
  server s(loopback(1), h);
  EXPECT_THROW(s.io_context(1), std::out_of_range);
  s.start();
  auto pending = std::async(std::launch::async,
                            [&] { return udp_exchange(s.local_endpoints()[0], bytes("q"), 2s); });
  ASSERT_TRUE(eventually([&] { return h.waiting() == 1; }));
  std::promise<std::thread::id> ran;
  boost::asio::post(s.io_context(0), [&] { ran.set_value(std::this_thread::get_id()); });
  EXPECT_EQ(ran.get_future().get(), h.serving_thread());
  h.reply_later(s, "q", "r");
  EXPECT_TRUE(pending.get().ok());
  s.stop();
}

}  // namespace
}  // namespace cidns::net
