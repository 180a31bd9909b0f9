// hostile-clients: plays the hostile clients of issue 11 against a cidns server on loopback and
// prints one figure per scenario (compare-hostile.sh drives it and builds the table):
//   tcp-hold   N connections that trickle one byte every few seconds (--mode slow) or sit idle
//              (--mode idle), reconnecting when closed; meanwhile a legitimate client from another
//              source address sends Q TCP queries, one a second: how many are answered, how fast;
//   never-read N connections that pipeline queries with large answers and never read: server RSS
//              at start, at its peak and some seconds after they all closed;
//   udp-flood  queries from one socket as fast as it sends for S seconds: reply rate and server
//              CPU; then messages with QR=1 (malformed and well-formed), over UDP and TCP: does
//              the server answer them;
//   amplify    per name, a UDP query with max_size 65535: reply bytes / query bytes, TC, or lost;
//              the full answer size over TCP beside it;
//   probe      one UDP query; exit status 0 when a NOERROR reply came back (readiness check).
// Every line of results starts with "RESULT "; the rest is progress on stderr. Only plain POSIX
// sockets; queries come from lib/wire. Talks only to the address given (meant for 127.0.0.0/8).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/wire/message.hpp"

namespace {

using namespace cidns;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_ms = 1'000'000;

std::int64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * ns_per_s + ts.tv_nsec;
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / ns_per_ms; }

void log(const std::string& line) { fmt::print(stderr, "hostile-clients: {}\n", line); }

// ---- options -------------------------------------------------------------------------------

struct options {
  std::string server = "127.0.0.1:5380";
  std::string source = "127.0.0.1";          // hostile connections and the flood
  std::string client_source = "127.0.0.99";  // the legitimate client
  std::string name;
  std::string type = "EP";
  int pid = 0;
  // tcp-hold
  std::string mode = "slow";
  unsigned conns = 0;   // 0: 256 for tcp-hold, 250 for never-read
  unsigned spread = 1;  // hostile source addresses: 1: --source; more: 127.1.0.1, 127.1.0.2...
  double interval_s = 4;
  double settle_s = 2;
  unsigned queries = 25;
  double window_s = 25;
  double target_s = 1;
  // never-read
  double seconds = 10;
  double after_s = 5;
  // amplify
  std::vector<std::string> names;
};

struct endpoint {
  sockaddr_in addr{};
};

std::optional<endpoint> parse_endpoint(const std::string& text, std::uint16_t default_port) {
  endpoint e;
  e.addr.sin_family = AF_INET;
  std::string host = text;
  std::uint16_t port = default_port;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    const unsigned long p = std::strtoul(text.c_str() + colon + 1, nullptr, 10);
    if (p == 0 || p > 65535) return std::nullopt;
    port = static_cast<std::uint16_t>(p);
  }
  if (inet_pton(AF_INET, host.c_str(), &e.addr.sin_addr) != 1) return std::nullopt;
  e.addr.sin_port = htons(port);
  return e;
}

// ---- /proc ---------------------------------------------------------------------------------

