// Internal: one thread's acceptor for one listen address; enforces the connection limit
// shared by all threads' acceptors of that address (evicting the connection with the least
// progress to admit a newcomer) and the per-client-address cap.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "socket_util.hpp"

namespace cidns::net::detail {

class worker;
struct tcp_listener_state;

class tcp_listener {
 public:
  tcp_listener(boost::asio::ip::tcp::acceptor acceptor, tcp_listener_state& state, worker& owner);
  void start();
  void close();

 private:
  void accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  void admit(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor m_acceptor;
  tcp_listener_state& m_state;
  worker& m_owner;
  boost::asio::steady_timer m_retry;
  accept_backoff m_backoff;
  bool m_closed = false;
};

}  // namespace cidns::net::detail
