// Response-rate limiting (DESIGN §5 "Abuse"), NSD/Knot style, simplified: UDP
// replies to one client prefix (IPv4 /24, IPv6 /56) are limited to `rate` per
// second by a token bucket (burst: `rate`). Over the limit, every `slip`-th
// limited reply is sent as an empty truncated reply (TC set, so a real client
// retries over TCP, which is not limited) and the others are dropped: a
// spoofed flood is not reflected at its victim, yet real clients get through.
//
// One table of 65,536 buckets is shared by every serving thread (64-bit
// atomics, updated lock-free), so the limit is per prefix for the whole
// process. Prefixes that hash to the same bucket share its budget (limited
// more, never less). Nothing is allocated per query.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "cidns/serve/client_address.hpp"

namespace cidns::serve {

class rate_limiter {
 public:
  static constexpr std::size_t buckets = 65536;
  static constexpr std::uint32_t max_rate = 10000;  // responses/s per prefix
  static constexpr std::uint32_t default_slip = 2;

  enum class action : std::uint8_t {
    pass,  // send the reply
    slip,  // send an empty reply with TC set instead
    drop,  // send nothing
  };

  // `rate` responses per second per prefix (1..max_rate); `slip` 0 drops every
  // limited reply, 1 truncates every one, N truncates every N-th. `seed` keys
  // the prefix hash (random in the server, so that nobody can aim collisions).
  rate_limiter(std::uint32_t rate, std::uint32_t slip, std::uint64_t seed);

  // One reply to `to` at `now_ms` (milliseconds of any clock that does not jump
  // much; the server uses unix time): whether to send it.
  action decide(const client_address& to, std::int64_t now_ms) noexcept;

  // A seed from OpenSSL's RAND_bytes; throws std::runtime_error when it fails.
  static std::uint64_t random_seed();

  std::uint32_t rate() const noexcept { return m_rate; }
  std::uint32_t slip() const noexcept { return m_slip; }

  // The 64-bit key of the prefix `a` is in (/24 or /56), exposed for tests.
  static std::uint64_t prefix_key(const client_address& a) noexcept;

 private:
  std::uint32_t m_rate;
  std::uint32_t m_slip;
  std::uint64_t m_seed;
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_table;
  std::atomic<std::uint64_t> m_limited{0};  // numbers limited replies for the slip pattern
};

}  // namespace cidns::serve
