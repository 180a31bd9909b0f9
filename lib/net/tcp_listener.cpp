#include "tcp_listener.hpp"

#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "tcp_connection.hpp"
#include "worker.hpp"

namespace cidns::net::detail {

tcp_listener::tcp_listener(boost::asio::ip::tcp::acceptor acceptor, tcp_listener_state& state,
                           worker& owner)
    : m_acceptor(std::move(acceptor)),
      m_state(state),
      m_owner(owner),
      m_retry(owner.io()),
      m_backoff(fmt::format("tcp {}", state.bound.to_string())) {}

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
  if (ec) {
    // EMFILE, ENOBUFS...: back off briefly instead of spinning on the error.
    bump(m_owner.counters().dropped_errors);
    m_retry.expires_after(m_backoff.failed(ec));
    m_retry.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec && !m_closed) accept();
    });
    return;
  }
  admit(std::move(socket));
  accept();
}

void tcp_listener::admit(boost::asio::ip::tcp::socket socket) {
  auto& counters = m_owner.counters();
  const auto& options = m_owner.options();
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) {  // gone already
    socket.close(ec);
    return;
  }
  peer_info peer;
  peer.address = remote.address();
  peer.port = remote.port();
  const bool capped = options.tcp_max_per_client > 0;
  if (capped && !m_state.add_client(peer.address, options.tcp_max_per_client)) {
    bump(counters.dropped_conn_limit);
    socket.close(ec);
    return;
  }
  // Full: make room by closing the connection with the least progress, if one qualifies.
  if (m_state.connections.fetch_add(1, std::memory_order_relaxed) >= options.tcp_max_connections &&
      !m_owner.evict_one(m_state)) {
    m_state.connections.fetch_sub(1, std::memory_order_relaxed);
    if (capped) m_state.remove_client(peer.address);
    bump(counters.dropped_conn_limit);
    socket.close(ec);
    return;
  }
  bump(counters.tcp_accepted);
  auto connection =
      std::make_shared<tcp_connection>(std::move(socket), m_owner, m_state, peer, capped);
  m_owner.attach(connection);
  connection->start();
}

}  // namespace cidns::net::detail
