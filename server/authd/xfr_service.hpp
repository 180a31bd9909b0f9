// cidns-authd's answer to XFR requests (PROTOCOL §14): authenticates them (HMAC, PROTOCOL §10
// Auth), checks that the key may transfer the zone (--allow-xfr), and answers with a stream of
// signed messages: the zone's changesets from the client's serial when the transfer history
// reaches it, else the full zone, or "up to date". Each message's MAC covers the previous one's
// (the first the request's), so a stream cannot be cut or spliced unnoticed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cidns/hmac/key.hpp"
#include "cidns/hmac/replay.hpp"
#include "cidns/net/server.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/wire/message.hpp"
#include "transfer_history.hpp"
#include "transfer_rules.hpp"
#include "zone_set.hpp"

namespace cidns::authd {

struct xfr_counters {
  std::atomic<std::uint64_t> full{0}, incremental{0}, up_to_date{0}, refused{0};
  std::atomic<std::uint64_t> records{0}, messages{0};
};

class xfr_service {
 public:
  // `history` may be null (every transfer is full). All must outlive the service and the
  // streams it opens. `now` gives unix seconds (null: the system clock).
  xfr_service(const zone_registry& zones, const hmac::keyring& keys, std::vector<xfr_rule> rules,
              const transfer_history* history, std::function<std::uint64_t()> now = {});

  // The reply stream to `q` (an XFR request, not itself a reply, that came over TCP).
  std::unique_ptr<net::reply_stream> open(const wire::message& q,
                                          const serve::client_address& from);
  // The one-message reply to an XFR request that came over UDP: REFUSED (transfers are over TCP).
  static std::string refuse_udp(const wire::message& q);

  const xfr_counters& counters() const noexcept { return m_counters; }

 private:
  std::uint64_t now() const;

  const zone_registry& m_zones;
  const hmac::keyring& m_keys;
  std::vector<xfr_rule> m_rules;
  const transfer_history* m_history;
  std::function<std::uint64_t()> m_now;
  hmac::replay_guard m_replay;
  xfr_counters m_counters;
};

}  // namespace cidns::authd
