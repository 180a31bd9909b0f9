// Authenticated NOTIFY on a secondary (notify_service.hpp).
#include "notify_service.hpp"

#include <utility>

#include <fmt/format.h>

#include "auth_reply.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"

namespace cidns::authd {

namespace {

// The serial of the zone's SOA in the NOTIFY's answer; 0 when there is none.
std::uint32_t announced_serial(const wire::message& q) {
  for (const auto& r : q.answer) {
    if (r.type != record::rtype::soa || r.owner != q.question->name) continue;
    if (auto soa = record::soa::decode(r.data)) return soa->serial;
  }
  return 0;
}

}  // namespace

notify_service::notify_service(const hmac::keyring& keys, std::vector<peer_rule> zones,
                               notified_fn notified, std::function<std::uint64_t()> now)
    : m_keys(keys),
      m_zones(std::move(zones)),
      m_notified(std::move(notified)),
      m_now(std::move(now)) {}

std::uint64_t notify_service::now() const { return m_now ? m_now() : util::unix_seconds(); }

wire::rcode notify_service::check(const wire::message& q, const std::string& key,
                                  std::string& why) {
  if (!m_replay.first_use(key, q.auth->time, q.auth->mac, now(), hmac::default_fudge)) {
    why = "replayed message";
    return wire::rcode::refused;
  }
  if (!q.question || q.question->type != record::rtype::soa) {
    why = "a NOTIFY asks about a zone's SOA";
    return wire::rcode::formerr;
  }
  for (const auto& rule : m_zones) {
    if (rule.zone != q.question->name) continue;
    if (rule.key == key) return wire::rcode::noerror;
    why = fmt::format("key {} may not notify this zone", key);
    return wire::rcode::notauth;
  }
  why = "not a secondary zone of this server";
  return wire::rcode::refused;
}

void notify_service::handle_notify(const wire::message& q, const serve::client_address& from,
                                   std::string& reply) {
  const std::uint64_t t = now();
  const std::string zone = q.question ? q.question->name.text() : std::string("(none)");
  const auto v = hmac::verify(q, m_keys, t);
  if (v.status != hmac::status::ok) {
    ++m_refused;
    log::warning("notify for {} from {}: {}", zone, from.text(), v.reason);
    wire::message r = reply_to(q, hmac::to_rcode(v.status), v.reason);
    r.set_flag(wire::flag::aa);
    reply = wire::encode(r);
    return;
  }
  const hmac::key& key = *v.used;
  std::string why;
  const wire::rcode rc = check(q, key.name, why);
  wire::message r = reply_to(q, rc, why);
  r.set_flag(wire::flag::aa);
  if (rc == wire::rcode::noerror) {
    ++m_accepted;
    const std::uint32_t serial = announced_serial(q);
    log::info("zone {}: notified of serial {} by {}", zone, serial, from.text());
    if (m_notified) m_notified(q.question->name, serial);
  } else {
    ++m_refused;
    log::warning("notify for {} from {} with key {}: {}: {}", zone, from.text(), key.name,
                 wire::rcode_name(rc), why);
  }
  hmac::sign(r, key, t, q.auth->mac);
  reply = wire::encode(r);
}

}  // namespace cidns::authd
