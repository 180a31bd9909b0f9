// The resolver's asynchronous client for queries to authoritative servers, on one io_context
// (a serving thread's): one exchange per query, errors as values, every callback exactly once.
// Moves bytes only: the caller picks the message id, matches the reply's id and question, and
// retries over TCP after a truncated reply.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "cidns/net/endpoint.hpp"
#include "cidns/util/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace cidns::net {

class upstream_client {
 public:
  // The reply bytes or what went wrong ("timeout ...", "refused ...", the network error,
  // "cancelled"), and the address the reply came from (always `to`: see query()).
  using callback = std::function<void(result<std::string> reply, endpoint from)>;

  static constexpr std::size_t max_message = 65535;  // a query or reply larger is an error

  explicit upstream_client(boost::asio::io_context& io);
  // cancel_all(): pending callbacks run, with an error, from the destructor.
  ~upstream_client();
  upstream_client(const upstream_client&) = delete;
  upstream_client& operator=(const upstream_client&) = delete;

  // Sends `bytes` to `to` and calls `done` once, later, on the io_context (never from inside
  // query()). UDP: a fresh socket per query on a kernel-chosen random source port, connected
  // to `to`, so only datagrams from that address and port arrive; the first one is the reply.
  // TCP: connect, one 2-byte-framed query, one framed reply. `timeout` bounds the whole
  // exchange. Call from the io_context's thread only (the client is not thread-safe).
  void query(const endpoint& to, bool tcp, std::string bytes, std::chrono::milliseconds timeout,
             callback done);

  // On shutdown: every pending callback runs now with the error "cancelled".
  void cancel_all();
  std::size_t pending() const { return m_pending.size(); }

 private:
  class exchange;
  friend class exchange;

  boost::asio::io_context& m_io;
  std::unordered_map<exchange*, std::shared_ptr<exchange>> m_pending;
};

}  // namespace cidns::net
