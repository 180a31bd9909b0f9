// Server cookies: the layout, verification and everything that must fail it.
// (The responder's use of them is tested in tests/unit/authd.)
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "cidns/serve/client_address.hpp"
#include "cidns/serve/cookies.hpp"

namespace cidns::serve {
namespace {

const server_cookies::secret_type secret{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                         0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
const client_address client = client_address::v4(192, 0, 2, 10);
const std::string client_cookie("\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 8);
constexpr std::int64_t now = 1'764'000'000;  // unix seconds

// client || server cookie as issued at `when`.
std::string issue(const server_cookies& c, const client_address& to, std::int64_t when,
                  const std::string& cc = client_cookie) {
  std::array<std::uint8_t, server_cookies::server_size> sc{};
  c.make(cc, to, when, sc);
  return cc + std::string(reinterpret_cast<const char*>(sc.data()), sc.size());
}

TEST(ServerCookies, Layout) {
  server_cookies c(secret);
  std::string full = issue(c, client, now);
  ASSERT_EQ(full.size(), 24U);
  EXPECT_EQ(full.substr(0, 8), client_cookie);
  EXPECT_EQ(full[8], 1);  // version
  EXPECT_EQ(full.substr(9, 3), std::string(3, '\0'));
  const auto* ts = reinterpret_cast<const std::uint8_t*>(full.data()) + 12;
  EXPECT_EQ((std::uint32_t{ts[0]} << 24) | (std::uint32_t{ts[1]} << 16) |
                (std::uint32_t{ts[2]} << 8) | ts[3],
            static_cast<std::uint32_t>(now));
  // Deterministic for the same inputs; the HMAC part changes with each of them.
  EXPECT_EQ(issue(c, client, now), full);
  EXPECT_NE(issue(c, client, now).substr(16), issue(c, client, now + 1).substr(16));
  EXPECT_NE(issue(c, client, now).substr(16),
            issue(c, client_address::v4(192, 0, 2, 11), now).substr(16));
  EXPECT_NE(issue(c, client, now).substr(16),
            issue(c, client, now, std::string("\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa9", 8)).substr(16));
}

TEST(ServerCookies, IssuedCookieVerifies) {
  server_cookies c(secret);
  std::string full = issue(c, client, now);
  EXPECT_TRUE(c.verify(full, client, now));
  EXPECT_TRUE(c.verify(full, client, now + server_cookies::max_age_s));
  EXPECT_TRUE(c.verify(full, client, now - server_cookies::max_future_s));
}

TEST(ServerCookies, WrongSecretFails) {
  server_cookies ours(secret);
  auto other_secret = secret;
  other_secret[0] ^= 1;
  server_cookies theirs(other_secret);
  EXPECT_FALSE(ours.verify(issue(theirs, client, now), client, now));
  EXPECT_FALSE(theirs.verify(issue(ours, client, now), client, now));
  EXPECT_TRUE(theirs.verify(issue(theirs, client, now), client, now));  // per-thread context rekeys
}

TEST(ServerCookies, WrongAddressFails) {
  server_cookies c(secret);
  std::string full = issue(c, client, now);
  EXPECT_FALSE(c.verify(full, client_address::v4(192, 0, 2, 11), now));
  std::array<std::uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8};
  EXPECT_FALSE(c.verify(full, client_address::v6(v6), now));
  std::string for_v6 = issue(c, client_address::v6(v6), now);
  EXPECT_TRUE(c.verify(for_v6, client_address::v6(v6), now));
  v6[15] = 1;
  EXPECT_FALSE(c.verify(for_v6, client_address::v6(v6), now));
}

TEST(ServerCookies, ExpiredOrFutureTimestampFails) {
  server_cookies c(secret);
  std::string full = issue(c, client, now);
  EXPECT_FALSE(c.verify(full, client, now + server_cookies::max_age_s + 1));
  EXPECT_FALSE(c.verify(full, client, now - server_cookies::max_future_s - 1));
  EXPECT_FALSE(c.verify(full, client, now + 86'400 * 365));
}

TEST(ServerCookies, TamperedBytesFail) {
  server_cookies c(secret);
  const std::string full = issue(c, client, now);
  for (std::size_t i = 0; i < full.size(); ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      std::string bad = full;
      bad[i] = static_cast<char>(bad[i] ^ bit);
      EXPECT_FALSE(c.verify(bad, client, now)) << "byte " << i << " bit " << int{bit};
    }
  }
  // Valid HMAC but a timestamp moved inside the window: still the HMAC fails.
  std::string moved = full;
  moved[15] = static_cast<char>(moved[15] + 1);
  EXPECT_FALSE(c.verify(moved, client, now));
  // Other lengths never verify.
  EXPECT_FALSE(c.verify(full.substr(0, 16), client, now));
  EXPECT_FALSE(c.verify(full + "x", client, now));
  EXPECT_FALSE(c.verify(client_cookie, client, now));
}

TEST(ServerCookies, AnswerSaysWhatTheQueryHeld) {
  server_cookies c(secret);
  std::string out = "leftover";
  EXPECT_EQ(c.answer("", client, now, out), cookie_result::none);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(c.answer(client_cookie, client, now, out), cookie_result::client_only);
  EXPECT_EQ(out, issue(c, client, now));
  const std::string issued = out;
  EXPECT_EQ(c.answer(issued, client, now + 10, out), cookie_result::valid);
  EXPECT_EQ(out, issued);  // young: sent back as it is
  EXPECT_EQ(c.answer(issued, client, now + 1800, out), cookie_result::valid);
  EXPECT_EQ(out, issue(c, client, now + 1800));  // half an hour old: refreshed
  EXPECT_EQ(c.answer(issued, client, now + 7200, out), cookie_result::invalid);
  EXPECT_EQ(out, issue(c, client, now + 7200));  // a fresh one to retry with
  // A server cookie of another server (another length) is invalid, answered fresh.
  EXPECT_EQ(c.answer(client_cookie + std::string(32, 'x'), client, now, out),
            cookie_result::invalid);
  EXPECT_EQ(out, issue(c, client, now));
}

TEST(ServerCookies, RandomSecretsDiffer) {
  auto a = server_cookies::with_random_secret();
  auto b = server_cookies::with_random_secret();
  EXPECT_NE(issue(a, client, now), issue(b, client, now));
  EXPECT_TRUE(a.verify(issue(a, client, now), client, now));
}

}  // namespace
}  // namespace cidns::serve
