// Internal: one TCP client. Frames are 2-byte big-endian length + message; each complete frame
// goes to the handler at once and its reply joins the write queue, so replies leave in the
// order their queries were answered. Reading pauses while tcp_max_in_flight replies wait.
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

class tcp_connection : public std::enable_shared_from_this<tcp_connection> {
 public:
  tcp_connection(boost::asio::ip::tcp::socket socket, worker& owner, tcp_listener_state& listener);
  void start();
  // Stop reading; close once the queued replies are written.
  void begin_shutdown();
  void close();

 private:
  struct queued_reply {
    std::array<std::uint8_t, 2> length;
    std::string body;
  };

  void pump();
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

  bool m_reading = false;
  bool m_writing = false;
  bool m_closing = false;
  bool m_closed = false;
};

}  // namespace cidns::net::detail
