#include "tcp_listener.hpp"

#include <chrono>
#include <memory>

#include "tcp_connection.hpp"
#include "worker.hpp"

namespace cidns::net::detail {

tcp_listener::tcp_listener(boost::asio::ip::tcp::acceptor acceptor, tcp_listener_state& state,
                           worker& owner)
    : m_acceptor(std::move(acceptor)), m_state(state), m_owner(owner), m_retry(owner.io()) {}

void tcp_listener::start() { accept(); }

void tcp_listener::close() {
  m_closed = true;
  boost::system::error_code ec;
  m_acceptor.close(ec);
  m_retry.cancel();
}

void tcp_listener::accept() {
  m_acceptor.async_accept(
      [this](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
        on_accept(ec, std::move(socket));
      });
}

void tcp_listener::on_accept(const boost::system::error_code& ec,
                             boost::asio::ip::tcp::socket socket) {
  if (m_closed || ec == boost::asio::error::operation_aborted) return;
  auto& counters = m_owner.counters();
  if (ec) {
    // EMFILE, ENOBUFS...: back off briefly instead of spinning on the error.
    bump(counters.dropped_errors);
    m_retry.expires_after(std::chrono::milliseconds(50));
    m_retry.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec && !m_closed) accept();
    });
    return;
  }
  const auto limit = m_owner.options().tcp_max_connections;
  if (m_state.connections.fetch_add(1, std::memory_order_relaxed) >= limit) {
    m_state.connections.fetch_sub(1, std::memory_order_relaxed);
    bump(counters.dropped_conn_limit);
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    bump(counters.tcp_accepted);
    auto connection = std::make_shared<tcp_connection>(std::move(socket), m_owner, m_state);
    m_owner.attach(connection);
    connection->start();
  }
  accept();
}

}  // namespace cidns::net::detail
