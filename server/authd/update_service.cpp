// Authenticated dynamic UPDATE (update_service.hpp).
#include "update_service.hpp"

#include <chrono>

#include "auth_reply.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"

namespace cidns::authd {

std::uint64_t update_service::now() const { return m_now ? m_now() : util::unix_seconds(); }

void update_service::handle_update(const wire::message& q, const serve::client_address& from,
                                   std::string& reply) {
  const std::uint64_t t = now();
  const std::string zone = q.question ? q.question->name.text() : std::string("(none)");
  const auto v = hmac::verify(q, m_keys, t);
  if (v.status != hmac::status::ok) {
    // Unsigned: the client could not check a signature made with a key it may not hold.
    ++m_refused;
    log::warning("update for {} from {}: {}", zone, from.text(), v.reason);
    reply = wire::encode(reply_to(q, hmac::to_rcode(v.status), v.reason));
    return;
  }
  const hmac::key& key = *v.used;
  wire::message r;
  if (!m_replay.first_use(key.name, q.auth->time, q.auth->mac, t, hmac::default_fudge)) {
    ++m_refused;
    log::warning("update for {} from {} with key {}: refused: a replayed message", zone,
                 from.text(), key.name);
    r = reply_to(q, wire::rcode::refused, "replayed message");
  } else {
    auto done = m_zones.apply_update(q, key.name);
    r = reply_to(q, done.rcode, done.why);
    if (done.soa) r.answer.push_back(*done.soa);
    if (done.rcode == wire::rcode::noerror) {
      ++m_accepted;
    } else {
      ++m_refused;
      log::warning("update for {} from {} with key {}: {}: {}", zone, from.text(), key.name,
                   wire::rcode_name(done.rcode), done.why);
    }
  }
  hmac::sign(r, key, t, q.auth->mac);
  reply = wire::encode(r);
}

}  // namespace cidns::authd
