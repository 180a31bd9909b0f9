// The query transport of the servers: UDP and TCP listeners that hand each message to a
// handler and send back what it produces. Moves bytes only; knows nothing of the message format.
//
// Threads: one io_context per thread; each thread owns one SO_REUSEPORT UDP socket and one
// SO_REUSEPORT TCP acceptor per listen address, so the kernel spreads datagrams and
// connections over the threads. UDP is drained in recvmmsg/sendmmsg batches from
// preallocated per-thread buffers (no allocation per datagram once warm).
//
// Two handler forms: query_handler answers at once (the authoritative server: its replies go
// out in the same sendmmsg batch), async_query_handler answers later through a reply_sink
// (the resolver), on the io_context of the thread that received the query.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cidns/net/async_handler.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/net/peer.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace cidns::net {

namespace detail {
class worker;
struct tcp_listener_state;
}  // namespace detail

// Answers one message. Called concurrently from every serving thread, so it must be
// thread-safe. `reply` arrives empty (its capacity is kept between calls, so reuse it);
// leave it empty to send nothing. Exceptions are caught, counted as errors and nothing is sent.
class query_handler {
 public:
  virtual ~query_handler() = default;
  virtual void handle(std::span<const std::uint8_t> query, const peer_info& from,
                      std::string& reply) = 0;
};

struct server_options {
  std::vector<endpoint> listen;  // port 0 picks a free port (the same for UDP and TCP)
  unsigned threads = 0;          // 0 = std::thread::hardware_concurrency()
  bool udp = true;
  bool tcp = true;
  std::size_t udp_batch = 32;           // datagrams per recvmmsg/sendmmsg
  std::size_t udp_buffer_size = 65535;  // larger datagrams are dropped (counted oversize)
  int udp_receive_buffer = 4 << 20;     // SO_RCVBUF, best effort; 0 = leave the system default
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  std::size_t tcp_max_connections = 256;  // per listen address; beyond it accept, then close
  // Replies queued (or, with an async handler, still owed) per connection before reading pauses.
  std::size_t tcp_max_in_flight = 64;
  std::chrono::milliseconds shutdown_grace{2'000};  // for queued TCP replies on stop()
};

// Counters summed over all threads. dropped_* are messages (or connections) not answered.
struct server_stats {
  std::uint64_t udp_received = 0;
  std::uint64_t udp_replied = 0;
  std::uint64_t tcp_received = 0;
  std::uint64_t tcp_replied = 0;
  std::uint64_t dropped_oversize = 0;    // datagram larger than udp_buffer_size
  std::uint64_t dropped_errors = 0;      // handler exceptions, send/receive errors
  std::uint64_t dropped_conn_limit = 0;  // TCP connections refused over the limit
  std::uint64_t tcp_accepted = 0;
  std::uint64_t tcp_open = 0;

  std::uint64_t dropped() const { return dropped_oversize + dropped_errors + dropped_conn_limit; }
};

class server {
 public:
  // Opens and binds every socket (so a port conflict is reported here); serves nothing until
  // start(). Throws std::runtime_error naming the address on failure. `handler` must outlive
  // the server.
  server(server_options options, query_handler& handler);
  // The same with a handler that replies later (async_handler.hpp).
  server(server_options options, async_query_handler& handler);
  ~server();  // stop()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  void start();  // launches the serving threads

  // Begins a graceful stop: closes UDP sockets and acceptors, lets queued TCP replies go out
  // (bounded by shutdown_grace), then the threads end. Thread-safe, idempotent, does not
  // block: fine from a signal_set callback or from a handler.
  void request_stop();
  void join();  // waits for the threads; not from a serving thread
  void stop() {
    request_stop();
    join();
  }

  // The addresses actually bound (ports resolved when 0 was asked), one per listen address.
  const std::vector<endpoint>& local_endpoints() const { return m_bound; }
  unsigned thread_count() const { return static_cast<unsigned>(m_workers.size()); }
  // The io_context of serving thread `worker` (0..thread_count()-1; throws std::out_of_range
  // beyond), for the daemon's own work on that thread: timers, upstream clients. It runs from
  // start() until the listeners have closed after request_stop() and no other work is left.
  boost::asio::io_context& io_context(unsigned worker);
  server_stats stats() const;

 private:
  server(server_options options, query_handler* handler, async_query_handler* async);
  void bind_all();

  server_options m_options;
  std::vector<endpoint> m_bound;
  std::vector<std::unique_ptr<detail::tcp_listener_state>> m_listeners;
  std::vector<std::unique_ptr<detail::worker>> m_workers;
  std::vector<std::thread> m_threads;
  std::atomic<bool> m_stop_requested{false};
  bool m_started = false;
};

}  // namespace cidns::net
