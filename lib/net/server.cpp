#include "cidns/net/server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include "socket_util.hpp"
#include "worker.hpp"

namespace cidns::net {

using boost::asio::ip::tcp;
using boost::asio::ip::udp;
using namespace std::chrono_literals;

namespace {

[[noreturn]] void fail(const endpoint& ep, std::string_view proto, const std::string& why) {
  throw std::runtime_error(fmt::format("cannot listen on {} ({}): {}", ep.to_string(), proto, why));
}

// Binds a plain socket (no SO_REUSEPORT) to find out whether the address is free, and which
// port the kernel picks for port 0. SO_REUSEPORT sockets would otherwise silently share a port
// with another server of the same user instead of reporting the conflict.
std::error_code probe(const endpoint& ep, int type, std::uint16_t& port_out) {
  sockaddr_storage sa;
  const socklen_t len = detail::to_sockaddr(ep, sa);
  detail::unique_fd fd(::socket(sa.ss_family, type | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return {errno, std::generic_category()};
  int one = 1;
  if (type == SOCK_STREAM) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sa.ss_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), len) != 0)
    return {errno, std::generic_category()};
  if (type == SOCK_STREAM && ::listen(fd.get(), 1) != 0) return {errno, std::generic_category()};
  socklen_t got = sizeof sa;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &got) != 0)
    return {errno, std::generic_category()};
  peer_info p;
  detail::peer_from_sockaddr(sa, p);
  port_out = p.port;
  return {};
}

}  // namespace

server::server(server_options options, query_handler& handler)
    : server(std::move(options), &handler, nullptr) {}

server::server(server_options options, async_query_handler& handler)
    : server(std::move(options), nullptr, &handler) {}

server::server(server_options options, query_handler* handler, async_query_handler* async)
    : m_options(std::move(options)) {
  if (m_options.listen.empty()) throw std::runtime_error("no listen address given");
  if (!m_options.udp && !m_options.tcp) throw std::runtime_error("neither UDP nor TCP enabled");
  if (m_options.threads == 0) m_options.threads = std::max(1u, std::thread::hardware_concurrency());
  m_options.udp_batch = std::clamp<std::size_t>(m_options.udp_batch, 1, 1024);
  m_options.udp_buffer_size = std::clamp<std::size_t>(m_options.udp_buffer_size, 512, 65535);
  m_options.tcp_max_in_flight = std::max<std::size_t>(m_options.tcp_max_in_flight, 1);
  m_options.tcp_max_queued_bytes = std::max<std::size_t>(m_options.tcp_max_queued_bytes, 1 << 20);
  m_options.tcp_stream_window = std::max<std::size_t>(m_options.tcp_stream_window, 1);
  m_options.tcp_message_timeout = std::max(m_options.tcp_message_timeout, 10ms);
  m_options.tcp_idle_timeout = std::max(m_options.tcp_idle_timeout, 10ms);
  m_options.tcp_min_idle_timeout = std::max(m_options.tcp_min_idle_timeout, 10ms);
  for (unsigned i = 0; i < m_options.threads; ++i)
    m_workers.push_back(std::make_unique<detail::worker>(m_options, i, handler, async,
                                                         m_queued_bytes, m_draining_bytes));
  bind_all();
}

server::~server() { stop(); }

boost::asio::io_context& server::io_context(unsigned worker) { return m_workers.at(worker)->io(); }

