// Internal: one serving thread's state: its io_context, UDP sockets, TCP acceptors and
// connections, and its counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cidns/net/server.hpp"

namespace cidns::net::detail {

// Written only by the owning thread, read by server::stats() from any thread: relaxed
// atomics, and bump() is a plain load + store, so the hot path has no locked instruction.
struct alignas(64) thread_counters {
  std::atomic<std::uint64_t> udp_received{0};
  std::atomic<std::uint64_t> udp_replied{0};
  std::atomic<std::uint64_t> tcp_received{0};
  std::atomic<std::uint64_t> tcp_replied{0};
  std::atomic<std::uint64_t> dropped_oversize{0};
  std::atomic<std::uint64_t> dropped_errors{0};
  std::atomic<std::uint64_t> dropped_conn_limit{0};
  std::atomic<std::uint64_t> tcp_accepted{0};
  std::atomic<std::uint64_t> tcp_closed{0};
};

inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Shared by the acceptors of one listen address on every thread: the connection limit is
// per listen address, not per thread.
struct tcp_listener_state {
  endpoint bound;
  std::atomic<std::size_t> connections{0};
};

class udp_receiver;
class tcp_listener;
class tcp_connection;

class worker {
 public:
  // Exactly one of `handler` (answers at once) and `async` (answers later) is set.
  worker(const server_options& options, unsigned index, query_handler* handler,
         async_query_handler* async);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  boost::asio::io_context& io() { return m_io; }
  const server_options& options() const { return m_options; }
  unsigned index() const { return m_index; }
  query_handler* handler() { return m_handler; }
  async_query_handler* async_handler() { return m_async; }
  thread_counters& counters() { return m_counters; }
  const thread_counters& counters() const { return m_counters; }

  void add_udp(boost::asio::ip::udp::socket socket);
  void add_tcp(boost::asio::ip::tcp::acceptor acceptor, tcp_listener_state& state);

  // Arms every socket and runs the io_context until no work is left (after shutdown()).
  void run();
  // On this worker's thread: close sockets and acceptors, let connections flush their queued
  // replies, force them closed after the grace period.
  void shutdown();
  bool stopping() const { return m_stopping; }

  // The live connections; a connection detaches itself when it closes.
  void attach(std::shared_ptr<tcp_connection> connection);
  void detach(tcp_connection* connection);

 private:
  void close_all_connections();

  const server_options& m_options;
  unsigned m_index;
  query_handler* m_handler;
  async_query_handler* m_async;
  thread_counters m_counters;
  // Declared before the io_context so it outlives the handlers the io_context destroys.
  std::unordered_map<tcp_connection*, std::shared_ptr<tcp_connection>> m_connections;
  boost::asio::io_context m_io{1};
  boost::asio::steady_timer m_grace{m_io};
  std::vector<std::unique_ptr<udp_receiver>> m_udp;
  std::vector<std::unique_ptr<tcp_listener>> m_tcp;
  bool m_stopping = false;
};

}  // namespace cidns::net::detail
