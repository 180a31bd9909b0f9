// Response-rate limiting: the token bucket with a fake clock, prefix grouping
// and the slip pattern. (The responder's use of it is tested in tests/unit/authd.)
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

#include "cidns/serve/client_address.hpp"
#include "cidns/serve/rrl.hpp"

namespace cidns::serve {
namespace {

using action = rate_limiter::action;

const client_address client = client_address::v4(192, 0, 2, 10);

// How many of `n` replies at `now` pass.
int passes(rate_limiter& l, const client_address& a, std::int64_t now, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += l.decide(a, now) == action::pass ? 1 : 0;
  return ok;
}

client_address v6(std::initializer_list<std::uint8_t> head) {
  std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  std::size_t i = 0;
  for (auto x : head) b[i++] = x;
  b[15] = 1;
  return client_address::v6(b);
}

TEST(RateLimiter, BurstIsTheRateThenRefillFollowsTheClock) {
  rate_limiter l(10, 0, 42);
  std::int64_t t = 1'000'000;
  EXPECT_EQ(passes(l, client, t, 25), 10);  // a full bucket: one second's worth
  EXPECT_EQ(passes(l, client, t, 5), 0);
  t += 100;  // 100 ms at 10/s: one more
  EXPECT_EQ(passes(l, client, t, 5), 1);
  t += 50;  // half a token
  EXPECT_EQ(passes(l, client, t, 5), 0);
  t += 50;  // the other half
  EXPECT_EQ(passes(l, client, t, 5), 1);
  t += 60'000;  // a long pause refills only up to the burst
  EXPECT_EQ(passes(l, client, t, 25), 10);
}

TEST(RateLimiter, SteadyRateIsHeld) {
  rate_limiter l(100, 0, 1);
  std::int64_t t = 5'000;
  int ok = passes(l, client, t, 100);
  for (int ms = 1; ms <= 3000; ++ms) ok += passes(l, client, t + ms, 3);  // 3000/s offered
  EXPECT_EQ(ok, 100 + 300);
}

TEST(RateLimiter, ClockSteppingBackRefillsNothing) {
  rate_limiter l(10, 0, 7);
  EXPECT_EQ(passes(l, client, 1'000'000, 20), 10);
  EXPECT_EQ(passes(l, client, 900'000, 5), 0);
  EXPECT_EQ(passes(l, client, 1'000'100, 5), 1);
}

TEST(RateLimiter, IPv4PrefixIsSlash24) {
  rate_limiter l(5, 0, 3);
  EXPECT_EQ(passes(l, client_address::v4(198, 51, 100, 1), 10'000, 10), 5);
  EXPECT_EQ(passes(l, client_address::v4(198, 51, 100, 254), 10'000, 10), 0);  // same /24
  EXPECT_EQ(passes(l, client_address::v4(198, 51, 101, 1), 10'000, 10), 5);    // next /24
  EXPECT_EQ(rate_limiter::prefix_key(client_address::v4(10, 1, 2, 3)),
            rate_limiter::prefix_key(client_address::v4(10, 1, 2, 200)));
  EXPECT_NE(rate_limiter::prefix_key(client_address::v4(10, 1, 2, 3)),
            rate_limiter::prefix_key(client_address::v4(10, 1, 3, 3)));
}

TEST(RateLimiter, IPv6PrefixIsSlash56) {
  rate_limiter l(5, 0, 3);
  EXPECT_EQ(passes(l, v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x02, 0x00}), 10'000, 10), 5);
  // Byte 7 (bits 56..63) differs: the same /56.
  EXPECT_EQ(passes(l, v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x02, 0xff}), 10'000, 10), 0);
  // Byte 6 differs: another /56.
  EXPECT_EQ(passes(l, v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x03, 0x00}), 10'000, 10), 5);
  // IPv4 and IPv6 never share a key, even with equal leading bytes.
  EXPECT_NE(rate_limiter::prefix_key(client_address::v4(0, 0, 0, 1)),
            rate_limiter::prefix_key(client_address::v6({})));
}

TEST(RateLimiter, V4MappedAddressesCountAsIPv4) {
  auto mapped = client_address::from(boost::asio::ip::make_address("::ffff:192.0.2.10"));
  EXPECT_TRUE(mapped.is_v4());
  EXPECT_EQ(rate_limiter::prefix_key(mapped), rate_limiter::prefix_key(client));
}

std::vector<action> limited_pattern(std::uint32_t slip, int n) {
  rate_limiter l(1, slip, 9);
  EXPECT_EQ(l.decide(client, 1000), action::pass);
  std::vector<action> out;
  for (int i = 0; i < n; ++i) out.push_back(l.decide(client, 1000));
  return out;
}

TEST(RateLimiter, SlipPattern) {
  using enum action;
  EXPECT_EQ(limited_pattern(2, 6), (std::vector{drop, slip, drop, slip, drop, slip}));
  EXPECT_EQ(limited_pattern(3, 6), (std::vector{drop, drop, slip, drop, drop, slip}));
  EXPECT_EQ(limited_pattern(1, 3), (std::vector{slip, slip, slip}));
  EXPECT_EQ(limited_pattern(0, 3), (std::vector{drop, drop, drop}));
}

TEST(RateLimiter, RateOutOfRangeIsRefused) {
  EXPECT_THROW(rate_limiter(0, 2, 0), std::invalid_argument);
  EXPECT_THROW(rate_limiter(rate_limiter::max_rate + 1, 2, 0), std::invalid_argument);
  rate_limiter top(rate_limiter::max_rate, 2, 0);
  EXPECT_EQ(passes(top, client, 1, static_cast<int>(rate_limiter::max_rate) + 5),
            static_cast<int>(rate_limiter::max_rate));
}

}  // namespace
}  // namespace cidns::serve
