#include "tcp_connection.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/write.hpp>

#include "reply_route.hpp"
#include "worker.hpp"

namespace cidns::net::detail {

namespace {
constexpr std::size_t initial_read_buffer = 4096;
constexpr std::size_t max_frame = 2 + 65535;
constexpr std::size_t max_spare = 8;               // reply strings kept for reuse per connection
constexpr std::size_t max_spare_capacity = 16384;  // ...unless a stream reuses larger ones
constexpr std::size_t stream_write_batch = 65536;  // bytes per write while streaming
using clock = std::chrono::steady_clock;
}  // namespace

tcp_connection::tcp_connection(boost::asio::ip::tcp::socket socket, worker& owner,
                               tcp_listener_state& listener, const peer_info& peer,
                               bool counted_client)
    : m_socket(std::move(socket)),
      m_owner(owner),
      m_listener(listener),
      m_peer(peer),
      m_counted_client(counted_client),
      m_rbuf(initial_read_buffer) {
  boost::system::error_code ec;
  m_peer.proto = transport::tcp;
  m_socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  if (owner.async_handler() != nullptr) {
    m_route = std::make_shared<reply_route>();
    m_route->tcp = this;
  }
}

tcp_connection::~tcp_connection() {
  if (m_route) m_route->tcp = nullptr;
  if (m_draining_bytes > 0) m_owner.drained(m_draining_bytes);
}

void tcp_connection::start() {
  m_last_activity = clock::now();
  m_last_progress = m_last_activity;
  pump();
}

void tcp_connection::begin_shutdown() {
  if (m_closed) return;
  end_stream();  // what it queued goes out; the rest of it would outlast any grace period
  m_closing = true;
  finish_if_done();
}

// While closing: write what is queued, close once nothing is queued or owed.
void tcp_connection::finish_if_done() {
  if (m_closed || !m_closing || m_writing || m_in_pump) return;
  if (m_stream) {  // the client half-closed during a stream: it may still read the rest
    pull_stream();
    if (m_over_bound) close();
    if (m_closed) return;
  }
  if (!m_queue.empty()) {
    write();
  } else if (m_owed == 0 && !m_stream) {
    close();
  }
}

void tcp_connection::close() {
  if (m_closed) return;
  m_closed = true;
  m_stream.reset();
  if (m_route) m_route->tcp = nullptr;
  auto self = shared_from_this();  // detach() may drop the registry's reference
  boost::system::error_code ec;
  m_socket.close(ec);
  m_listener.connections.fetch_sub(1, std::memory_order_relaxed);
  if (m_counted_client) m_listener.remove_client(m_peer.address);
  if (m_writing) {  // the write in progress still uses the queue: freed with the connection
    m_owner.draining(m_queued_bytes);
    m_draining_bytes = m_queued_bytes;
  } else {
    std::deque<queued_reply>().swap(m_queue);
    m_owner.unqueued(m_queued_bytes);
  }
  m_queued_bytes = 0;
  std::vector<std::string>().swap(m_spare);
  if (!m_reading) std::vector<std::uint8_t>().swap(m_rbuf);
  bump(m_owner.counters().tcp_closed);
  m_owner.detach(this);
}

void tcp_connection::check_deadlines(clock::time_point now, std::chrono::milliseconds idle) {
  if (m_closed) return;
  if (m_reading && m_message_started != clock::time_point{} &&
      now - m_message_started >= m_owner.options().tcp_message_timeout) {
    bump(m_owner.counters().tcp_slow_closed);
    close();
    return;
  }
  if (m_owed > 0) {
    m_last_activity = now;  // waiting for our own replies is not idling
  } else if (now - m_last_activity >= idle) {
    close();
  }
}

// Answers the complete frames already buffered (while the queue has room), then reads more.
void tcp_connection::pump() {
  const std::size_t limit = m_owner.options().tcp_max_in_flight;
  m_in_pump = true;  // replies sent from inside the handler only join the queue
  answer_frames();
  m_in_pump = false;
  if (m_over_bound) close();
  if (m_closed) return;
  if (!m_queue.empty() && !m_writing) write();
  if (m_closing) {
    finish_if_done();
    return;
  }
  if (m_reading) return;
  if (m_stream || m_queue.size() + m_owed >= limit || m_budget_wait) {
    m_paused = true;
    return;
  }
  read();
}

void tcp_connection::answer_frames() {
  const std::size_t limit = m_owner.options().tcp_max_in_flight;
  const std::size_t begin = m_rbegin;
  while (!m_closed && !m_closing && !m_over_bound) {
    if (m_stream && !pull_stream()) break;  // frames wait until the stream is over
    if (m_queue.size() + m_owed >= limit) break;
    const std::size_t avail = m_rend - m_rbegin;
    if (avail < 2) break;
    if (m_owner.over_budget()) {      // answer later, when the queues have drained
      if (m_owner.queued(0, this)) {  // ...unless this is the connection holding the most
        m_over_bound = true;
        break;
      }
      if (!m_budget_wait) m_owner.wait_for_budget(weak_from_this());
      m_budget_wait = true;
      break;
    }
    const std::size_t len = (std::size_t{m_rbuf[m_rbegin]} << 8) | m_rbuf[m_rbegin + 1];
    if (len == 0) {  // never a valid message: treat as a protocol error
      bump(m_owner.counters().dropped_errors);
      close();
      return;
    }
    if (avail < 2 + len) break;
    answer({m_rbuf.data() + m_rbegin + 2, len});
    m_rbegin += 2 + len;
  }
  if (m_closed) return;
  // The deadline runs for the message now at the front, from when its first byte came (the
  // last read, when that read also completed the messages before it).
  if (m_rbegin == m_rend) {
    m_message_started = {};
  } else if (m_rbegin != begin) {
    m_message_started = clock::now();
  }
}

void tcp_connection::read() {
  // Move the partial frame to the front, and make room for all of it.
  const std::size_t avail = m_rend - m_rbegin;
  if (m_rbegin > 0) {
    if (avail > 0) std::memmove(m_rbuf.data(), m_rbuf.data() + m_rbegin, avail);
    m_rbegin = 0;
    m_rend = avail;
  }
  std::size_t need = 2;
  if (avail >= 2) need = 2 + ((std::size_t{m_rbuf[0]} << 8) | m_rbuf[1]);
  if (m_rbuf.size() < need || m_rend == m_rbuf.size())
    m_rbuf.resize(std::min(max_frame, std::max(need, m_rbuf.size() * 2)));
  if (m_paused) {  // the client was not the one keeping this message waiting
    m_paused = false;
    if (avail > 0) m_message_started = clock::now();
  }

  m_reading = true;
  m_socket.async_read_some(boost::asio::buffer(m_rbuf.data() + m_rend, m_rbuf.size() - m_rend),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->on_read(ec, n); });
}

