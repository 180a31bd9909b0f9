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

// A reply in several messages, produced as the client reads them (a zone transfer): TCP only.
// Called on the serving thread of its connection only, never concurrently.
class reply_stream {
 public:
  virtual ~reply_stream() = default;
  // Puts the next message (at most 65535 bytes; not framed) in `out` (cleared by the caller;
  // capacity reused). false: the stream is over (`out` is then ignored). An exception or a
  // message over 65535 bytes ends the stream and closes the connection (counted as an error).
  // An empty message is never valid on TCP: it is treated the same way.
  virtual bool next(std::string& out) = 0;
};

// Answers one message. Called concurrently from every serving thread, so it must be
// thread-safe. `reply` arrives empty (its capacity is kept between calls, so reuse it);
// leave it empty to send nothing. Exceptions are caught, counted as errors and nothing is sent.
class query_handler {
 public:
  virtual ~query_handler() = default;
  virtual void handle(std::span<const std::uint8_t> query, const peer_info& from,
                      std::string& reply) = 0;
  // Over TCP, called before handle() for each message: a handler that answers this message
  // with several messages returns the stream; nullptr (the default) means handle() answers.
  // Thread-safe like handle(). An exception is counted as an error and nothing is sent.
  // While the stream lasts its connection reads and answers no other message; the stream is
  // destroyed (on the connection's thread) when it ends or the connection closes.
  virtual std::unique_ptr<reply_stream> stream(std::span<const std::uint8_t> query,
                                               const peer_info& from) {
    (void)query;
    (void)from;
    return nullptr;
  }
};

struct server_options {
  std::vector<endpoint> listen;  // port 0 picks a free port (the same for UDP and TCP)
  unsigned threads = 0;          // 0 = std::thread::hardware_concurrency()
  bool udp = true;
  bool tcp = true;
  std::size_t udp_batch = 32;           // datagrams per recvmmsg/sendmmsg
  std::size_t udp_buffer_size = 65535;  // larger datagrams are dropped (counted oversize)
  int udp_receive_buffer = 4 << 20;     // SO_RCVBUF, best effort; 0 = leave the system default
  // Idle time (no byte in or out, no reply owed) after which a connection is closed. It shrinks
  // as the table fills (as NSD does): beyond half of tcp_max_connections it falls linearly to
  // tcp_min_idle_timeout when the table is full.
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  std::chrono::milliseconds tcp_min_idle_timeout{1'000};
  // A message must be complete this long after its first byte arrived, however the bytes
  // trickle in (slow clients cannot hold a connection by sending a byte now and then).
  std::chrono::milliseconds tcp_message_timeout{2'000};
  // Per listen address. When full, the connection that made the least progress (oldest last
  // answered query or written reply, none owed) is closed to admit the newcomer, unless every
  // connection made progress within tcp_evict_grace; then the newcomer is closed.
  std::size_t tcp_max_connections = 256;
  std::chrono::milliseconds tcp_evict_grace{500};
  // Connections one client address may hold per listen address (0 = no cap); beyond it the
  // newcomer is closed. 32 = 1/8 of the default table: 8 addresses are needed to fill it, and
  // a resolver or NAT pipelining to us rarely needs more than a handful.
  std::size_t tcp_max_per_client = 32;
  // Replies queued (or, with an async handler, still owed) per connection before reading pauses.
  std::size_t tcp_max_in_flight = 64;
  // Bytes of replies queued for clients that do not read them, summed over all connections of
  // the server; beyond it the connection holding the most is closed. Memory is trimmed back to
  // the system once the queues drain after a peak, and after a burst of closed connections.
  std::size_t tcp_max_queued_bytes = std::size_t{64} << 20;
  // A reply stream (query_handler::stream) is pulled only while its connection has fewer reply
  // bytes than this queued, so a transfer queues at most this plus one message (min 1).
  std::size_t tcp_stream_window = 256 << 10;
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
  std::uint64_t dropped_conn_limit = 0;  // TCP connections refused (table full, per-client cap)
  std::uint64_t tcp_accepted = 0;
  std::uint64_t tcp_open = 0;
  std::uint64_t tcp_evicted = 0;       // closed to admit a newcomer into a full table
  std::uint64_t tcp_slow_closed = 0;   // closed: a message not complete within tcp_message_timeout
  std::uint64_t tcp_queue_closed = 0;  // closed: most queued bytes while over tcp_max_queued_bytes
  std::uint64_t tcp_queued_bytes = 0;  // now: reply bytes in user-space TCP queues (also of
                                       // connections closed whose memory is not yet freed)

  std::uint64_t dropped() const { return dropped_oversize + dropped_errors + dropped_conn_limit; }
};

// Raises the soft RLIMIT_NOFILE to the hard limit (both daemons call it at start-up, before
// opening sockets). Returns the soft limit now in force; never fails (keeps the old one).
std::uint64_t raise_fd_limit();

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
  std::atomic<std::size_t> m_queued_bytes{0};    // TCP reply bytes queued, all workers
  std::atomic<std::size_t> m_draining_bytes{0};  // ...of closed connections, not yet freed
  std::vector<endpoint> m_bound;
  std::vector<std::unique_ptr<detail::tcp_listener_state>> m_listeners;
  std::vector<std::unique_ptr<detail::worker>> m_workers;
  std::vector<std::thread> m_threads;
  std::atomic<bool> m_stop_requested{false};
  bool m_started = false;
};

}  // namespace cidns::net