// VmRSS of PID in KiB; 0 when unreadable.
std::uint64_t rss_kib(int pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// utime + stime of PID (all threads) in clock ticks; 0 when unreadable.
std::uint64_t cpu_ticks(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(s.substr(close + 2));
  std::string f;
  std::uint64_t ticks = 0;
  for (int i = 3; fields >> f && i <= 15; ++i) {
    if (i == 14 || i == 15) ticks += std::strtoull(f.c_str(), nullptr, 10);
  }
  return ticks;
}

double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

// ---- queries and replies ----------------------------------------------------------------------

std::optional<std::string> encode_query(const options& o, const std::string& qname,
                                        std::uint32_t id, std::uint32_t max_size,
                                        std::uint32_t flags = 0) {
  auto name = name::identifier::parse(qname);
  auto type = record::parse_type(o.type);
  if (!name || !type) return std::nullopt;
  wire::message m;
  m.id = id;
  m.flags = flags;
  m.question = wire::question{std::move(*name), *type};
  m.max_size = max_size;
  return wire::encode(m);
}

std::string framed(std::string_view body) {
  std::string out;
  out.push_back(static_cast<char>((body.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(body.size() & 0xff));
  out.append(body);
  return out;
}

struct reply_info {
  bool decoded = false;
  std::uint32_t id = 0;
  std::uint32_t flags = 0;
  wire::rcode rcode = wire::rcode::noerror;
};

reply_info inspect(std::string_view bytes) {
  reply_info r;
  auto m = wire::decode(bytes);
  if (!m) return r;
  r.decoded = true;
  r.id = m->id;
  r.flags = m->flags;
  r.rcode = m->rcode;
  return r;
}

// ---- sockets -----------------------------------------------------------------------------------

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A non-blocking socket bound to `source` (port 0), connect() started; -1 on failure.
int open_socket(int kind, const endpoint& server, const endpoint& source, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, kind | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in src = source.addr;
  src.sin_port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) {
    ::close(fd);
    return -1;
  }
  set_nonblocking(fd);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&server.addr), sizeof server.addr) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads what is there; false when the peer closed or the socket failed.
bool drain(int fd, std::string* keep) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (keep != nullptr) keep->append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

// A whole framed message at the front of `in`, if there is one.
std::optional<std::string> take_frame(std::string& in) {
  if (in.size() < 2) return std::nullopt;
  const std::size_t len =
      (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
  if (in.size() < 2 + len) return std::nullopt;
  std::string body = in.substr(2, len);
  in.erase(0, 2 + len);
  return body;
}

// One TCP exchange with a deadline: the reply body, or nullopt.
std::optional<std::string> tcp_exchange(const endpoint& server, const endpoint& source,
                                        std::string_view query, double timeout_s) {
  const int fd = open_socket(SOCK_STREAM, server, source);
  if (fd < 0) return std::nullopt;
  const auto deadline = now_ns() + static_cast<std::int64_t>(timeout_s * ns_per_s);
  const std::string out = framed(query);
  std::size_t sent = 0;
  std::string in;
  std::optional<std::string> reply;
  while (!reply && now_ns() < deadline) {
    pollfd p{fd, static_cast<short>(POLLIN | (sent < out.size() ? POLLOUT : 0)), 0};
    ::poll(&p, 1, 20);
    if (sent < out.size() && (p.revents & POLLOUT) != 0) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const bool open = drain(fd, &in);
      reply = take_frame(in);
      if (!open) break;
    }
  }
  ::close(fd);
  return reply;
}

// One UDP exchange: the reply, or nullopt after the timeout.
std::optional<std::string> udp_exchange(const endpoint& server, const endpoint& source,
                                        std::string_view query, double timeout_s) {
  const int fd = open_socket(SOCK_DGRAM, server, source, 1 << 20);
  if (fd < 0) return std::nullopt;
  ::send(fd, query.data(), query.size(), 0);
  std::string buf(70000, '\0');
  std::optional<std::string> reply;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout_s * 1000)) > 0) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) reply = buf.substr(0, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply;
}

// ---- tcp-hold ----------------------------------------------------------------------------------

struct hostile_conn {
  int fd = -1;
  std::size_t sent = 0;      // bytes of the trickled message sent
  std::int64_t next_ns = 0;  // next byte (slow) or reconnect time (closed)
  bool readable = false;     // poll() saw data or a close on it
};

struct legit_query {
  std::int64_t start_ns = 0;
  int fd = -1;
  std::string out;
  std::size_t sent = 0;
  std::string in;
  std::int64_t answered_ns = 0;  // 0: not (yet)
  std::int64_t retry_ns = 0;
  unsigned tries = 0;
};

struct hold_stats {
  std::uint64_t closed_by_server = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t connect_failures = 0;
};

