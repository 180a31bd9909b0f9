#include "udp_receiver.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "cidns/util/log.hpp"

#include "reply_route.hpp"
#include "socket_util.hpp"
#include "worker.hpp"

namespace cidns::net::detail {

namespace {
// recvmmsg rounds before yielding to the other sockets of this thread.
constexpr int max_rounds = 8;
// Replies kept at this capacity or less; a rare huge one is not kept around.
constexpr std::size_t reply_keep_capacity = 16384;

// A reply the kernel refuses as too large for a datagram (EMSGSIZE) is a handler that did
// not cap its UDP replies: counted in dropped_errors and logged, at most once a minute, so
// that it is never lost silently.
void note_send_failure(int error, std::size_t size) {
  if (error != EMSGSIZE) return;
  static std::atomic<std::int64_t> next_log{0};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t due = next_log.load(std::memory_order_relaxed);
  if (now < due || !next_log.compare_exchange_strong(due, now + 60)) return;
  log::warning("udp: a {}-byte reply is too large for a datagram: dropped", size);
}
}  // namespace

udp_receiver::udp_receiver(boost::asio::ip::udp::socket socket, worker& owner)
    : m_socket(std::move(socket)),
      m_owner(owner),
      m_batch(owner.options().udp_batch),
      m_buffer_size(owner.options().udp_buffer_size),
      m_buffers(m_batch * m_buffer_size),
      m_peers(m_batch),
      m_recv_iov(m_batch),
      m_recv(m_batch),
      m_replies(m_batch),
      m_send_iov(m_batch),
      m_send(m_batch) {
  for (std::size_t i = 0; i < m_batch; ++i) {
    m_recv_iov[i] = iovec{m_buffers.data() + i * m_buffer_size, m_buffer_size};
    m_replies[i].reserve(1232);
  }
  m_socket.non_blocking(true);
  if (owner.async_handler() != nullptr) {
    m_route = std::make_shared<reply_route>();
    m_route->udp = this;
    m_reply_peers.resize(m_batch);
  }
}

udp_receiver::~udp_receiver() {
  if (m_route) m_route->udp = nullptr;
}

void udp_receiver::start() { wait(); }

void udp_receiver::close() {
  m_closed = true;
  if (m_route) m_route->udp = nullptr;
  boost::system::error_code ec;
  m_socket.close(ec);
}

void udp_receiver::wait() {
  // async_wait re-arms the descriptor in epoll (EPOLL_CTL_MOD), which reports it again if
  // datagrams are still queued, so leaving some behind after max_rounds loses nothing.
  m_socket.async_wait(boost::asio::ip::udp::socket::wait_read,
                      [this](const boost::system::error_code& ec) {
                        if (ec || m_closed) return;
                        drain();
                        if (!m_closed) wait();
                      });
}

int udp_receiver::receive_batch() {
  for (std::size_t i = 0; i < m_batch; ++i) {
    auto& h = m_recv[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &m_peers[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &m_recv_iov[i];
    h.msg_iovlen = 1;
    m_recv[i].msg_len = 0;
  }
  for (;;) {
    const int n = ::recvmmsg(m_socket.native_handle(), m_recv.data(),
                             static_cast<unsigned>(m_batch), MSG_DONTWAIT, nullptr);
    if (n > 0) {
      bump(m_owner.counters().udp_received, static_cast<std::uint64_t>(n));
      return n;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    // ECONNREFUSED and friends: ICMP errors from earlier replies, not ours to act on.
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED) {
      bump(m_owner.counters().dropped_errors);
    }
    return 0;
  }
}

// The synchronous handler: every reply of a batch goes out in one sendmmsg.
void udp_receiver::drain() {
  if (m_route) {
    drain_async();
    return;
  }
  auto& counters = m_owner.counters();
  auto& handler = *m_owner.handler();
  peer_info from;
  from.proto = transport::udp;

  for (int round = 0; round < max_rounds; ++round) {
    const int n = receive_batch();
    if (n == 0) return;

    unsigned replies = 0;
    for (int i = 0; i < n; ++i) {
      const auto& h = m_recv[i].msg_hdr;
      if (h.msg_flags & MSG_TRUNC) {
        bump(counters.dropped_oversize);
        continue;
      }
      std::string& reply = m_replies[replies];
      if (reply.capacity() > reply_keep_capacity) {
        std::string().swap(reply);
        reply.reserve(1232);
      }
      reply.clear();
      peer_from_sockaddr(m_peers[i], from);
      try {
        handler.handle({m_buffers.data() + i * m_buffer_size, m_recv[i].msg_len}, from, reply);
      } catch (...) {
        bump(counters.dropped_errors);
        reply.clear();
      }
      if (reply.empty()) continue;
      m_send_iov[replies] = iovec{reply.data(), reply.size()};
      auto& s = m_send[replies].msg_hdr;
      s = msghdr{};
      s.msg_name = &m_peers[i];
      s.msg_namelen = h.msg_namelen;
      s.msg_iov = &m_send_iov[replies];
      s.msg_iovlen = 1;
      ++replies;
    }
    send_replies(replies);
    if (static_cast<std::size_t>(n) < m_batch) return;
  }
}

// The asynchronous handler: each datagram gets a sink; its reply leaves by send_later().
void udp_receiver::drain_async() {
  auto& counters = m_owner.counters();
  auto& handler = *m_owner.async_handler();
  const unsigned index = m_owner.index();
  peer_info from;
  from.proto = transport::udp;

  for (int round = 0; round < max_rounds && !m_closed; ++round) {
    const int n = receive_batch();
    if (n == 0) return;
    m_batching = true;
    for (int i = 0; i < n && !m_closed; ++i) {
      if (m_recv[i].msg_hdr.msg_flags & MSG_TRUNC) {
        bump(counters.dropped_oversize);
        continue;
      }
      peer_from_sockaddr(m_peers[i], from);
      try {
        handler.handle({m_buffers.data() + i * m_buffer_size, m_recv[i].msg_len}, from, index,
                       reply_sink(m_route, from));
      } catch (...) {
        bump(counters.dropped_errors);
      }
    }
    m_batching = false;
    flush_pending();
    if (static_cast<std::size_t>(n) < m_batch) return;
  }
}

void udp_receiver::flush_pending() {
  const unsigned count = std::exchange(m_pending, 0u);
  if (count == 0 || m_closed) return;
  send_replies(count);
  for (unsigned k = 0; k < count; ++k) {
    std::string& reply = m_replies[k];
    if (reply.capacity() > reply_keep_capacity) {
      std::string().swap(reply);
      reply.reserve(1232);
    }
  }
}

void udp_receiver::send_later(const peer_info& to, std::string_view bytes) {
  if (m_closed || bytes.empty()) return;
  if (m_batching) {
    if (m_pending == m_batch) flush_pending();
    const unsigned k = m_pending++;
    std::string& reply = m_replies[k];
    reply.assign(bytes);
    m_send_iov[k] = iovec{reply.data(), reply.size()};
    auto& h = m_send[k].msg_hdr;
    h = msghdr{};
    h.msg_name = &m_reply_peers[k];
    h.msg_namelen = to_sockaddr(endpoint{to.address, to.port}, m_reply_peers[k]);
    h.msg_iov = &m_send_iov[k];
    h.msg_iovlen = 1;
    return;
  }
  auto& counters = m_owner.counters();
  sockaddr_storage sa;
  const socklen_t len = to_sockaddr(endpoint{to.address, to.port}, sa);
  for (;;) {
    const ssize_t r = ::sendto(m_socket.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(&sa), len);
    if (r >= 0) {
      bump(counters.udp_replied);
      return;
    }
    if (errno == EINTR) continue;
    // A full send buffer or a datagram too large: dropped, as in send_replies().
    note_send_failure(errno, bytes.size());
    bump(counters.dropped_errors);
    return;
  }
}

void udp_receiver::send_replies(unsigned count) {
  const int fd = m_socket.native_handle();
  auto& counters = m_owner.counters();
  unsigned done = 0;
  while (done < count) {
    const int r = ::sendmmsg(fd, m_send.data() + done, count - done, MSG_DONTWAIT);
    if (r > 0) {
      bump(counters.udp_replied, static_cast<std::uint64_t>(r));
      done += static_cast<unsigned>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Send buffer full: drop the rest rather than stall every other client.
      bump(counters.dropped_errors, count - done);
      return;
    }
    // This message failed (e.g. too large for a datagram): count it and go on.
    note_send_failure(r < 0 ? errno : 0, m_send[done].msg_hdr.msg_iov->iov_len);
    bump(counters.dropped_errors);
    ++done;
  }
}

}  // namespace cidns::net::detail
