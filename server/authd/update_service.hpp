// cidns-authd's answer to UPDATE messages: authenticates them (HMAC, PROTOCOL §4 Auth),
// refuses replays, hands them to the zone manager and signs the reply. What the responder
// calls for opcode UPDATE.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cidns/hmac/key.hpp"
#include "cidns/hmac/replay.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/wire/message.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {

class update_handler {
 public:
  virtual ~update_handler() = default;
  // The encoded reply to `q` (an UPDATE, not itself a reply).
  virtual void handle_update(const wire::message& q, const serve::client_address& from,
                             std::string& reply) = 0;
};

class update_service final : public update_handler {
 public:
  // `now` gives unix seconds (null: the system clock).
  update_service(zone_manager& zones, const hmac::keyring& keys,
                 std::function<std::uint64_t()> now = {})
      : m_zones(zones), m_keys(keys), m_now(std::move(now)) {}

  void handle_update(const wire::message& q, const serve::client_address& from,
                     std::string& reply) override;

  std::uint64_t accepted() const noexcept { return m_accepted.load(); }
  std::uint64_t refused() const noexcept { return m_refused.load(); }

 private:
  std::uint64_t now() const;

  zone_manager& m_zones;
  const hmac::keyring& m_keys;
  std::function<std::uint64_t()> m_now;
  hmac::replay_guard m_replay;
  std::atomic<std::uint64_t> m_accepted{0}, m_refused{0};
};

}  // namespace cidns::authd