void hostile_step(hostile_conn& c, const options& o, const std::string& message,
                  const endpoint& server, const endpoint& source, std::int64_t now,
                  hold_stats& st) {
  if (c.fd < 0) {
    if (now < c.next_ns) return;
    c.fd = open_socket(SOCK_STREAM, server, source);
    c.sent = 0;
    c.next_ns = now + static_cast<std::int64_t>(o.interval_s * ns_per_s);
    if (c.fd < 0) {
      ++st.connect_failures;
      c.next_ns = now + 100 * ns_per_ms;
    }
    return;
  }
  if (c.readable && !drain(c.fd, nullptr)) {
    ::close(c.fd);
    c.fd = -1;
    c.readable = false;
    ++st.closed_by_server;
    ++st.reconnects;
    c.next_ns = now + 100 * ns_per_ms;
    return;
  }
  if (o.mode == "slow" && now >= c.next_ns) {
    const char byte = message[c.sent % message.size()];
    if (::send(c.fd, &byte, 1, MSG_NOSIGNAL) == 1) ++c.sent;
    c.next_ns = now + static_cast<std::int64_t>(o.interval_s * ns_per_s);
  }
}

void legit_step(legit_query& q, const endpoint& server, const endpoint& source, std::int64_t now) {
  if (q.answered_ns != 0 || now < q.start_ns) return;
  if (q.fd < 0) {
    if (now < q.retry_ns) return;
    q.fd = open_socket(SOCK_STREAM, server, source);
    q.sent = 0;
    q.in.clear();
    ++q.tries;
    if (q.fd < 0) q.retry_ns = now + 50 * ns_per_ms;
    return;
  }
  if (q.sent < q.out.size()) {
    const ssize_t n = ::send(q.fd, q.out.data() + q.sent, q.out.size() - q.sent, MSG_NOSIGNAL);
    if (n > 0) q.sent += static_cast<std::size_t>(n);
  }
  const bool open = drain(q.fd, &q.in);
  if (take_frame(q.in)) {
    q.answered_ns = now;
  } else if (!open) {
    q.retry_ns = now + 50 * ns_per_ms;  // closed on us (connection limit): a client retries
  } else {
    return;
  }
  ::close(q.fd);
  q.fd = -1;
}