void server::bind_all() {
  for (const auto& requested : m_options.listen) {
    // Find a port free for both protocols (port 0: try a few the kernel offers).
    endpoint ep = requested;
    std::error_code ec;
    for (int attempt = 0; attempt < 32; ++attempt) {
      ep.port = requested.port;
      std::uint16_t port = ep.port;
      if (m_options.tcp) {
        ec = probe(ep, SOCK_STREAM, port);
        if (ec) fail(ep, "tcp", ec.message());
        ep.port = port;
      }
      if (m_options.udp) {
        ec = probe(ep, SOCK_DGRAM, port);
        if (ec && !(requested.port == 0 && m_options.tcp && ec == std::errc::address_in_use))
          fail(ep, "udp", ec.message());
        ep.port = port;
      }
      if (!ec) break;
    }
    if (ec) fail(ep, "udp", ec.message());

    auto state = std::make_unique<detail::tcp_listener_state>();
    state->bound = ep;
    const bool v6 = ep.address.is_v6();
    for (auto& w : m_workers) {
      try {
        if (m_options.udp) {
          udp::socket s(w->io());
          s.open(v6 ? udp::v6() : udp::v4());
          detail::set_reuse_port(s.native_handle());
          if (v6) s.set_option(boost::asio::ip::v6_only(true));
          if (m_options.udp_receive_buffer > 0) {
            boost::system::error_code ignored;  // best effort: capped by net.core.rmem_max
            s.set_option(udp::socket::receive_buffer_size(m_options.udp_receive_buffer), ignored);
          }
          s.bind(detail::to_udp(ep));
          w->add_udp(std::move(s));
        }
      } catch (const boost::system::system_error& e) {
        fail(ep, "udp", e.code().message());
      } catch (const std::system_error& e) {
        fail(ep, "udp", e.code().message());
      }
      try {
        if (m_options.tcp) {
          tcp::acceptor a(w->io());
          a.open(v6 ? tcp::v6() : tcp::v4());
          a.set_option(tcp::acceptor::reuse_address(true));
          detail::set_reuse_port(a.native_handle());
          if (v6) a.set_option(boost::asio::ip::v6_only(true));
          a.bind(detail::to_tcp(ep));
          a.listen();
          w->add_tcp(std::move(a), *state);
        }
      } catch (const boost::system::system_error& e) {
        fail(ep, "tcp", e.code().message());
      } catch (const std::system_error& e) {
        fail(ep, "tcp", e.code().message());
      }
    }
    m_bound.push_back(ep);
    m_listeners.push_back(std::move(state));
  }
}

void server::start() {
  if (m_started) return;
  m_started = true;
  for (auto& w : m_workers) m_threads.emplace_back([wp = w.get()] { wp->run(); });
}

void server::request_stop() {
  if (m_stop_requested.exchange(true)) return;
  for (auto& w : m_workers) boost::asio::post(w->io(), [wp = w.get()] { wp->shutdown(); });
}

void server::join() {
  const auto self = std::this_thread::get_id();
  for (auto& t : m_threads) {
    // A serving thread cannot wait for itself; the destructor of its owner will.
    if (t.joinable() && t.get_id() != self) t.join();
  }
}

server_stats server::stats() const {
  server_stats s;
  constexpr auto r = std::memory_order_relaxed;
  std::uint64_t closed = 0;
  for (const auto& w : m_workers) {
    const auto& c = w->counters();
    s.udp_received += c.udp_received.load(r);
    s.udp_replied += c.udp_replied.load(r);
    s.tcp_received += c.tcp_received.load(r);
    s.tcp_replied += c.tcp_replied.load(r);
    s.dropped_oversize += c.dropped_oversize.load(r);
    s.dropped_errors += c.dropped_errors.load(r);
    s.dropped_conn_limit += c.dropped_conn_limit.load(r);
    s.tcp_accepted += c.tcp_accepted.load(r);
    s.tcp_evicted += c.tcp_evicted.load(r);
    s.tcp_slow_closed += c.tcp_slow_closed.load(r);
    s.tcp_queue_closed += c.tcp_queue_closed.load(r);
    closed += c.tcp_closed.load(r);
  }
  s.tcp_queued_bytes = m_queued_bytes.load(r) + m_draining_bytes.load(r);
  s.tcp_open = s.tcp_accepted >= closed ? s.tcp_accepted - closed : 0;
  return s;
}

}  // namespace cidns::net
