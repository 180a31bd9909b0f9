// The asynchronous form of a server's message handler, for a daemon whose answer comes later
// (the resolver): the handler keeps a reply_sink and sends through it when the answer is ready.
//
// Threads: everything happens on the serving thread (worker) that received the query. The
// handler runs there, and the sink must be used (send, drop, destroyed) on that worker's
// io_context too (server::io_context(worker)), or after the server has stopped. A sink used
// after its socket or connection closed does nothing.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "cidns/net/peer.hpp"

namespace cidns::net {

namespace detail {
struct reply_route;
class udp_receiver;
class tcp_connection;
}  // namespace detail

// Where the reply to one query goes: the UDP socket it came in on (to the address it came
// from), or the TCP connection it came in on. Movable, not copyable; one reply at most.
class reply_sink {
 public:
  reply_sink() = default;  // owes nothing: send() and drop() do nothing
  reply_sink(reply_sink&& other) noexcept;
  reply_sink& operator=(reply_sink&& other) noexcept;  // drops what this one owed first
  reply_sink(const reply_sink&) = delete;
  reply_sink& operator=(const reply_sink&) = delete;
  ~reply_sink();  // drop() when unsent

  // Sends `bytes` as the reply (UDP: one datagram; TCP: one frame, at most 65535 bytes, else
  // dropped and counted as an error). Empty bytes send nothing. Only the first call counts.
  void send(std::string bytes);
  // The same, from bytes the caller keeps (e.g. a reply builder's buffer): over UDP they go out
  // (or join the receiver's current sendmmsg batch) with no copy into a new string.
  void send(std::string_view bytes);
  void send(const char* bytes) { send(std::string_view(bytes)); }
  // Sends nothing: the query is answered by silence (over TCP this frees its in-flight slot).
  void drop();
  // Whether a reply is still owed (neither sent nor dropped).
  bool pending() const noexcept { return m_route != nullptr; }
  const peer_info& peer() const noexcept { return m_peer; }

 private:
  friend class detail::udp_receiver;
  friend class detail::tcp_connection;
  reply_sink(std::shared_ptr<detail::reply_route> route, const peer_info& peer)
      : m_route(std::move(route)), m_peer(peer) {}

  std::shared_ptr<detail::reply_route> m_route;
  peer_info m_peer;
};

class async_query_handler {
 public:
  virtual ~async_query_handler() = default;
  // Called on serving thread `worker` (0..threads-1) for each message. `query` is valid only
  // during the call (copy what is kept). Reply through `reply` now or later, on the same
  // worker's io_context. Exceptions are caught and counted; an unsent sink then drops.
  // Over TCP at most tcp_max_in_flight replies are owed per connection: reading pauses there.
  virtual void handle(std::span<const std::uint8_t> query, const peer_info& from, unsigned worker,
                      reply_sink reply) = 0;
};

}  // namespace cidns::net
