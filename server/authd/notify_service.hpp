// cidns-authd's answer to NOTIFY messages on a secondary (PROTOCOL §14): authenticates them
// with the key the zone's --secondary rule names, refuses replays, tells the secondary
// service that the zone changed and signs the reply. What the responder calls for opcode
// NOTIFY.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cidns/hmac/key.hpp"
#include "cidns/hmac/replay.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/wire/message.hpp"
#include "transfer_rules.hpp"

namespace cidns::authd {

class notify_handler {
 public:
  virtual ~notify_handler() = default;
  // The encoded reply to `q` (a NOTIFY, not itself a reply).
  virtual void handle_notify(const wire::message& q, const serve::client_address& from,
                             std::string& reply) = 0;
};

class notify_service final : public notify_handler {
 public:
  using notified_fn = std::function<void(const name::identifier&, std::uint32_t)>;

  // `zones`: the secondary rules (which key each zone takes); `notified(zone, serial)` is
  // called for each accepted NOTIFY (serial: the SOA in its answer, 0 when none). `now`
  // gives unix seconds (null: the system clock). `keys` must outlive the service.
  notify_service(const hmac::keyring& keys, std::vector<peer_rule> zones, notified_fn notified,
                 std::function<std::uint64_t()> now = {});

  void handle_notify(const wire::message& q, const serve::client_address& from,
                     std::string& reply) override;

  std::uint64_t accepted() const noexcept { return m_accepted.load(); }
  std::uint64_t refused() const noexcept { return m_refused.load(); }

 private:
  std::uint64_t now() const;
  // The rcode for a verified NOTIFY signed with `key` (NOERROR: accept it) and why not.
  wire::rcode check(const wire::message& q, const std::string& key, std::string& why);

  const hmac::keyring& m_keys;
  std::vector<peer_rule> m_zones;
  notified_fn m_notified;
  std::function<std::uint64_t()> m_now;
  hmac::replay_guard m_replay;
  std::atomic<std::uint64_t> m_accepted{0}, m_refused{0};
};

}  // namespace cidns::authd
