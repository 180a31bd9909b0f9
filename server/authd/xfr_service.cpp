// Outgoing zone transfers (xfr_service.hpp).
#include "xfr_service.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "auth_reply.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"
#include "cidns/xfr/writer.hpp"

namespace cidns::authd {

namespace {

// One message, already encoded: an error reply.
class single_reply final : public net::reply_stream {
 public:
  explicit single_reply(std::string bytes) : m_bytes(std::move(bytes)) {}
  bool next(std::string& out) override {
    if (m_sent) return false;
    m_sent = true;
    out = std::move(m_bytes);
    return true;
  }

 private:
  std::string m_bytes;
  bool m_sent = false;
};

// The transfer: the writer's messages, each signed over the previous one's MAC.
class signed_transfer final : public net::reply_stream {
 public:
  // `clock`: unix seconds, read for each message (a long transfer outlasts the fudge).
  signed_transfer(xfr::writer w, const hmac::key& key, std::string request_mac,
                  std::function<std::uint64_t()> clock, std::string what, xfr_counters& counters)
      : m_writer(std::move(w)),
        m_key(key),
        m_mac(std::move(request_mac)),
        m_clock(std::move(clock)),
        m_what(std::move(what)),
        m_counters(counters),
        m_started(std::chrono::steady_clock::now()) {}

  ~signed_transfer() override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - m_started)
                        .count();
    m_counters.records += m_writer.records();
    m_counters.messages += m_writer.messages();
    if (m_done) {
      log::info("{}: {} records in {} messages ({} bytes), {} ms", m_what, m_writer.records(),
                m_writer.messages(), m_bytes, ms);
    } else {
      log::warning("{}: ended early after {} records in {} messages (the client went away)", m_what,
                   m_writer.records(), m_writer.messages());
    }
  }

  bool next(std::string& out) override {
    auto more = m_writer.next(m_message);
    if (!more) throw std::runtime_error(m_what + ": " + more.err().message);
    if (!*more) {
      m_done = true;
      return false;
    }
    hmac::sign(m_message, m_key, m_clock ? m_clock() : util::unix_seconds(), m_mac);
    m_mac = m_message.auth->mac;
    wire::encode(m_message, out);
    m_bytes += out.size();
    return true;
  }

 private:
  xfr::writer m_writer;
  const hmac::key& m_key;
  std::string m_mac;
  std::function<std::uint64_t()> m_clock;
  std::string m_what;
  xfr_counters& m_counters;
  std::chrono::steady_clock::time_point m_started;
  wire::message m_message;
  std::uint64_t m_bytes = 0;
  bool m_done = false;
};

}  // namespace

xfr_service::xfr_service(const zone_registry& zones, const hmac::keyring& keys,
                         std::vector<xfr_rule> rules, const transfer_history* history,
                         std::function<std::uint64_t()> now)
    : m_zones(zones),
      m_keys(keys),
      m_rules(std::move(rules)),
      m_history(history),
      m_now(std::move(now)) {}

std::uint64_t xfr_service::now() const { return m_now ? m_now() : util::unix_seconds(); }

std::string xfr_service::refuse_udp(const wire::message& q) {
  return wire::encode(reply_to(q, wire::rcode::refused, "zone transfers are over TCP"));
}

std::unique_ptr<net::reply_stream> xfr_service::open(const wire::message& q,
                                                     const serve::client_address& from) {
  const std::uint64_t t = now();
  const std::string zone = q.question ? q.question->name.text() : std::string("(none)");
  auto refuse = [&](wire::rcode rc, const std::string& why, const hmac::key* key) {
    ++m_counters.refused;
    log::warning("transfer of {} to {}: {}: {}", zone, from.text(), wire::rcode_name(rc), why);
    auto r = reply_to(q, rc, why);
    if (key != nullptr) hmac::sign(r, *key, t, q.auth->mac);
    return std::make_unique<single_reply>(wire::encode(r));
  };
  const auto v = hmac::verify(q, m_keys, t);
  if (v.status != hmac::status::ok) return refuse(hmac::to_rcode(v.status), v.reason, nullptr);
  const hmac::key& key = *v.used;
  if (!m_replay.first_use(key.name, q.auth->time, q.auth->mac, t, hmac::default_fudge)) {
    return refuse(wire::rcode::refused, "replayed message", &key);
  }
  if (!q.question || q.question->type != record::rtype::soa) {
    return refuse(wire::rcode::formerr, "an XFR request asks for {zone apex, SOA}", &key);
  }
  auto snapshot = m_zones.load();
  auto z = snapshot->shared(zone);
  if (!z) return refuse(wire::rcode::notauth, "not authoritative for " + zone, &key);
  if (!xfr_allowed(m_rules, z->origin(), key.name)) {
    return refuse(wire::rcode::refused, fmt::format("key {} may not transfer {}", key.name, zone),
                  &key);
  }
  auto have = xfr::requested_serial(q);
  if (!have) return refuse(wire::rcode::formerr, have.err().message, &key);
  const std::string who = fmt::format("transfer of {} to {} (key {})", zone, from.text(), key.name);
  if (*have && !record::serial_after(z->serial(), **have)) {
    ++m_counters.up_to_date;
    return std::make_unique<signed_transfer>(
        xfr::writer::up_to_date(q, z), key, q.auth->mac, m_now,
        fmt::format("{}: up to date at serial {}", who, z->serial()), m_counters);
  }
  std::optional<std::vector<record::changeset>> changes;
  if (*have && m_history != nullptr) {
    try {
      changes = m_history->since(*z, **have);
    } catch (const std::exception& e) {
      log::error("{}: the transfer history cannot be read ({}): sending the full zone", who,
                 e.what());
    }
  }
  {
    if (changes) {
      ++m_counters.incremental;
      const std::string what = fmt::format("{}: incremental, serial {} to {} in {} changeset(s)",
                                           who, **have, z->serial(), changes->size());
      return std::make_unique<signed_transfer>(xfr::writer::incremental(q, z, std::move(*changes)),
                                               key, q.auth->mac, m_now, what, m_counters);
    }
  }
  ++m_counters.full;
  return std::make_unique<signed_transfer>(
      xfr::writer::full(q, z), key, q.auth->mac, m_now,
      fmt::format("{}: full, serial {}{}", who, z->serial(),
                  *have ? fmt::format(" (no history from {})", **have) : std::string()),
      m_counters);
}

}  // namespace cidns::authd
