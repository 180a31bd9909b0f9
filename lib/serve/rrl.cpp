// Response-rate limiting (rrl.hpp).
#include "cidns/serve/rrl.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/rand.h>

namespace cidns::serve {
namespace {

// A bucket is one 64-bit word: the time of its last update (milliseconds,
// modulo 2^40: 34 years) above the tokens (24 bits) in thousandths of a reply.
// A reply costs 1000; `rate` thousandths come back each millisecond, up to
// rate * 1000 (a second's worth: the burst).
constexpr unsigned token_bits = 24;
constexpr std::uint64_t token_mask = (std::uint64_t{1} << token_bits) - 1;
constexpr std::uint64_t time_mask = (std::uint64_t{1} << (64 - token_bits)) - 1;
constexpr std::uint64_t cost = 1000;
static_assert(rate_limiter::max_rate * cost <= token_mask);

std::uint64_t mix(std::uint64_t x) noexcept {  // a 64-bit finaliser (splitmix64)
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

rate_limiter::rate_limiter(std::uint32_t rate, std::uint32_t slip, std::uint64_t seed)
    : m_rate(rate), m_slip(slip), m_seed(seed) {
  if (rate == 0 || rate > max_rate) throw std::invalid_argument("rate limit out of range");
  m_table = std::make_unique<std::atomic<std::uint64_t>[]>(buckets);  // zero: never used
}

std::uint64_t rate_limiter::random_seed() {
  std::uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1) {
    throw std::runtime_error("cannot draw a random hash seed (RAND_bytes failed)");
  }
  return seed;
}

std::uint64_t rate_limiter::prefix_key(const client_address& a) noexcept {
  std::uint64_t key = 0;
  if (a.is_v4()) {  // /24
    key = (std::uint64_t{4} << 56) | (std::uint64_t{a.bytes[0]} << 16) |
          (std::uint64_t{a.bytes[1]} << 8) | a.bytes[2];
  } else {  // /56: the first 7 bytes
    key = std::uint64_t{6} << 56;
    for (std::size_t i = 0; i < 7; ++i) key |= std::uint64_t{a.bytes[i]} << (8 * (6 - i));
  }
  return key;
}

rate_limiter::action rate_limiter::decide(const client_address& to, std::int64_t now_ms) noexcept {
  std::atomic<std::uint64_t>& b = m_table[mix(prefix_key(to) ^ m_seed) & (buckets - 1)];
  const std::uint64_t now = static_cast<std::uint64_t>(now_ms) & time_mask;
  const std::uint64_t full = std::uint64_t{m_rate} * cost;
  std::uint64_t old = b.load(std::memory_order_relaxed);
  bool allowed = false;
  for (;;) {
    std::uint64_t last = old >> token_bits;
    std::uint64_t tokens = old & token_mask;
    if (old == 0) {
      tokens = full;  // a bucket never used
      last = now;
    } else {
      // Elapsed time modulo 2^40; "negative" (the clock stepped back, or
      // another thread got a later time) refills nothing.
      const std::uint64_t elapsed = (now - last) & time_mask;
      if (elapsed < (time_mask >> 1)) {
        tokens = std::min(full, tokens + std::min<std::uint64_t>(elapsed, 1000) * m_rate);
        last = now;
      }
    }
    allowed = tokens >= cost;
    if (allowed) tokens -= cost;
    std::uint64_t next = (last << token_bits) | tokens;
    if (next == 0) next = 1;  // keep "never used" distinct (time 0, empty: one token in 1000)
    if (b.compare_exchange_weak(old, next, std::memory_order_relaxed)) break;
  }
  if (allowed) return action::pass;
  if (m_slip == 0) return action::drop;
  const std::uint64_t n = m_limited.fetch_add(1, std::memory_order_relaxed) + 1;
  return n % m_slip == 0 ? action::slip : action::drop;
}

}  // namespace cidns::serve
