// cidns-perf: a load generator for the cidns protocol over UDP, in the manner of
// dnsperf. Reads a query file ("NAME [TYPE]" per line), encodes every query once,
// and keeps N queries outstanding (or sends at a fixed rate) for a duration, then
// prints sent / completed / lost, queries per second, latency percentiles, rcode
// and TC counts.
//
// Hot path: per sender thread one connected non-blocking UDP socket, an in-flight
// table of slots (id = generation << 16 | slot, send timestamp), a free list of
// slots, sendmmsg/recvmmsg in batches of 64 and ppoll when there is nothing to do.
// A query is sent as two iovecs: the slot's 5-byte id field (tag 0x0d + fixed32,
// which wire::encode writes first) and the shared pre-encoded rest, so sending
// allocates and copies nothing. Replies are matched with wire::peek_id; flags and
// rcode come from a scan of the top-level fields, without a full decode.
//
// Exit status: 0 when at least one reply came back, 1 when none did or the socket
// failed, 2 on usage errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/wire/message.hpp"
#include "perf_histogram.hpp"

namespace {

using namespace cidns;
using bench::latency_histogram;

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

constexpr std::size_t batch_size = 64;
// Queries carry no max_size, so replies stay within wire::default_udp_size (1232); larger
// ones arrive cut (MSG_TRUNC) and count as malformed. The odd stride keeps the buffers off
// the same cache sets.
constexpr std::size_t recv_buffer_size = 4096 + 64;
constexpr std::size_t id_field_size = 5;             // tag 0x0d + fixed32 little-endian
constexpr char id_tag = 0x0d;                        // field 1, wire type 5 (fixed32)
constexpr std::size_t max_slots_per_thread = 65535;  // the slot is the id's low 16 bits
constexpr std::int64_t scan_period_ns = 5'000'000;   // how often timeouts are looked for
constexpr std::size_t rcode_slots = 32;              // rcodes counted by value; others lumped

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int /*signo*/) { g_interrupted.store(true, std::memory_order_relaxed); }

std::int64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// ---- configuration ---------------------------------------------------------

struct server_address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;
};

// ADDR, ADDR:PORT, [V6]:PORT, [V6] or a bare IPv6 address (no host names).
std::optional<server_address> parse_server(std::string_view text, std::uint16_t default_port) {
  std::string host;
  std::optional<std::string> port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = std::string(rest.substr(1));
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = std::string(text.substr(0, colon));
    port_text = std::string(text.substr(colon + 1));
  } else {
    host = std::string(text);
  }
  std::uint16_t port = default_port;
  if (port_text) {
    if (port_text->empty() || port_text->size() > 5 ||
        port_text->find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    const unsigned long p = std::stoul(*port_text);
    if (p == 0 || p > 65535) return std::nullopt;
    port = static_cast<std::uint16_t>(p);
  }
  server_address a;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&a.storage, &v4, sizeof v4);
    a.length = sizeof v4;
    a.text = fmt::format("{}:{}", host, port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&a.storage, &v6, sizeof v6);
    a.length = sizeof v6;
    a.text = fmt::format("[{}]:{}", host, port);
  } else {
    return std::nullopt;
  }
  return a;
}

struct config {
  server_address server;
  std::string query_file;
  record::rtype default_type = record::rtype::desc;
  unsigned outstanding = 100;
  double duration_s = 0;  // 0: one pass through the query file
  double qps = 0;         // 0: as fast as the outstanding limit allows
  unsigned threads = 1;
  double timeout_s = 1.0;
  bool json = false;
};

// ---- queries -----------------------------------------------------------------

