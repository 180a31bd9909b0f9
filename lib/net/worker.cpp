#include "worker.hpp"

#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "tcp_connection.hpp"
#include "tcp_listener.hpp"
#include "udp_receiver.hpp"

namespace cidns::net::detail {

worker::worker(const server_options& options, unsigned index, query_handler* handler,
               async_query_handler* async)
    : m_options(options), m_index(index), m_handler(handler), m_async(async) {}

worker::~worker() {
  // Close before the members go: the io_context's destructor destroys pending handlers, and
  // reply sinks among them must find their socket or connection closed, not half destroyed.
  m_stopping = true;
  for (auto& u : m_udp) u->close();
  for (auto& t : m_tcp) t->close();
  close_all_connections();
}

void worker::add_udp(boost::asio::ip::udp::socket socket) {
  m_udp.push_back(std::make_unique<udp_receiver>(std::move(socket), *this));
}

void worker::add_tcp(boost::asio::ip::tcp::acceptor acceptor, tcp_listener_state& state) {
  m_tcp.push_back(std::make_unique<tcp_listener>(std::move(acceptor), state, *this));
}

void worker::run() {
  if (!m_stopping) {
    for (auto& u : m_udp) u->start();
    for (auto& t : m_tcp) t->start();
  }
  for (;;) {
    try {
      m_io.run();
      return;
    } catch (const std::exception& e) {
      // Handlers catch their own errors; reaching here is a bug, but one thread must not
      // take the process down with it.
      fmt::print(stderr, "cidns net: unexpected exception in serving thread: {}\n", e.what());
    }
  }
}

void worker::shutdown() {
  if (m_stopping) return;
  m_stopping = true;
  for (auto& u : m_udp) u->close();
  for (auto& t : m_tcp) t->close();
  std::vector<std::shared_ptr<tcp_connection>> live;
  live.reserve(m_connections.size());
  for (auto& [_, c] : m_connections) live.push_back(c);
  for (auto& c : live) c->begin_shutdown();
  if (m_connections.empty()) return;
  m_grace.expires_after(m_options.shutdown_grace);
  m_grace.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) close_all_connections();
  });
}

void worker::close_all_connections() {
  std::vector<std::shared_ptr<tcp_connection>> live;
  for (auto& [_, c] : m_connections) live.push_back(c);
  for (auto& c : live) c->close();
}

void worker::attach(std::shared_ptr<tcp_connection> connection) {
  auto* key = connection.get();
  m_connections.emplace(key, std::move(connection));
}

void worker::detach(tcp_connection* connection) {
  m_connections.erase(connection);
  if (m_stopping && m_connections.empty()) m_grace.cancel();
}

}  // namespace cidns::net::detail
