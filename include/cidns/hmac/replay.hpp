// Refuses a signed message seen before: remembers each accepted (key, time, MAC) until its
// time is more than the fudge in the past, when verify() would refuse it as BADTIME anyway.
// Bounded in memory; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace cidns::hmac {

class replay_guard {
 public:
  explicit replay_guard(std::size_t max_entries = 100000) : m_max(max_entries) {}

  // True the first time (key, time, mac) is offered (and remembers it); false for a replay,
  // or when the guard is full of entries still inside their window (refuse: safer than
  // forgetting one). `window` is the fudge: entries with time + window < now are dropped.
  bool first_use(std::string_view key, std::uint64_t time, std::string_view mac, std::uint64_t now,
                 std::uint32_t window);
  std::size_t size() const;

 private:
  mutable std::mutex m_mutex;
  std::size_t m_max;
  // (time, key + '\0' + mac), ordered by time so expiry drops from the front.
  std::set<std::pair<std::uint64_t, std::string>> m_seen;
};

}  // namespace cidns::hmac
