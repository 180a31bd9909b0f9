// The primary's NOTIFY sender (notify_sender.hpp).
#include "notify_sender.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "cidns/hmac/signer.hpp"
#include "cidns/record/changeset.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"

namespace cidns::authd {

namespace {

std::uint32_t serial_of(const record::rr& soa) {
  auto s = record::soa::decode(soa.data);
  return s ? s->serial : 0;
}

// A UDP socket connected to `to`; -1 (errno set) on failure.
int connected_udp(const net::endpoint& to) {
  sockaddr_storage sa{};
  socklen_t len = 0;
  if (to.address.is_v4()) {
    auto& in = reinterpret_cast<sockaddr_in&>(sa);
    in.sin_family = AF_INET;
    in.sin_port = htons(to.port);
    const auto b = to.address.to_v4().to_bytes();
    std::memcpy(&in.sin_addr, b.data(), b.size());
    len = sizeof in;
  } else {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(sa);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(to.port);
    const auto b = to.address.to_v6().to_bytes();
    std::memcpy(&in6.sin6_addr, b.data(), b.size());
    in6.sin6_scope_id = to.address.to_v6().scope_id();
    len = sizeof in6;
  }
  const int fd = ::socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), len) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

// Whether `r` answers the NOTIFY `q` (same id, opcode and question, a reply).
bool answers(const wire::message& r, const wire::message& q) {
  return r.id == q.id && r.opcode == wire::opcode::notify && r.has_flag(wire::flag::qr) &&
         r.question == q.question;
}

}  // namespace

notify_sender::notify_sender(const hmac::keyring& keys, std::vector<peer_rule> targets,
                             notify_timing timing)
    : m_keys(keys), m_timing(timing) {
  for (auto& rule : targets) {
    const hmac::key* k = m_keys.find(rule.key);
    if (k == nullptr) {
      log::error("notify {} at {}: key {} is not loaded; this target is skipped", rule.zone.text(),
                 rule.server.to_string(), rule.key);
      continue;
    }
    target t;
    t.rule = std::move(rule);
    t.key = k;
    m_targets.push_back(std::move(t));
  }
}

notify_sender::~notify_sender() { stop(); }

void notify_sender::start() {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable() || m_stopping) return;
  m_thread = std::thread([this] { run(); });
}

void notify_sender::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_stop_flag = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void notify_sender::zone_changed(const name::identifier& zone, const record::rr& soa) {
  bool any = false;
  {
    std::lock_guard lock(m_mutex);
    const std::uint32_t serial = serial_of(soa);
    for (auto& t : m_targets) {
      if (t.rule.zone != zone) continue;
      // A pending NOTIFY of a newer serial stays (versions are published in order, but a
      // caller may race).
      if (t.pending && record::serial_after(serial_of(*t.pending), serial)) continue;
      t.pending = soa;
      ++t.generation;
      t.tries = 0;
      t.due = clock::now();
      any = true;
    }
  }
  if (any) ++m_changes;
  if (any) m_wake.notify_all();
}

std::optional<std::size_t> notify_sender::next_due() const {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < m_targets.size(); ++i) {
    if (!m_targets[i].pending) continue;
    if (!best || m_targets[i].due < m_targets[*best].due) best = i;
  }
  return best;
}

void notify_sender::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    const auto due = next_due();
    if (!due) {
      m_wake.wait(lock);
      continue;
    }
    if (m_targets[*due].due > clock::now()) {
      m_wake.wait_until(lock, m_targets[*due].due);
      continue;
    }
    target& t = m_targets[*due];
    const attempt a{*due, t.generation, serial_of(*t.pending)};
    const peer_rule rule = t.rule;
    const record::rr soa = *t.pending;
    const hmac::key& key = *t.key;
    ++t.tries;
    ++t.sent;
    lock.unlock();
    const std::string failure = exchange(rule, key, soa);
    lock.lock();
    finish(a, failure);
  }
}