// Every query encoded once, back to back, without its leading id field.
struct query_set {
  std::string bytes;
  std::vector<std::uint32_t> offsets;  // size() + 1 entries
  std::size_t size() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::string_view body(std::size_t i) const noexcept {
    return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Reads "NAME [TYPE]" lines (blank lines and '#' comments skipped); errors as "FILE:LINE: ...".
bool load_queries(const config& cfg, query_set& out, std::string& error) {
  std::ifstream in(cfg.query_file);
  if (!in) {
    error = fmt::format("{}: cannot open: {}", cfg.query_file, std::strerror(errno));
    return false;
  }
  std::string line;
  std::string encoded;
  std::size_t line_no = 0;
  out.offsets.assign(1, 0);
  while (std::getline(in, line)) {
    ++line_no;
    const auto l = trim(line);
    if (l.empty() || l.front() == '#') continue;
    const auto ws = l.find_first_of(" \t");
    const auto name_text = l.substr(0, ws);
    const auto type_text = ws == std::string_view::npos ? std::string_view{} : trim(l.substr(ws));
    auto name = name::identifier::parse(name_text);
    if (!name) {
      error = fmt::format("{}:{}: {}: {}", cfg.query_file, line_no, name_text, name.err().message);
      return false;
    }
    record::rtype type = cfg.default_type;
    if (!type_text.empty()) {
      if (type_text.find_first_of(" \t") != std::string_view::npos) {
        error = fmt::format("{}:{}: expected NAME [TYPE]", cfg.query_file, line_no);
        return false;
      }
      auto t = record::parse_type(type_text);
      if (!t) {
        error = fmt::format("{}:{}: unknown type {}", cfg.query_file, line_no, type_text);
        return false;
      }
      type = *t;
    }
    wire::message m;
    m.id = 0xffffffffU;  // non-zero, so that the encoder writes the id field
    m.opcode = wire::opcode::query;
    m.question = wire::question{std::move(*name), type};
    encoded.clear();
    wire::encode(m, encoded);
    if (encoded.size() <= id_field_size || encoded.front() != id_tag) {
      error = "wire::encode no longer writes the id field first";
      return false;
    }
    out.bytes.append(encoded, id_field_size);
    out.offsets.push_back(static_cast<std::uint32_t>(out.bytes.size()));
  }
  if (out.size() == 0) {
    error = fmt::format("{}: no queries", cfg.query_file);
    return false;
  }
  return true;
}

// ---- replies -------------------------------------------------------------------

struct reply_fields {
  std::uint32_t flags = 0;
  std::int64_t rcode = 0;
};

bool read_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) noexcept {
  v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    const unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7fU) << shift;
    if ((b & 0x80U) == 0) return true;
  }
  return false;
}

// Walks the top-level fields of a Message, keeping flags (3) and rcode (4) and
// skipping the rest; false on bytes that are not well-formed protobuf.
bool scan_reply(std::string_view bytes, reply_fields& out) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto end = p + bytes.size();
  while (p != end) {
    std::uint64_t key = 0;
    if (!read_varint(p, end, key)) return false;
    const auto field = key >> 3U;
    std::uint64_t v = 0;
    switch (key & 7U) {
      case 0:
        if (!read_varint(p, end, v)) return false;
        if (field == 3) out.flags = static_cast<std::uint32_t>(v);
        if (field == 4) out.rcode = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        break;
      case 1:
        if (end - p < 8) return false;
        p += 8;
        break;
      case 2:
        if (!read_varint(p, end, v) || v > static_cast<std::uint64_t>(end - p)) return false;
        p += v;
        break;
      case 5:
        if (end - p < 4) return false;
        p += 4;
        break;
      default:
        return false;
    }
  }
  return true;
}

// ---- one sender thread -------------------------------------------------------

struct thread_result {
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t lost = 0;  // no reply within the timeout
  std::uint64_t truncated = 0;
  std::uint64_t unexpected = 0;  // an id not in flight: late (after its timeout) or foreign
  std::uint64_t malformed = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t recv_errors = 0;
  std::array<std::uint64_t, rcode_slots> rcodes{};
  std::uint64_t rcode_other = 0;
  latency_histogram latency;
  std::uint64_t request_bytes = 0;
  std::uint64_t response_bytes = 0;
  std::int64_t first_send_ns = 0;
  std::int64_t last_reply_ns = 0;
  std::int64_t send_end_ns = 0;  // when this thread stopped sending
  std::string fatal;             // a socket that could not be set up
};

