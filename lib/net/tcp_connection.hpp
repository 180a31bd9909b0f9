// Internal: one TCP client. Frames are 2-byte big-endian length + message; each complete frame
// goes to the handler at once and its reply joins the write queue, so replies leave in the
// order their queries were answered. Reading pauses while tcp_max_in_flight replies wait.
// With an asynchronous handler each frame gets a reply_sink; its reply joins the queue when it
// comes (so replies may leave out of order, as RFC 7766 allows), and replies owed count
// against tcp_max_in_flight too.
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
  tcp_connection(boost::asio::ip::tcp::socket socket, worker& owner, tcp_listener_state& listener);
  ~tcp_connection();
  void start();
  // Stop reading; close once the queued replies are written.
  void begin_shutdown();
  void close();

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
  void write();
  void on_write(const boost::system::error_code& ec);
  void arm_idle();

  boost::asio::ip::tcp::socket m_socket;
  boost::asio::steady_timer m_idle;
  worker& m_owner;
  tcp_listener_state& m_listener;
  peer_info m_peer;
  std::chrono::steady_clock::time_point m_last_activity;

  std::vector<std::uint8_t> m_rbuf;
  std::size_t m_rbegin = 0;  // first unconsumed byte
  std::size_t m_rend = 0;    // end of received bytes

  std::deque<queued_reply> m_queue;
  std::vector<std::string> m_spare;  // reply strings to reuse
  std::vector<boost::asio::const_buffer> m_wbufs;
  std::size_t m_in_write = 0;  // replies at the queue's front being written

  std::shared_ptr<reply_route> m_route;  // for reply sinks; null with a synchronous handler
  std::size_t m_owed = 0;                // sinks handed out, not yet sent or dropped

  bool m_in_pump = false;
  bool m_reading = false;
  bool m_writing = false;
  bool m_closing = false;
  bool m_closed = false;
};

}  // namespace cidns::net::detail
