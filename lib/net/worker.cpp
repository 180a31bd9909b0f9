#include "worker.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include "cidns/util/trim_memory.hpp"
#include "tcp_connection.hpp"
#include "tcp_listener.hpp"
#include "udp_receiver.hpp"

namespace cidns::net::detail {

namespace {
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
// Trim when this thread's queues held at least this much and have drained to a quarter.
constexpr std::size_t trim_peak = std::size_t{4} << 20;
constexpr std::size_t trim_closes = 32;  // ...or after this many closed connections
constexpr auto trim_delay = milliseconds(200);
constexpr auto trim_spacing = milliseconds(1000);
// A connection is closed for the queued-bytes bound only when it holds at least this much.
constexpr std::size_t min_queue_offender = 64 * 1024;
}  // namespace

bool tcp_listener_state::add_client(const boost::asio::ip::address& from, std::size_t cap) {
  std::lock_guard lock(clients_mutex);
  auto& n = clients[from];
  if (n >= cap) {
    if (n == 0) clients.erase(from);
    return false;
  }
  ++n;
  return true;
}

void tcp_listener_state::remove_client(const boost::asio::ip::address& from) {
  std::lock_guard lock(clients_mutex);
  auto it = clients.find(from);
  if (it == clients.end()) return;
  if (--it->second == 0) clients.erase(it);
}

worker::worker(const server_options& options, unsigned index, query_handler* handler,
               async_query_handler* async, std::atomic<std::size_t>& queued_bytes,
               std::atomic<std::size_t>& draining_bytes)
    : m_options(options),
      m_index(index),
      m_handler(handler),
      m_async(async),
      m_queued_total(queued_bytes),
      m_draining_total(draining_bytes) {}

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
  m_trim.cancel();
  if (m_connections.empty()) {
    m_sweep.cancel();
    return;
  }
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
  if (!m_sweeping) arm_sweep();
}

void worker::detach(tcp_connection* connection) {
  m_connections.erase(connection);
  if (m_stopping && m_connections.empty()) {
    m_grace.cancel();
    m_sweep.cancel();
  }
  if (++m_closes_since_trim >= trim_closes) schedule_trim();
}

bool worker::evict_one(const tcp_listener_state& listener) {
  const auto protect = clock::now() - m_options.tcp_evict_grace;
  // Those that never sent a complete message first, then the longest without progress.
  auto worse = [](const tcp_connection* a, const tcp_connection* b) {
    if (a->answered_any() != b->answered_any()) return !a->answered_any();
    return a->last_progress() < b->last_progress();
  };
  tcp_connection* victim = nullptr;
  for (auto& [c, _] : m_connections) {
    if (&c->listener() != &listener || !c->evictable() || c->last_progress() > protect) continue;
    if (victim == nullptr || worse(c, victim)) victim = c;
  }
  if (victim == nullptr) return false;
  bump(m_counters.tcp_evicted);
  victim->close();
  return true;
}

milliseconds worker::idle_timeout(const tcp_listener_state& listener) const {
  const auto full = m_options.tcp_idle_timeout;
  const auto floor = std::min(m_options.tcp_min_idle_timeout, full);
  const std::size_t limit = m_options.tcp_max_connections;
  const std::size_t open = listener.connections.load(std::memory_order_relaxed);
  const std::size_t half = limit / 2;
  if (limit == 0 || open <= half) return full;
  // Linear from the full timeout at half occupancy to the floor when full.
  const std::size_t free = open >= limit ? 0 : limit - open;
  const auto scaled = full * static_cast<long>(free) / static_cast<long>(limit - half);
  return std::max(floor, milliseconds(scaled));
}