struct slot {
  std::int64_t sent_ns = 0;
  std::uint32_t id = 0;
  std::uint16_t generation = 0;
  bool busy = false;
  std::array<char, 8> id_field{};  // tag + 4 id bytes, pointed to by the send iovec
};

class sender {
 public:
  sender(const config& cfg, const query_set& queries, unsigned index, std::int64_t start_ns,
         thread_result& result)
      : m_cfg(cfg),
        m_queries(queries),
        m_result(result),
        m_start_ns(start_ns),
        m_next_query(index) {
    const unsigned t = cfg.threads;
    m_capacity = cfg.outstanding / t + (index < cfg.outstanding % t ? 1U : 0U);
    m_rate = cfg.qps / t;
    m_end_ns = cfg.duration_s > 0 ? start_ns + static_cast<std::int64_t>(cfg.duration_s * 1e9) : 0;
    m_timeout_ns = static_cast<std::int64_t>(cfg.timeout_s * 1e9);
    m_step = t;
    m_slots.resize(m_capacity);
    m_free.reserve(m_capacity);
    for (std::size_t i = m_capacity; i-- > 0;) m_free.push_back(static_cast<std::uint32_t>(i));
    m_recv_buffers.resize(batch_size * recv_buffer_size);
    for (std::size_t i = 0; i < batch_size; ++i) {
      m_recv_iov[i] = {m_recv_buffers.data() + i * recv_buffer_size, recv_buffer_size};
      m_recv_msgs[i].msg_hdr.msg_iov = &m_recv_iov[i];
      m_recv_msgs[i].msg_hdr.msg_iovlen = 1;
    }
  }

  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;
  ~sender() {
    if (m_fd >= 0) ::close(m_fd);
  }

  void run() {
    if (!open_socket()) return;
    // Fixed-rate sending sleeps in ppoll between queries: wake on time, not 50 µs late.
    if (m_rate > 0) (void)::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    std::int64_t next_scan = now_ns() + scan_period_ns;
    for (;;) {
      std::int64_t now = now_ns();
      const bool sending = still_sending(now);
      if (sending && !m_send_blocked) (void)send_batch(now);
      const std::size_t received = receive_batch();
      now = now_ns();
      if (now >= next_scan) {
        expire(now);
        next_scan = now + scan_period_ns;
      }
      if (!still_sending(now)) {
        if (m_result.send_end_ns == 0) m_result.send_end_ns = now;
        if (m_in_flight == 0) break;
      }
      if (received > 0 || can_send_more(now)) continue;
      wait(now, next_scan);
    }
  }

