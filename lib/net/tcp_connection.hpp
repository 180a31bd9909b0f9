// Internal: one TCP client. Frames are 2-byte big-endian length + message; each complete frame
// goes to the handler at once and its reply joins the write queue, so replies leave in the
// order their queries were answered. Reading pauses while tcp_max_in_flight replies wait.
// With an asynchronous handler each frame gets a reply_sink; its reply joins the queue when it
// comes (so replies may leave out of order, as RFC 7766 allows), and replies owed count
// against tcp_max_in_flight too.
//
// A synchronous handler may answer a frame with a reply_stream instead: its messages are
// pulled while the queue holds under tcp_stream_window bytes, and more as writes complete.
// Meanwhile no further frame is read or answered, so nothing interleaves with the stream.
//
// Against hostile clients: a message must be complete within tcp_message_timeout of its first
// byte; the worker's sweep closes idle connections (check_deadlines) and, when the table is
// full, the one with the least progress (evictable/last_progress). Queued reply bytes are
// reported to the worker, which bounds their total over all connections.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cidns/net/server.hpp"

namespace cidns::net::detail {

class worker;
struct tcp_listener_state;
struct reply_route;

class tcp_connection : public std::enable_shared_from_this<tcp_connection> {
 public:
  // `peer` is the client's address; `counted_client` whether it holds a per-client slot.
  tcp_connection(boost::asio::ip::tcp::socket socket, worker& owner, tcp_listener_state& listener,
                 const peer_info& peer, bool counted_client);
  ~tcp_connection();
  void start();
  // Stop reading; close once the queued replies are written.
  void begin_shutdown();
  void close();

  // From the worker's periodic sweep: closes the connection past its idle timeout (`idle`) or
  // its message deadline.
  void check_deadlines(std::chrono::steady_clock::time_point now, std::chrono::milliseconds idle);
  // When the last query was answered or reply written (the accept time before that).
  std::chrono::steady_clock::time_point last_progress() const { return m_last_progress; }
  // Whether a complete message ever came (idle or slow clients have sent none).
  bool answered_any() const { return m_answered_any; }
  // Open, not closing, no reply owed by an asynchronous handler and no stream active.
  bool evictable() const { return !m_closed && !m_closing && m_owed == 0 && !m_stream; }
  const tcp_listener_state& listener() const { return m_listener; }
  std::size_t queued_bytes() const { return m_queued_bytes; }
  // From the worker: the queued-bytes budget has room again.
  void resume();

  // From a reply_sink: the reply owed for one frame, or none. On the owner's thread.
  void deliver(std::string body);
  void abandon();

 private:
  struct queued_reply {
    std::array<std::uint8_t, 2> length;
    std::string body;
  };

  void pump();
  void answer_frames();
  void settled();
  void finish_if_done();
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void answer(std::span<const std::uint8_t> query);
  bool pull_stream();
  void end_stream();
  void fail_stream();
  std::string spare_string();
  void write();
  void on_write(const boost::system::error_code& ec);
  void enqueue(std::string body);

  boost::asio::ip::tcp::socket m_socket;
  worker& m_owner;
  tcp_listener_state& m_listener;
  peer_info m_peer;
  bool m_counted_client = false;  // holds a slot in m_listener.clients
  std::chrono::steady_clock::time_point m_last_activity;
  std::chrono::steady_clock::time_point m_last_progress;
  // First byte of the message being received; time_point{} when none is partly received.
  std::chrono::steady_clock::time_point m_message_started{};
  bool m_paused = false;  // reading paused on tcp_max_in_flight
  bool m_answered_any = false;
  bool m_over_bound = false;         // holds the most queued bytes while over tcp_max_queued_bytes
  bool m_budget_wait = false;        // not answering: the server-wide queue budget is used up
  std::size_t m_draining_bytes = 0;  // queue kept after close() for a pending write

  std::vector<std::uint8_t> m_rbuf;
  std::size_t m_rbegin = 0;  // first unconsumed byte
  std::size_t m_rend = 0;    // end of received bytes

  std::deque<queued_reply> m_queue;
  std::vector<std::string> m_spare;  // reply strings to reuse
  std::vector<boost::asio::const_buffer> m_wbufs;
  std::size_t m_in_write = 0;      // replies at the queue's front being written
  std::size_t m_queued_bytes = 0;  // capacity of the queued replies, as reported to the worker

  std::shared_ptr<reply_route> m_route;    // for reply sinks; null with a synchronous handler
  std::size_t m_owed = 0;                  // sinks handed out, not yet sent or dropped
  std::unique_ptr<reply_stream> m_stream;  // the multi-message reply being sent, if any

  bool m_in_pump = false;
  bool m_reading = false;
  bool m_writing = false;
  bool m_closing = false;
  bool m_closed = false;
};

}  // namespace cidns::net::detail
