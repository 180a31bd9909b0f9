// reply_sink (async_handler.hpp): hands the reply to the socket or connection it belongs to.
#include "cidns/net/async_handler.hpp"

#include <utility>

#include "reply_route.hpp"
#include "tcp_connection.hpp"
#include "udp_receiver.hpp"

namespace cidns::net {

reply_sink::reply_sink(reply_sink&& other) noexcept
    : m_route(std::move(other.m_route)), m_peer(std::move(other.m_peer)) {
  other.m_route.reset();
}

reply_sink& reply_sink::operator=(reply_sink&& other) noexcept {
  if (this != &other) {
    drop();
    m_route = std::move(other.m_route);
    other.m_route.reset();
    m_peer = std::move(other.m_peer);
  }
  return *this;
}

reply_sink::~reply_sink() { drop(); }

void reply_sink::send(std::string bytes) {
  const auto route = std::move(m_route);
  m_route.reset();
  if (!route) return;
  if (route->udp != nullptr) {
    route->udp->send_later(m_peer, bytes);
  } else if (route->tcp != nullptr) {
    route->tcp->deliver(std::move(bytes));
  }
}

void reply_sink::send(std::string_view bytes) {
  const auto route = std::move(m_route);
  m_route.reset();
  if (!route) return;
  if (route->udp != nullptr) {
    route->udp->send_later(m_peer, bytes);
  } else if (route->tcp != nullptr) {
    route->tcp->deliver(std::string(bytes));
  }
}

void reply_sink::drop() {
  const auto route = std::move(m_route);
  m_route.reset();
  if (route && route->tcp != nullptr) route->tcp->abandon();
}

}  // namespace cidns::net
