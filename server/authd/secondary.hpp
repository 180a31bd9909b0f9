// The secondary side of zone transfers (PROTOCOL §14): one thread keeps every --secondary
// zone in step with its primary — a full transfer first, then incremental ones (a full one
// when the primary's history does not match our copy) on NOTIFY and on the SOA's refresh and
// retry timers — and withdraws a zone its primary has not confirmed for the SOA's expire time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "transfer_rules.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {

struct secondary_timing {
  std::chrono::milliseconds read_timeout{2000};      // connect and each message (bounds stop())
  std::chrono::seconds transfer_limit{600};          // one whole transfer
  std::chrono::milliseconds first_retry{5000};       // before the first success: doubling...
  std::chrono::milliseconds max_first_retry{60000};  // ...up to this
};

class secondary_service {
 public:
  // `keys` must hold the keys the rules name and outlive the service, as must `zones`.
  secondary_service(zone_manager& zones, const hmac::keyring& keys, std::vector<peer_rule> rules,
                    std::string state_dir, secondary_timing timing = {});
  ~secondary_service();  // stop()
  secondary_service(const secondary_service&) = delete;
  secondary_service& operator=(const secondary_service&) = delete;

  // Reads what each zone's copy says (withdrawing one already expired) and starts the thread.
  void start();
  void stop();  // prompt, even mid-transfer

  // The primary announced `serial` (0: unknown) for `zone`: refresh soon unless we serve it
  // or a newer one already. Thread-safe; repeated notifies coalesce.
  void notified(const name::identifier& zone, std::uint32_t serial);

  // Per zone: zone, primary, serial, state ("ok", "retrying", "expired", "waiting for first
  // transfer"), last_success, last_error, next_refresh, expires_at (unix seconds or null),
  // transfers {full, incremental, up_to_date, failed}, bytes.
  nlohmann::json status() const;

 private:
  using clock = std::chrono::steady_clock;
  struct zone_state {
    peer_rule rule;
    const hmac::key* key = nullptr;
    std::optional<std::uint32_t> serial;               // the version we hold (served or withdrawn)
    std::uint32_t refresh = 0, retry = 0, expire = 0;  // from its SOA
    std::int64_t last_success = 0;                     // unix seconds; 0: never
    std::string last_error;
    bool withdrawn = false;
    clock::time_point next{};
    std::chrono::milliseconds backoff{0};  // before the first success
    std::uint64_t notify_generation = 0;
    std::uint32_t notify_serial = 0;
    std::uint64_t full = 0, incremental = 0, up_to_date = 0, failed = 0, bytes = 0;
  };
  // The outcome of one refresh, applied to the table under the lock.
  struct outcome {
    bool ok = false;
    std::string error;
    std::optional<record::rr> soa;  // the SOA in service afterwards
    int kind = -1;                  // xfr::transfer_kind when ok
    std::uint64_t bytes = 0;
  };

  void run();
  // Withdraws the zones past their expire time (lock held); the time of the next expiry.
  clock::time_point expire_due(std::unique_lock<std::mutex>& lock);
  // One refresh of zone `i` (no lock held): a transfer, applied.
  outcome refresh(const peer_rule& rule, const hmac::key& key, bool withdrawn);
  void record(std::size_t i, const outcome& o, std::uint64_t generation);
  void take_soa(zone_state& z, const record::rr& soa);
  // Whether a NOTIFY of `serial` (0: unknown) calls for a refresh of `z`.
  static bool worth_refreshing(const zone_state& z, std::uint32_t serial);
  std::optional<record::rr> served_soa(const name::identifier& zone) const;

  zone_manager& m_zones;
  const hmac::keyring& m_keys;
  std::string m_state_dir;
  secondary_timing m_timing;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<zone_state> m_states;
  bool m_stopping = false;
  std::atomic<bool> m_stop_flag{false};  // m_stopping, read by a transfer between messages
  std::thread m_thread;
};

}  // namespace cidns::authd