void tcp_connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  m_reading = false;
  if (m_closed) return;
  if (m_closing || ec == boost::asio::error::eof) {
    // Stopping, or the client half-closed: answer nothing more, flush what is queued (and,
    // with an asynchronous handler, what is still owed).
    m_closing = true;
    finish_if_done();
    return;
  }
  if (ec) {
    close();
    return;
  }
  m_last_activity = clock::now();
  if (m_rend == m_rbegin) m_message_started = m_last_activity;
  m_rend += n;
  pump();
}

void tcp_connection::answer(std::span<const std::uint8_t> query) {
  auto& counters = m_owner.counters();
  bump(counters.tcp_received);
  m_last_progress = clock::now();
  m_answered_any = true;
  if (auto* async = m_owner.async_handler()) {
    ++m_owed;
    try {
      async->handle(query, m_peer, m_owner.index(), reply_sink(m_route, m_peer));
    } catch (...) {
      bump(counters.dropped_errors);  // the sink, destroyed unsent, has settled the debt
    }
    return;
  }
  auto* handler = m_owner.handler();
  try {
    m_stream = handler->stream(query, m_peer);
  } catch (...) {
    bump(counters.dropped_errors);
    return;
  }
  if (m_stream) return;  // answer_frames() pulls it
  std::string body = spare_string();
  try {
    handler->handle(query, m_peer, body);
  } catch (...) {
    bump(counters.dropped_errors);
    body.clear();
  }
  if (body.size() > 65535) {  // cannot be framed: the handler broke the contract
    bump(counters.dropped_errors);
    body.clear();
  }
  if (body.empty()) {
    if (m_spare.size() < max_spare) m_spare.push_back(std::move(body));
    return;
  }
  enqueue(std::move(body));
}

std::string tcp_connection::spare_string() {
  std::string s;
  if (!m_spare.empty()) {
    s = std::move(m_spare.back());
    m_spare.pop_back();
    s.clear();
  }
  return s;
}