int run_tcp_hold(const options& o, const endpoint& server) {
  const auto hostile_src = parse_endpoint(o.source, 0);
  const auto client_src = parse_endpoint(o.client_source, 0);
  const auto query = encode_query(o, o.name, 0x1234, 0);
  if (!hostile_src || !client_src || !query || (o.mode != "slow" && o.mode != "idle")) {
    log("tcp-hold: bad --source, --client-source, --name, --type or --mode");
    return 2;
  }
  std::vector<endpoint> sources{*hostile_src};
  if (o.spread > 1) sources.clear();
  for (unsigned i = 1; o.spread > 1 && i <= std::min(o.spread, 254U); ++i) {
    sources.push_back(*parse_endpoint(fmt::format("127.1.0.{}", i), 0));
  }
  const std::string message = framed(*query);
  hold_stats st;
  std::vector<hostile_conn> hostile(o.conns);
  std::int64_t now = now_ns();
  const auto step_hostile = [&] {
    for (std::size_t i = 0; i < hostile.size(); ++i) {
      hostile_step(hostile[i], o, message, server, sources[i % sources.size()], now, st);
    }
  };
  step_hostile();
  const std::int64_t t0 = now + static_cast<std::int64_t>(o.settle_s * ns_per_s);
  const std::int64_t end = t0 + static_cast<std::int64_t>(o.window_s * ns_per_s);
  std::vector<legit_query> legit(o.queries);
  for (unsigned i = 0; i < o.queries; ++i) {
    legit[i].start_ns = t0 + static_cast<std::int64_t>(o.window_s * ns_per_s) * i / o.queries;
    legit[i].out = framed(*encode_query(o, o.name, 0x10000 + i, 0));
  }
  log(fmt::format("tcp-hold: {} {} connections from {} address(es); {} queries from {} over {} s",
                  o.conns, o.mode, sources.size(), o.queries, o.client_source, o.window_s));
  std::vector<pollfd> fds;
  while ((now = now_ns()) < end) {
    fds.clear();
    for (const auto& c : hostile) {
      if (c.fd >= 0) fds.push_back({c.fd, POLLIN, 0});
    }
    const std::size_t hostile_polled = fds.size();
    for (const auto& q : legit) {
      if (q.fd >= 0) fds.push_back({q.fd, POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), 5);
    now = now_ns();
    for (std::size_t i = 0, j = 0; i < hostile.size() && j < hostile_polled; ++i) {
      if (hostile[i].fd < 0) continue;
      hostile[i].readable = fds[j++].revents != 0;
    }
    step_hostile();
    for (auto& q : legit) legit_step(q, server, *client_src, now);
  }
  unsigned open_at_end = 0;
  for (auto& c : hostile) {
    if (c.fd >= 0) {
      ++open_at_end;
      ::close(c.fd);
    }
  }
  std::vector<double> lat;
  unsigned within_target = 0;
  for (auto& q : legit) {
    if (q.fd >= 0) ::close(q.fd);
    if (q.answered_ns == 0) continue;
    lat.push_back(ms(q.answered_ns - q.start_ns));
    if (lat.back() <= o.target_s * 1000) ++within_target;
  }
  const std::string first = legit.front().answered_ns
                                ? fmt::format("{:.1f}", ms(legit.front().answered_ns - t0))
                                : "none";
  std::sort(lat.begin(), lat.end());
  const std::string p50 = lat.empty() ? "none" : fmt::format("{:.1f}", lat[lat.size() / 2]);
  const std::string worst = lat.empty() ? "none" : fmt::format("{:.1f}", lat.back());
  fmt::print(
      "RESULT tcp-hold mode={} conns={} sources={} answered={}/{} within_{}s={} first_ms={} "
      "p50_ms={} "
      "max_ms={} hostile_closed_by_server={} hostile_open_at_end={} connect_failures={}\n",
      o.mode, o.conns, sources.size(), lat.size(), o.queries, o.target_s, within_target, first, p50,
      worst, st.closed_by_server, open_at_end, st.connect_failures);
  return 0;
}

// ---- never-read --------------------------------------------------------------------------------

int run_never_read(const options& o, const endpoint& server) {
  const auto src = parse_endpoint(o.source, 0);
  const auto query = encode_query(o, o.name, 0x4242, 0);
  if (!src || !query || o.pid <= 0) {
    log("never-read: needs --pid, --name and a valid --source");
    return 2;
  }
  // Many queries per write; a small receive buffer, so that replies pile up in the server.
  std::string batch;
  for (int i = 0; i < 64; ++i) batch += framed(*query);
  std::vector<int> fds;
  std::vector<std::size_t> offset(o.conns, 0);
  for (unsigned i = 0; i < o.conns; ++i)
    fds.push_back(open_socket(SOCK_STREAM, server, *src, 4096));
  const std::uint64_t start = rss_kib(o.pid);
  std::uint64_t peak = start;
  std::uint64_t bytes_sent = 0;
  const std::int64_t end = now_ns() + static_cast<std::int64_t>(o.seconds * ns_per_s);
  log(fmt::format("never-read: {} connections writing '{}' queries for {} s, never reading",
                  o.conns, o.name, o.seconds));
  while (now_ns() < end) {
    std::vector<pollfd> p;
    for (int fd : fds) {
      if (fd >= 0) p.push_back({fd, POLLOUT, 0});
    }
    ::poll(p.data(), p.size(), 100);
    for (unsigned i = 0; i < o.conns; ++i) {
      if (fds[i] < 0) continue;
      const ssize_t n = ::send(fds[i], batch.data() + offset[i], batch.size() - offset[i],
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        offset[i] = (offset[i] + static_cast<std::size_t>(n)) % batch.size();
        bytes_sent += static_cast<std::uint64_t>(n);
      }
    }
    peak = std::max(peak, rss_kib(o.pid));
  }
  for (int& fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  const std::int64_t after_end = now_ns() + static_cast<std::int64_t>(o.after_s * ns_per_s);
  while (now_ns() < after_end) {
    peak = std::max(peak, rss_kib(o.pid));
    ::usleep(100'000);
  }
  const std::uint64_t after = rss_kib(o.pid);
  fmt::print(
      "RESULT never-read conns={} queries_sent={} rss_start_mib={:.1f} rss_peak_mib={:.1f} "
      "rss_after_{}s_mib={:.1f} after_over_start={:.2f}\n",
      o.conns, bytes_sent / (query->size() + 2), mib(start), mib(peak), o.after_s, mib(after),
      start ? static_cast<double>(after) / static_cast<double>(start) : 0.0);
  return 0;
}

// ---- udp-flood ---------------------------------------------------------------------------------

struct flood_counts {
  std::uint64_t sent = 0;
  std::uint64_t send_blocked = 0;
  std::uint64_t replies = 0;
  std::uint64_t reply_bytes = 0;
};

void receive_all(int fd, flood_counts& c) {
  constexpr unsigned batch = 64;
  static std::vector<char> storage(batch * 2048);
  mmsghdr msgs[batch]{};
  iovec iov[batch]{};
  for (;;) {
    for (unsigned i = 0; i < batch; ++i) {
      iov[i] = {storage.data() + i * 2048, 2048};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(fd, msgs, batch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    c.replies += static_cast<unsigned>(n);
    for (int i = 0; i < n; ++i) c.reply_bytes += msgs[i].msg_len;
  }
}

// Sends `count` copies of `bytes` over UDP, waits `wait_s`: how many replies came back.
std::uint64_t count_udp_replies(const endpoint& server, const endpoint& src, std::string_view bytes,
                                unsigned count, double wait_s) {
  const int fd = open_socket(SOCK_DGRAM, server, src, 1 << 20);
  if (fd < 0) return 0;
  for (unsigned i = 0; i < count; ++i) ::send(fd, bytes.data(), bytes.size(), 0);
  flood_counts c;
  const std::int64_t end = now_ns() + static_cast<std::int64_t>(wait_s * ns_per_s);
  while (now_ns() < end) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 20);
    receive_all(fd, c);
  }
  ::close(fd);
  return c.replies;
}

int run_udp_flood(const options& o, const endpoint& server) {
  const auto src = parse_endpoint(o.source, 0);
  const auto query = encode_query(o, o.name, 0x5151, 0);
  if (!src || !query || o.pid <= 0) {
    log("udp-flood: needs --pid, --name and a valid --source");
    return 2;
  }
  const int fd = open_socket(SOCK_DGRAM, server, *src, 8 << 20);
  if (fd < 0) return 1;
  constexpr unsigned batch = 64;
  mmsghdr msgs[batch]{};
  iovec iov[batch]{};
  for (unsigned i = 0; i < batch; ++i) {
    iov[i] = {const_cast<char*>(query->data()), query->size()};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  flood_counts c;
  const long tck = ::sysconf(_SC_CLK_TCK);
  const std::uint64_t ticks0 = cpu_ticks(o.pid);
  const std::int64_t t0 = now_ns();
  const std::int64_t end = t0 + static_cast<std::int64_t>(o.seconds * ns_per_s);
  log(fmt::format("udp-flood: '{}' from one socket for {} s", o.name, o.seconds));
  while (now_ns() < end) {
    const int n = ::sendmmsg(fd, msgs, batch, MSG_DONTWAIT);
    if (n > 0) c.sent += static_cast<unsigned>(n);
    if (n < 0) {
      ++c.send_blocked;
      pollfd p{fd, POLLIN | POLLOUT, 0};
      ::poll(&p, 1, 1);
    }
    receive_all(fd, c);
  }
  const std::int64_t t1 = now_ns();
  const std::uint64_t ticks1 = cpu_ticks(o.pid);
  const std::int64_t drain_end = t1 + 500 * ns_per_ms;
  while (now_ns() < drain_end) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 20);
    receive_all(fd, c);
  }
  ::close(fd);
  const double secs = static_cast<double>(t1 - t0) / ns_per_s;
  const double cpu = static_cast<double>(ticks1 - ticks0) / static_cast<double>(tck) / secs;
  fmt::print(
      "RESULT udp-flood seconds={:.1f} sent={} replies={} send_qps={:.0f} reply_qps={:.0f} "
      "answered={:.1f}% server_cpu={:.0f}% cpu_us_per_reply={:.2f} reply_bytes_per_s={:.0f}\n",
      secs, c.sent, c.replies, c.sent / secs, c.replies / secs,
      c.sent ? 100.0 * c.replies / c.sent : 0.0, 100.0 * cpu,
      c.replies ? 1e6 * cpu * secs / c.replies : 0.0, c.reply_bytes / secs);

  // Messages with QR=1: a reply must never be answered (issue 11, defect 4).
  constexpr unsigned probes = 100;
  const std::string malformed("\x0d\x21\x43\x65\x07\x18\x01\x2a\x10\x61", 10);  // QR, cut question
  const auto well_formed = encode_query(o, o.name, 0x7777, 0, wire::flag::qr | wire::flag::aa);
  const auto udp_bad = count_udp_replies(server, *src, malformed, probes, 1.0);
  const auto udp_good = count_udp_replies(server, *src, *well_formed, probes, 1.0);
  const bool tcp_bad = tcp_exchange(server, *src, malformed, 1.0).has_value();
  const bool tcp_good = tcp_exchange(server, *src, *well_formed, 1.0).has_value();
  fmt::print(
      "RESULT qr-set udp_malformed_answered={}/{} udp_wellformed_answered={}/{} "
      "tcp_malformed_answered={} tcp_wellformed_answered={}\n",
      udp_bad, probes, udp_good, probes, tcp_bad ? "yes" : "no", tcp_good ? "yes" : "no");
  return 0;
}

// ---- amplify -----------------------------------------------------------------------------------

int run_amplify(const options& o, const endpoint& server) {
  const auto src = parse_endpoint(o.source, 0);
  if (!src || o.names.empty()) {
    log("amplify: needs names and a valid --source");
    return 2;
  }
  double worst = 0;
  unsigned edge = 0;
  unsigned edge_lost = 0;
  for (std::uint32_t i = 0; i < o.names.size(); ++i) {
    const auto& n = o.names[i];
    const auto udp_q = encode_query(o, n, 0x100 + i, wire::max_udp_size);
    const auto tcp_q = encode_query(o, n, 0x200 + i, 0);
    if (!udp_q || !tcp_q) {
      log(fmt::format("amplify: bad name {}", n));
      return 2;
    }
    const auto full = tcp_exchange(server, *src, *tcp_q, 3.0);
    const auto udp = udp_exchange(server, *src, *udp_q, 1.0);
    const std::size_t full_size = full ? full->size() : 0;
    const bool in_edge = full_size >= 65508 && full_size <= 65535;
    edge += in_edge ? 1 : 0;
    std::string udp_text = "lost";
    std::string tc = "-";
    double ratio = 0;
    if (udp) {
      const auto info = inspect(*udp);
      udp_text = fmt::format("{}", udp->size());
      tc = (info.flags & wire::flag::tc) != 0 ? "yes" : "no";
      ratio = static_cast<double>(udp->size()) / static_cast<double>(udp_q->size());
      worst = std::max(worst, ratio);
    } else if (in_edge) {
      ++edge_lost;
    }
    fmt::print(
        "RESULT amplify name={} query_bytes={} udp_reply_bytes={} tc={} ratio={:.1f} "
        "tcp_answer_bytes={}\n",
        n, udp_q->size(), udp_text, tc, ratio, full ? fmt::format("{}", full_size) : "none");
  }
  fmt::print("RESULT amplify-summary max_ratio={:.1f} edge_answers={} edge_lost={}\n", worst, edge,
             edge_lost);
  return 0;
}

// ---- probe -------------------------------------------------------------------------------------

int run_probe(const options& o, const endpoint& server) {
  const auto src = parse_endpoint(o.source, 0);
  const auto q = encode_query(o, o.name, 0x9999, 0);
  if (!src || !q) return 2;
  const auto r = udp_exchange(server, *src, *q, 0.5);
  if (!r) return 1;
  const auto info = inspect(*r);
  return info.decoded && info.rcode == wire::rcode::noerror ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"hostile-clients: hostile TCP/UDP clients against a cidns server (issue 11)"};
  app.require_subcommand(1);
  app.add_option("--server", o.server, "server ADDR:PORT (IPv4)");
  app.add_option("--source", o.source, "source address of the hostile clients");
  app.add_option("--type", o.type, "query type (default EP)");
  app.add_option("--pid", o.pid, "server process, for RSS and CPU from /proc");
  auto* hold = app.add_subcommand("tcp-hold", "slow or idle connections vs a legitimate client");
  hold->add_option("--mode", o.mode, "slow (one byte per interval) or idle");
  hold->add_option("--conns", o.conns, "hostile connections (256)");
  hold->add_option("--interval", o.interval_s, "seconds between bytes in slow mode (4)");
  hold->add_option("--settle", o.settle_s, "seconds between opening them and the first query (2)");
  hold->add_option("--queries", o.queries, "legitimate TCP queries, spread over the window (25)");
  hold->add_option("--window", o.window_s, "seconds the legitimate client keeps trying (25)");
  hold->add_option("--target", o.target_s, "an answer within this many seconds counts as on time");
  hold->add_option("--spread", o.spread,
                   "hostile source addresses, 127.1.0.1 up (1: all from --source; at most 254)");
  hold->add_option("--client-source", o.client_source, "source address of the legitimate client");
  hold->add_option("--name", o.name, "query name")->required();
  auto* never = app.add_subcommand("never-read", "connections that send queries and never read");
  never->add_option("--conns", o.conns, "connections (250)");
  never->add_option("--seconds", o.seconds, "seconds of writing (10)");
  never->add_option("--after", o.after_s, "seconds after closing when RSS is read (5)");
  never->add_option("--name", o.name, "query name (one with a large answer)")->required();
  auto* flood = app.add_subcommand("udp-flood", "UDP flood from one socket, then QR=1 messages");
  flood->add_option("--seconds", o.seconds, "seconds of flooding (10)");
  flood->add_option("--name", o.name, "query name")->required();
  auto* amp = app.add_subcommand("amplify", "UDP reply / query size with max_size 65535");
  amp->add_option("names", o.names, "query names")->required();
  auto* probe = app.add_subcommand("probe", "exit 0 when NAME gets a NOERROR reply over UDP");
  probe->add_option("--name", o.name, "query name")->required();
  CLI11_PARSE(app, argc, argv);
  if (o.conns == 0) o.conns = never->parsed() ? 250 : 256;
  const auto server = parse_endpoint(o.server, 5380);
  if (!server) {
    log(fmt::format("bad --server {}", o.server));
    return 2;
  }
  if (hold->parsed()) return run_tcp_hold(o, *server);
  if (never->parsed()) return run_never_read(o, *server);
  if (flood->parsed()) return run_udp_flood(o, *server);
  if (amp->parsed()) return run_amplify(o, *server);
  return run_probe(o, *server);
}