void notify_sender::finish(const attempt& a, const std::string& failure) {
  target& t = m_targets[a.index];
  const std::string what = fmt::format("zone {}: notify of serial {} to {}", t.rule.zone.text(),
                                       a.serial, t.rule.server.to_string());
  if (failure.empty()) {
    if (!t.acked || record::serial_after(a.serial, *t.acked)) t.acked = a.serial;
    log::info("zone {}: notified {} at {}", t.rule.zone.text(), a.serial,
              t.rule.server.to_string());
  } else if (m_stop_flag) {
    return;
  }
  if (t.generation != a.generation) return;  // a newer NOTIFY replaced this one
  if (failure.empty()) {
    t.pending.reset();
    return;
  }
  const bool answered = failure.starts_with("answered");
  if (answered || t.tries >= m_timing.tries) {
    ++t.failures;
    if (answered) {
      log::warning("{}: {}", what, failure);
    } else {
      log::warning("{}: no answer after {} tries ({})", what, t.tries, failure);
    }
    t.pending.reset();
    return;
  }
  t.due = clock::now() + m_timing.first_gap * (1U << std::min(t.tries - 1, 16U));
  log::debug("{}: try {} failed: {}", what, t.tries, failure);
}

std::string notify_sender::exchange(const peer_rule& rule, const hmac::key& key,
                                    const record::rr& soa) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  wire::message q;
  q.id = static_cast<std::uint32_t>(rng());
  q.opcode = wire::opcode::notify;
  q.question = wire::question{rule.zone, record::rtype::soa};
  q.answer.push_back(soa);
  hmac::sign(q, key, util::unix_seconds());
  const std::string bytes = wire::encode(q);

  fd_closer sock{connected_udp(rule.server)};
  if (sock.fd < 0) return fmt::format("socket: {}", std::strerror(errno));
  if (::send(sock.fd, bytes.data(), bytes.size(), 0) < 0) {
    return fmt::format("send: {}", std::strerror(errno));
  }
  hmac::keyring ring;
  ring.add(key);
  const auto deadline = clock::now() + m_timing.reply_wait;
  std::string buf(wire::max_message_size, '\0');
  std::string ignored = "no reply";
  const std::uint64_t changes = m_changes.load();
  while (!m_stop_flag) {
    // A newer version was queued meanwhile: send that at once instead of waiting on this one.
    if (m_changes.load() != changes) return "superseded";
    const auto now = clock::now();
    if (now >= deadline) return ignored;
    // Short slices, so that stop() is not held up by a silent secondary.
    const auto slice = std::min<clock::duration>(deadline - now, std::chrono::milliseconds(50));
    pollfd p{sock.fd, POLLIN, 0};
    const int ready = ::poll(
        &p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
    if (ready <= 0) continue;
    const ssize_t n = ::recv(sock.fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      // Port unreachable: nobody listens there (yet); waiting longer will not help.
      if (errno == ECONNREFUSED) return "receive: nobody listens (port unreachable)";
      ignored = fmt::format("receive: {}", std::strerror(errno));
      continue;
    }
    auto r = wire::decode(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    if (!r || !answers(*r, q)) continue;
    const auto v = hmac::verify(*r, ring, util::unix_seconds(), q.auth->mac);
    if (v.status != hmac::status::ok) {
      // Unauthenticated: a forgery, or a refusal by a secondary that does not know the key.
      ignored = fmt::format("a reply not authenticated: {}", v.reason);
      if (r->rcode != wire::rcode::noerror) {
        return fmt::format("answered {} (unsigned)", wire::rcode_name(r->rcode));
      }
      continue;
    }
    if (r->rcode != wire::rcode::noerror) {
      return fmt::format("answered {}{}", wire::rcode_name(r->rcode),
                         r->error ? fmt::format(" ({})", r->error->text.substr(0, 200)) : "");
    }
    return {};
  }
  return "stopped";
}

nlohmann::json notify_sender::status() const {
  std::lock_guard lock(m_mutex);
  auto out = nlohmann::json::array();
  for (const auto& t : m_targets) {
    nlohmann::json j{{"zone", t.rule.zone.text()},
                     {"server", t.rule.server.to_string()},
                     {"key", t.rule.key},
                     {"sent", t.sent},
                     {"failures", t.failures}};
    j["acked_serial"] = t.acked ? nlohmann::json(*t.acked) : nlohmann::json(nullptr);
    if (t.pending) {
      j["pending_serial"] = serial_of(*t.pending);
      j["tries"] = t.tries;
    } else {
      j["pending_serial"] = nullptr;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace cidns::authd
