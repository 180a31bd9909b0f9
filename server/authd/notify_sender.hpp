// The primary's NOTIFY (PROTOCOL §14): when a zone gets a new version, tells each secondary
// its --notify rules name, over UDP, signed with the rule's key; retries until a signed
// NOERROR comes back or five tries went unanswered. One background thread.
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
#include "cidns/wire/message.hpp"
#include "transfer_rules.hpp"

namespace cidns::authd {

struct notify_timing {
  std::chrono::milliseconds reply_wait{1000};  // for each try's reply
  std::chrono::milliseconds first_gap{1000};   // before the 2nd try; doubles for each next
  unsigned tries = 5;
};

class notify_sender {
 public:
  // `keys` must hold every key the rules name (a rule whose key is missing is logged and
  // skipped) and outlive the sender.
  notify_sender(const hmac::keyring& keys, std::vector<peer_rule> targets,
                notify_timing timing = {});
  ~notify_sender();  // stop()
  notify_sender(const notify_sender&) = delete;
  notify_sender& operator=(const notify_sender&) = delete;

  void start();
  void stop();  // prompt: interrupts a wait for a reply

  // `zone` has a new version whose SOA is `soa`: queues a NOTIFY to each of its targets
  // (replacing an older one still pending for that target). Thread-safe and cheap.
  void zone_changed(const name::identifier& zone, const record::rr& soa);

  // Per target: zone, server, key, last serial acked, pending serial, tries, failures.
  nlohmann::json status() const;

 private:
  using clock = std::chrono::steady_clock;
  struct target {
    peer_rule rule;
    const hmac::key* key = nullptr;
    std::optional<record::rr> pending;  // the SOA to announce
    std::uint64_t generation = 0;       // bumped by each zone_changed
    unsigned tries = 0;                 // of the pending NOTIFY
    clock::time_point due{};
    std::optional<std::uint32_t> acked;
    std::uint64_t sent = 0, failures = 0;
  };
  // What one try sends, copied out of the table so the lock is not held while waiting.
  struct attempt {
    std::size_t index = 0;
    std::uint64_t generation = 0;
    std::uint32_t serial = 0;
  };

  void run();
  // The target due soonest (lock held): its index, or nullopt when none is pending.
  std::optional<std::size_t> next_due() const;
  // Sends one NOTIFY and waits for its reply: empty when acknowledged, else why not.
  std::string exchange(const peer_rule& rule, const hmac::key& key, const record::rr& soa);
  void finish(const attempt& a, const std::string& failure);

  const hmac::keyring& m_keys;
  notify_timing m_timing;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<target> m_targets;
  bool m_stopping = false;
  std::atomic<bool> m_stop_flag{false};     // m_stopping, read without the lock
  std::atomic<std::uint64_t> m_changes{0};  // zone_changed calls that queued something
  std::thread m_thread;
};

}  // namespace cidns::authd