 private:
  bool open_socket() {
    const auto family = m_cfg.server.storage.ss_family;
    m_fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
      m_result.fatal = fmt::format("socket: {}", std::strerror(errno));
      return false;
    }
    const int buf = 8 << 20;  // best effort: capped by net.core.{r,w}mem_max
    (void)::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    (void)::setsockopt(m_fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&m_cfg.server.storage),
                  m_cfg.server.length) != 0) {
      m_result.fatal = fmt::format("connect {}: {}", m_cfg.server.text, std::strerror(errno));
      return false;
    }
    return true;
  }

  bool still_sending(std::int64_t now) const noexcept {
    if (g_interrupted.load(std::memory_order_relaxed)) return false;
    if (m_end_ns != 0) return now < m_end_ns;
    return m_next_query < m_queries.size();  // one pass
  }

  // How many more queries the rate limit allows now (unlimited without -Q).
  std::uint64_t rate_allowance(std::int64_t now) const noexcept {
    if (m_rate <= 0) return batch_size;
    const double due = static_cast<double>(now - m_start_ns) * 1e-9 * m_rate + 1.0;
    const auto d = static_cast<std::uint64_t>(due);
    return d > m_result.sent ? d - m_result.sent : 0;
  }

  bool can_send_more(std::int64_t now) const noexcept {
    return !m_send_blocked && !m_free.empty() && still_sending(now) && rate_allowance(now) > 0;
  }

  std::size_t send_batch(std::int64_t now) {
    std::size_t k = std::min<std::size_t>(batch_size, m_free.size());
    k = std::min<std::size_t>(k, rate_allowance(now));
    if (m_end_ns == 0)
      k = std::min<std::size_t>(k, (m_queries.size() - m_next_query + m_step - 1) / m_step);
    if (k == 0) return 0;
    std::size_t q = m_next_query;
    for (std::size_t i = 0; i < k; ++i) {
      if (q >= m_queries.size()) q %= m_step;  // wrap around (timed runs only)
      const std::uint32_t s = m_free[m_free.size() - 1 - i];
      slot& sl = m_slots[s];
      if (++sl.generation == 0) sl.generation = 1;
      sl.id = (static_cast<std::uint32_t>(sl.generation) << 16U) | s;
      sl.id_field[0] = id_tag;
      sl.id_field[1] = static_cast<char>(sl.id & 0xffU);
      sl.id_field[2] = static_cast<char>((sl.id >> 8U) & 0xffU);
      sl.id_field[3] = static_cast<char>((sl.id >> 16U) & 0xffU);
      sl.id_field[4] = static_cast<char>(sl.id >> 24U);
      const auto body = m_queries.body(q);
      m_iov[i][0] = {sl.id_field.data(), id_field_size};
      m_iov[i][1] = {const_cast<char*>(body.data()), body.size()};
      m_send_msgs[i] = {};
      m_send_msgs[i].msg_hdr.msg_iov = m_iov[i].data();
      m_send_msgs[i].msg_hdr.msg_iovlen = 2;
      q += m_step;
    }
    // Stamped before the call: a reply may arrive before sendmmsg returns.
    const std::int64_t t = now_ns();
    const int n = ::sendmmsg(m_fd, m_send_msgs.data(), static_cast<unsigned>(k), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        m_send_blocked = true;
      } else if (errno != EINTR) {
        ++m_result.send_errors;  // e.g. ECONNREFUSED after an ICMP port unreachable
      }
      return 0;
    }
    const auto sent = static_cast<std::size_t>(n);
    if (m_result.sent == 0) m_result.first_send_ns = t;
    for (std::size_t i = 0; i < sent; ++i) {
      const std::uint32_t s = m_free.back();
      m_free.pop_back();
      m_slots[s].busy = true;
      m_slots[s].sent_ns = t;
      m_result.request_bytes += id_field_size + m_iov[i][1].iov_len;
      m_next_query += m_step;
      if (m_end_ns != 0 && m_next_query >= m_queries.size()) m_next_query %= m_step;
    }
    m_in_flight += sent;
    m_result.sent += sent;
    if (sent < k) m_send_blocked = true;
    return sent;
  }

  std::size_t receive_batch() {
    const int n = ::recvmmsg(m_fd, m_recv_msgs.data(), batch_size, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        ++m_result.recv_errors;
      }
      return 0;
    }
    const std::int64_t t = now_ns();
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      const auto& h = m_recv_msgs[i];
      const std::string_view bytes(m_recv_buffers.data() + i * recv_buffer_size,
                                   std::min<std::size_t>(h.msg_len, recv_buffer_size));
      handle_reply(bytes, t, (h.msg_hdr.msg_flags & MSG_TRUNC) != 0);
    }
    m_result.last_reply_ns = t;
    return static_cast<std::size_t>(n);
  }

  void handle_reply(std::string_view bytes, std::int64_t t, bool cut) {
    const auto id = wire::peek_id(bytes);
    if (!id) {
      ++m_result.malformed;
      return;
    }
    const std::uint32_t s = *id & 0xffffU;
    if (s >= m_capacity || !m_slots[s].busy || m_slots[s].id != *id) {
      ++m_result.unexpected;
      return;
    }
    reply_fields f;
    if (cut || !scan_reply(bytes, f)) {
      ++m_result.malformed;  // still an answer to our query: free the slot
    } else {
      if (f.rcode >= 0 && f.rcode < static_cast<std::int64_t>(rcode_slots)) {
        ++m_result.rcodes[static_cast<std::size_t>(f.rcode)];
      } else {
        ++m_result.rcode_other;
      }
      if ((f.flags & wire::flag::tc) != 0) ++m_result.truncated;
    }
    slot& sl = m_slots[s];
    m_result.latency.record(static_cast<std::uint64_t>(t - sl.sent_ns));
    ++m_result.completed;
    m_result.response_bytes += bytes.size();
    release(s);
  }

  void release(std::uint32_t s) {
    m_slots[s].busy = false;
    m_free.push_back(s);
    --m_in_flight;
    m_send_blocked = false;
  }

  void expire(std::int64_t now) {
    if (m_in_flight == 0) return;
    for (std::uint32_t s = 0; s < m_capacity; ++s) {
      if (m_slots[s].busy && now - m_slots[s].sent_ns >= m_timeout_ns) {
        ++m_result.lost;
        release(s);
      }
    }
  }

  void wait(std::int64_t now, std::int64_t next_scan) {
    std::int64_t deadline = next_scan;
    if (still_sending(now) && !m_free.empty() && !m_send_blocked && m_rate > 0) {
      const auto next_due =
          m_start_ns + static_cast<std::int64_t>(static_cast<double>(m_result.sent) / m_rate * 1e9);
      deadline = std::min(deadline, next_due);
    }
    if (m_end_ns != 0 && now < m_end_ns) deadline = std::min(deadline, m_end_ns);
    const std::int64_t d = std::max<std::int64_t>(deadline - now, 0);
    const timespec ts{static_cast<time_t>(d / 1'000'000'000), static_cast<long>(d % 1'000'000'000)};
    pollfd p{m_fd, static_cast<short>(POLLIN | (m_send_blocked ? POLLOUT : 0)), 0};
    const int r = ::ppoll(&p, 1, &ts, nullptr);
    if (r > 0 && (p.revents & POLLOUT) != 0) m_send_blocked = false;
    if (r > 0 && (p.revents & POLLERR) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      (void)::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);  // clears it
      ++m_result.recv_errors;
    }
  }

  const config& m_cfg;
  const query_set& m_queries;
  thread_result& m_result;
  std::int64_t m_start_ns;
  std::int64_t m_end_ns = 0;
  std::int64_t m_timeout_ns = 0;
  double m_rate = 0;
  std::size_t m_next_query;
  std::size_t m_step = 1;
  std::uint32_t m_capacity = 0;
  int m_fd = -1;
  bool m_send_blocked = false;
  std::size_t m_in_flight = 0;
  std::vector<slot> m_slots;
  std::vector<std::uint32_t> m_free;
  std::array<mmsghdr, batch_size> m_send_msgs{};
  std::array<std::array<iovec, 2>, batch_size> m_iov{};
  std::array<mmsghdr, batch_size> m_recv_msgs{};
  std::array<iovec, batch_size> m_recv_iov{};
  std::vector<char> m_recv_buffers;
};