// Every connection's deadlines, checked a few times per shortest deadline.
void worker::arm_sweep() {
  if (m_connections.empty()) {
    m_sweeping = false;
    return;
  }
  m_sweeping = true;
  const auto shortest = std::min(
      {m_options.tcp_idle_timeout, m_options.tcp_min_idle_timeout, m_options.tcp_message_timeout});
  const auto period = std::clamp(shortest / 4, milliseconds(10), milliseconds(250));
  m_sweep.expires_after(period);
  m_sweep.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      m_sweeping = false;
      return;
    }
    sweep();
    arm_sweep();
  });
}

void worker::sweep() {
  const auto now = clock::now();
  std::vector<std::shared_ptr<tcp_connection>> live;
  live.reserve(m_connections.size());
  for (auto& [_, c] : m_connections) live.push_back(c);
  for (auto& c : live) c->check_deadlines(now, idle_timeout(c->listener()));
  // Room made by another thread wakes nobody here: look now and then.
  if (!m_budget_waiters.empty() && !over_budget()) wake_budget_waiters();
}

bool worker::queued(std::size_t bytes, const tcp_connection* from) {
  m_queued += bytes;
  m_queued_peak = std::max(m_queued_peak, m_queued);
  auto total = m_queued_total.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  // Over the bound: close this thread's connections holding the most queued bytes until under
  // it (other threads do the same for theirs as they queue).
  while (total > m_options.tcp_max_queued_bytes) {
    tcp_connection* worst = nullptr;
    for (auto& [c, _] : m_connections)
      if (worst == nullptr || c->queued_bytes() > worst->queued_bytes()) worst = c;
    if (worst == nullptr || worst->queued_bytes() < min_queue_offender) return false;
    bump(m_counters.tcp_queue_closed);
    if (worst == from) return true;
    worst->close();
    total = m_queued_total.load(std::memory_order_relaxed);
  }
  return false;
}

void worker::unqueued(std::size_t bytes) {
  m_queued_total.fetch_sub(bytes, std::memory_order_relaxed);
  release(bytes);
}

void worker::draining(std::size_t bytes) {
  m_queued_total.fetch_sub(bytes, std::memory_order_relaxed);
  m_draining_total.fetch_add(bytes, std::memory_order_relaxed);
}

void worker::drained(std::size_t bytes) {
  m_draining_total.fetch_sub(bytes, std::memory_order_relaxed);
  release(bytes);
}

void worker::release(std::size_t bytes) {
  m_queued -= std::min(bytes, m_queued);
  if (m_stopping) return;
  if (m_queued_peak >= trim_peak && m_queued <= m_queued_peak / 4) schedule_trim();
  if (!m_budget_waiters.empty() && !m_wake_posted && !over_budget()) {
    m_wake_posted = true;  // not from inside the connection that released
    boost::asio::post(m_io, [this] { wake_budget_waiters(); });
  }
}

bool worker::over_budget() const {
  return m_queued_total.load(std::memory_order_relaxed) +
             m_draining_total.load(std::memory_order_relaxed) >
         m_options.tcp_max_queued_bytes;
}

void worker::wait_for_budget(std::weak_ptr<tcp_connection> connection) {
  m_budget_waiters.push_back(std::move(connection));
}

void worker::wake_budget_waiters() {
  m_wake_posted = false;
  auto waiters = std::move(m_budget_waiters);
  m_budget_waiters.clear();
  for (auto& w : waiters)
    if (auto c = w.lock()) c->resume();
}

// Gives memory back to the system once the load is gone: glibc keeps freed memory in its
// arenas, so RSS would otherwise stay at its peak after hostile clients leave.
void worker::schedule_trim() {
  if (m_trim_armed || m_stopping) return;
  m_trim_armed = true;
  const auto earliest = m_last_trim + trim_spacing;
  m_trim.expires_at(std::max(clock::now() + trim_delay, earliest));
  m_trim.async_wait([this](const boost::system::error_code& ec) {
    m_trim_armed = false;
    if (ec) return;
    util::trim_memory();
    m_last_trim = clock::now();
    m_queued_peak = m_queued;
    m_closes_since_trim = 0;
  });
}

}  // namespace cidns::net::detail