// Pulls the stream's messages into the queue while it holds under tcp_stream_window bytes.
// True when the stream is over (frames may be answered again); false while it goes on, or
// when it failed (the connection is then closing).
bool tcp_connection::pull_stream() {
  const std::size_t window = m_owner.options().tcp_stream_window;
  while (m_queued_bytes < window && !m_over_bound) {
    if (m_owner.over_budget()) {  // as for a frame: wait until the queues have drained
      if (m_owner.queued(0, this)) {
        m_over_bound = true;
      } else if (!m_budget_wait) {
        m_owner.wait_for_budget(weak_from_this());
        m_budget_wait = true;
      }
      return false;
    }
    std::string body = spare_string();
    bool more = false;
    try {
      more = m_stream->next(body);
    } catch (...) {
      fail_stream();
      return false;
    }
    if (!more) {
      end_stream();
      return true;
    }
    if (body.empty() || body.size() > 65535) {  // cannot be framed
      fail_stream();
      return false;
    }
    enqueue(std::move(body));
  }
  return false;
}

void tcp_connection::end_stream() {
  if (!m_stream) return;
  m_stream.reset();
  std::erase_if(m_spare, [](const std::string& s) { return s.capacity() > max_spare_capacity; });
}

// The stream broke its contract: what it queued goes out, then the connection closes.
void tcp_connection::fail_stream() {
  bump(m_owner.counters().dropped_errors);
  end_stream();
  m_closing = true;
}

void tcp_connection::enqueue(std::string body) {
  const auto size = body.size();
  const auto bytes = body.capacity();
  m_queue.push_back(
      queued_reply{{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size & 0xff)},
                   std::move(body)});
  m_queued_bytes += bytes;
  if (m_owner.queued(bytes, this)) m_over_bound = true;
}

void tcp_connection::deliver(std::string body) {
  if (m_owed > 0) --m_owed;
  if (m_closed) return;
  if (body.size() > 65535) {  // cannot be framed
    bump(m_owner.counters().dropped_errors);
    body.clear();
  }
  if (!body.empty()) enqueue(std::move(body));
  if (m_over_bound && !m_in_pump) {
    close();
    return;
  }
  settled();
}

void tcp_connection::abandon() {
  if (m_owed > 0) --m_owed;
  if (!m_closed) settled();
}

void tcp_connection::resume() {
  if (!m_budget_wait) return;
  m_budget_wait = false;
  if (m_closed || m_closing || m_in_pump) return;
  pump();
}

// A reply owed was sent or dropped: write it, resume reading, or finish closing.
void tcp_connection::settled() {
  if (m_in_pump) return;  // pump() goes on from here itself
  if (m_closing) {
    finish_if_done();
    return;
  }
  m_last_activity = clock::now();
  pump();
}

void tcp_connection::write() {
  m_in_write = m_queue.size();
  if (m_stream) {  // small batches, so that a client reading slowly shows progress
    std::size_t bytes = m_queue.front().body.size();
    for (m_in_write = 1; m_in_write < m_queue.size(); ++m_in_write) {
      bytes += m_queue[m_in_write].body.size();
      if (bytes > stream_write_batch) break;
    }
  }
  m_wbufs.clear();
  for (std::size_t i = 0; i < m_in_write; ++i) {
    m_wbufs.push_back(boost::asio::buffer(m_queue[i].length));
    m_wbufs.push_back(boost::asio::buffer(m_queue[i].body));
  }
  m_writing = true;
  boost::asio::async_write(m_socket, m_wbufs,
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t) { self->on_write(ec); });
}

void tcp_connection::on_write(const boost::system::error_code& ec) {
  m_writing = false;
  if (m_closed) return;
  if (ec) {
    close();
    return;
  }
  m_last_activity = clock::now();
  m_last_progress = m_last_activity;
  bump(m_owner.counters().tcp_replied, m_in_write);
  std::size_t freed = 0;
  for (std::size_t i = 0; i < m_in_write; ++i) {
    auto& body = m_queue.front().body;
    freed += body.capacity();
    if (m_spare.size() < max_spare && (body.capacity() <= max_spare_capacity || m_stream))
      m_spare.push_back(std::move(body));
    m_queue.pop_front();
  }
  m_in_write = 0;
  freed = std::min(freed, m_queued_bytes);
  m_queued_bytes -= freed;
  m_owner.unqueued(freed);
  if (m_closing) {
    finish_if_done();
    return;
  }
  pump();
}

}  // namespace cidns::net::detail