// ---- report --------------------------------------------------------------------

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }
double pct(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

double avg(std::uint64_t total, std::uint64_t n) {
  return n == 0 ? 0.0 : static_cast<double>(total) / static_cast<double>(n);
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out;
}

void report(const config& cfg, std::size_t query_count, const thread_result& r, double run_time_s) {
  const double qps = run_time_s > 0 ? static_cast<double>(r.completed) / run_time_s : 0.0;
  std::vector<std::pair<std::string, std::uint64_t>> rcodes;
  for (std::size_t i = 0; i < rcode_slots; ++i) {
    if (r.rcodes[i] != 0) {
      rcodes.emplace_back(wire::rcode_name(static_cast<wire::rcode>(i)), r.rcodes[i]);
    }
  }
  if (r.rcode_other != 0) rcodes.emplace_back("OTHER", r.rcode_other);
  const auto& h = r.latency;
  if (cfg.json) {
    std::string rc;
    for (const auto& [name, n] : rcodes) {
      rc += fmt::format("{}\"{}\": {}", rc.empty() ? "" : ", ", json_escape(name), n);
    }
    std::string out;
    auto o = std::back_inserter(out);
    fmt::format_to(o, "{{\"server\": \"{}\", \"queries_file\": \"{}\", \"queries_in_file\": {}, ",
                   json_escape(cfg.server.text), json_escape(cfg.query_file), query_count);
    fmt::format_to(o, "\"threads\": {}, \"outstanding\": {}, \"rate_limit_qps\": {}, ", cfg.threads,
                   cfg.outstanding, cfg.qps);
    fmt::format_to(o, "\"sent\": {}, \"completed\": {}, \"lost\": {}, \"unexpected\": {}, ", r.sent,
                   r.completed, r.lost, r.unexpected);
    fmt::format_to(o, "\"malformed\": {}, \"send_errors\": {}, \"recv_errors\": {}, ", r.malformed,
                   r.send_errors, r.recv_errors);
    fmt::format_to(o, "\"run_time_s\": {:.6f}, \"qps\": {:.1f}, ", run_time_s, qps);
    fmt::format_to(o,
                   "\"latency_ms\": {{\"mean\": {:.6f}, \"p50\": {:.6f}, \"p99\": {:.6f}, "
                   "\"p999\": {:.6f}, \"max\": {:.6f}}}, ",
                   h.mean() / 1e6, ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
                   ms(h.max()));
    fmt::format_to(o, "\"rcodes\": {{{}}}, \"truncated\": {}, ", rc, r.truncated);
    fmt::format_to(o, "\"avg_request_bytes\": {:.1f}, \"avg_response_bytes\": {:.1f}}}\n",
                   avg(r.request_bytes, r.sent), avg(r.response_bytes, r.completed));
    std::fputs(out.c_str(), stdout);
    return;
  }
  fmt::print("cidns-perf: server {}, {} queries from {}, {} thread(s), {} outstanding{}\n",
             cfg.server.text, query_count, cfg.query_file, cfg.threads, cfg.outstanding,
             cfg.qps > 0 ? fmt::format(", rate limit {} qps", cfg.qps) : std::string{});
  fmt::print("  Queries sent:         {}\n", r.sent);
  fmt::print("  Queries completed:    {} ({:.2f}%)\n", r.completed, pct(r.completed, r.sent));
  fmt::print("  Queries lost:         {} ({:.2f}%), timeout {} s\n", r.lost, pct(r.lost, r.sent),
             cfg.timeout_s);
  fmt::print("  Run time (s):         {:.3f}\n", run_time_s);
  fmt::print("  Queries per second:   {:.0f}\n", qps);
  fmt::print(
      "  Latency (ms):         mean {:.3f}  p50 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  max {:.3f}\n",
      h.mean() / 1e6, ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
      ms(h.max()));
  std::string rc;
  for (const auto& [name, n] : rcodes) {
    rc += fmt::format("{}{} {} ({:.2f}%)", rc.empty() ? "" : ", ", name, n, pct(n, r.completed));
  }
  fmt::print("  Response codes:       {}\n", rc.empty() ? "none" : rc);
  fmt::print("  Truncated (TC):       {}\n", r.truncated);
  fmt::print("  Average packet size:  request {:.0f}, response {:.0f}\n",
             avg(r.request_bytes, r.sent), avg(r.response_bytes, r.completed));
  if (r.unexpected + r.malformed + r.send_errors + r.recv_errors != 0) {
    fmt::print("  Unexpected replies:   {} (late or unknown id), malformed {}\n", r.unexpected,
               r.malformed);
    fmt::print("  Socket errors:        send {}, receive {}\n", r.send_errors, r.recv_errors);
  }
}

int run(const config& options) {
  config cfg = options;
  query_set queries;
  std::string error;
  if (!load_queries(cfg, queries, error)) {
    fmt::print(stderr, "cidns-perf: {}\n", error);
    return exit_usage;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  (void)::sigaction(SIGINT, &sa, nullptr);
  (void)::sigaction(SIGTERM, &sa, nullptr);

  // Each thread sends its own share of the file (lines i, i+T, ...).
  if (queries.size() < cfg.threads) cfg.threads = static_cast<unsigned>(queries.size());
  std::vector<std::unique_ptr<thread_result>> results;
  std::vector<std::unique_ptr<sender>> senders;
  const std::int64_t start = now_ns();
  for (unsigned i = 0; i < cfg.threads; ++i) {
    results.push_back(std::make_unique<thread_result>());
    senders.push_back(std::make_unique<sender>(cfg, queries, i, start, *results.back()));
  }
  {
    std::vector<std::jthread> threads;
    for (auto& s : senders) threads.emplace_back([&s] { s->run(); });
  }
  thread_result total;
  std::int64_t first = 0;
  for (const auto& r : results) {
    if (!r->fatal.empty()) {
      fmt::print(stderr, "cidns-perf: {}\n", r->fatal);
      return exit_failure;
    }
    total.sent += r->sent;
    total.completed += r->completed;
    total.lost += r->lost;
    total.truncated += r->truncated;
    total.unexpected += r->unexpected;
    total.malformed += r->malformed;
    total.send_errors += r->send_errors;
    total.recv_errors += r->recv_errors;
    for (std::size_t i = 0; i < rcode_slots; ++i) total.rcodes[i] += r->rcodes[i];
    total.rcode_other += r->rcode_other;
    total.latency.merge(r->latency);
    if (r->sent != 0 && (first == 0 || r->first_send_ns < first)) first = r->first_send_ns;
    total.request_bytes += r->request_bytes;
    total.response_bytes += r->response_bytes;
    total.last_reply_ns = std::max(total.last_reply_ns, r->last_reply_ns);
    total.send_end_ns = std::max(total.send_end_ns, r->send_end_ns);
  }
  // From the first query sent to the last reply received (or the end of sending).
  const std::int64_t end = std::max(total.last_reply_ns, total.send_end_ns);
  const double run_time = first == 0 ? 0.0 : static_cast<double>(end - first) / 1e9;
  report(cfg, queries.size(), total, run_time);
  return total.completed > 0 ? exit_ok : exit_failure;
}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  std::string server = "127.0.0.1";
  std::string type_text = "DESC";
  CLI::App app{
      "cidns-perf: load generator for cidns servers over UDP (like dnsperf).\n"
      "Query file lines: NAME [TYPE] ('#' comments). Exit status: 0 when replies came back,\n"
      "1 when none did, 2 on usage errors."};
  app.add_option("-s,--server", server, "server ADDR[:PORT] or [V6]:PORT (default 127.0.0.1:5380)");
  app.add_option("-d,--data", cfg.query_file, "query file")->required();
  app.add_option("-t,--type", type_text,
                 "type for lines without one (default DESC; e.g. RESOURCE)");
  app.add_option("-c,--outstanding", cfg.outstanding, "queries outstanding at once (default 100)")
      ->check(CLI::Range(1U, 1U << 20U));
  app.add_option("-l,--duration", cfg.duration_s,
                 "seconds to send for, cycling through the file (default: one pass)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("-Q,--qps", cfg.qps, "send at this fixed rate (default: no limit)")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("-T,--threads", cfg.threads, "sender threads, one socket each (default 1)")
      ->check(CLI::Range(1U, 256U));
  app.add_option("-w,--timeout", cfg.timeout_s, "seconds before a query counts as lost (default 1)")
      ->check(CLI::Range(0.001, 3600.0));
  app.add_flag("--json", cfg.json, "print the summary as one JSON object");
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  auto addr = parse_server(server, 5380);
  if (!addr) {
    fmt::print(stderr,
               "cidns-perf: -s {}: expected ADDR[:PORT] or [V6]:PORT with a literal IP address\n",
               server);
    return exit_usage;
  }
  cfg.server = *addr;
  auto type = record::parse_type(type_text);
  if (!type) {
    fmt::print(stderr, "cidns-perf: -t {}: unknown type\n", type_text);
    return exit_usage;
  }
  cfg.default_type = *type;
  if (cfg.outstanding < cfg.threads) cfg.outstanding = cfg.threads;
  if ((cfg.outstanding + cfg.threads - 1) / cfg.threads > max_slots_per_thread) {
    fmt::print(stderr, "cidns-perf: -c {}: at most {} outstanding per thread (use -T)\n",
               cfg.outstanding, max_slots_per_thread);
    return exit_usage;
  }
  try {
    return run(cfg);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cidns-perf: {}\n", e.what());
    return exit_failure;
  }
}
