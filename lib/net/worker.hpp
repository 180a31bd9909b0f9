// Internal: one serving thread's state: its io_context, UDP sockets, TCP acceptors and
// connections, and its counters.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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
  std::atomic<std::uint64_t> tcp_evicted{0};
  std::atomic<std::uint64_t> tcp_slow_closed{0};
  std::atomic<std::uint64_t> tcp_queue_closed{0};
};

inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Shared by the acceptors of one listen address on every thread: the connection limit is
// per listen address, not per thread.
struct tcp_listener_state {
  endpoint bound;
  std::atomic<std::size_t> connections{0};

  // Connections per client address, for tcp_max_per_client. Taken once per accept and close.
  std::mutex clients_mutex;
  std::map<boost::asio::ip::address, std::size_t> clients;

  // Counts a connection from `from`; false (nothing counted) when it holds `cap` already.
  bool add_client(const boost::asio::ip::address& from, std::size_t cap);
  void remove_client(const boost::asio::ip::address& from);
};

class udp_receiver;
class tcp_listener;
class tcp_connection;

class worker {
 public:
  // Exactly one of `handler` (answers at once) and `async` (answers later) is set.
  // `queued_bytes` is the server-wide count of TCP reply bytes queued by open connections,
  // `draining_bytes` of those still held by closed ones until their last write completes.
  worker(const server_options& options, unsigned index, query_handler* handler,
         async_query_handler* async, std::atomic<std::size_t>& queued_bytes,
         std::atomic<std::size_t>& draining_bytes);
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

  // Closes, among this thread's connections of `listener` that made no progress within
  // tcp_evict_grace, one that never sent a complete message or else the one without progress
  // longest, to admit a newcomer. False when none qualifies.
  // (Only this thread's connections: SO_REUSEPORT spreads them evenly over the threads.)
  bool evict_one(const tcp_listener_state& listener);
  // The idle timeout now in force for `listener`, shrunk as its table fills.
  std::chrono::milliseconds idle_timeout(const tcp_listener_state& listener) const;

  // Reply bytes entering or leaving a connection's queue (on this thread). Over the
  // server-wide bound, this thread's connections holding the most are closed until under it;
  // true when that is `from` itself, which must then close (it is on the stack). Once the
  // queues drain after a peak, memory is trimmed.
  [[nodiscard]] bool queued(std::size_t bytes, const tcp_connection* from);
  void unqueued(std::size_t bytes);
  // A closed connection's queue: still in memory until its pending write completes.
  void draining(std::size_t bytes);
  void drained(std::size_t bytes);
  // Queued and draining bytes over the bound: connections answer no more queries (and read no
  // more) until wake_budget_waiters() after it drained.
  bool over_budget() const;
  void wait_for_budget(std::weak_ptr<tcp_connection> connection);

 private:
  void close_all_connections();
  void arm_sweep();
  void sweep();
  void schedule_trim();
  void release(std::size_t bytes);
  void wake_budget_waiters();

  const server_options& m_options;
  unsigned m_index;
  query_handler* m_handler;
  async_query_handler* m_async;
  thread_counters m_counters;
  // Queue accounting; before the io_context, as connections it destroys report to it.
  std::atomic<std::size_t>& m_queued_total;
  std::atomic<std::size_t>& m_draining_total;
  std::vector<std::weak_ptr<tcp_connection>> m_budget_waiters;
  std::size_t m_queued = 0;       // this thread's queued and draining bytes
  std::size_t m_queued_peak = 0;  // since the last trim
  std::size_t m_closes_since_trim = 0;
  bool m_wake_posted = false;
  bool m_sweeping = false;
  bool m_trim_armed = false;
  bool m_stopping = false;
  std::chrono::steady_clock::time_point m_last_trim{};
  // Declared before the io_context so it outlives the handlers the io_context destroys.
  std::unordered_map<tcp_connection*, std::shared_ptr<tcp_connection>> m_connections;
  boost::asio::io_context m_io{1};
  boost::asio::steady_timer m_grace{m_io};
  boost::asio::steady_timer m_sweep{m_io};  // idle and message deadlines, while connected
  boost::asio::steady_timer m_trim{m_io};   // malloc_trim after the load is gone
  std::vector<std::unique_ptr<udp_receiver>> m_udp;
  std::vector<std::unique_ptr<tcp_listener>> m_tcp;
};

}  // namespace cidns::net::detail
