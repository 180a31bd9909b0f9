// Response-rate limiting in the responder: UDP only, cookie-verified clients
// exempt, FORMERR limited too. (The limiter itself is tested in tests/unit/serve.)
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/serve/cookies.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/serve/rrl.hpp"
#include "cidns/wire/message.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using serve::client_address;
using serve::query_stats;
using serve::rate_limiter;
using serve::server_cookies;

const client_address client = client_address::v4(192, 0, 2, 10);

// ---- in the responder ---------------------------------------------------------

class RrlResponder : public ::testing::Test {
 protected:
  // The reply to one query over `udp` from `from` with `cookie`; nullopt when dropped.
  std::optional<wire::message> ask(responder& r, bool udp, const client_address& from,
                                   std::string cookie = {}) {
    wire::message q;
    q.id = m_id++;
    q.question =
        wire::question{name::identifier::parse("a.provx.cn-north.").value(), record::rtype::txt};
    q.cookie = std::move(cookie);
    std::string reply;
    if (!r.respond(wire::encode(q), udp, from, reply)) return std::nullopt;
    auto m = wire::decode(reply);
    EXPECT_TRUE(m);
    if (!m) return std::nullopt;
    EXPECT_EQ(m->id, q.id);
    return *m;
  }

  std::int64_t m_now = 1'764'000'000'000;  // unix ms
  zone_registry m_zones;
  query_stats m_stats;
  std::uint32_t m_id = 1;
};

TEST_F(RrlResponder, OffWithoutLimiter) {
  responder r(m_zones, m_stats);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(ask(r, true, client));
  EXPECT_EQ(m_stats.snapshot().rrl_limited, 0U);
}

TEST_F(RrlResponder, UdpOverTheLimitIsSlippedOrDropped) {
  rate_limiter l(3, 2, 5);
  responder r(m_zones, m_stats, {nullptr, &l, [this] { return m_now; }});
  int full = 0, tc = 0, dropped = 0;
  for (int i = 0; i < 13; ++i) {
    auto m = ask(r, true, client);
    if (!m) {
      ++dropped;
    } else if (m->has_flag(wire::flag::tc)) {
      ++tc;
      EXPECT_TRUE(m->answer.empty() && m->authority.empty() && m->additional.empty());
      EXPECT_TRUE(m->question.has_value());
      EXPECT_EQ(m->rcode, wire::rcode::noerror);
    } else {
      ++full;
    }
  }
  EXPECT_EQ(full, 3);
  EXPECT_EQ(tc, 5);
  EXPECT_EQ(dropped, 5);
  auto s = m_stats.snapshot();
  EXPECT_EQ(s.rrl_limited, 10U);
  EXPECT_EQ(s.rrl_slipped, 5U);
  EXPECT_EQ(s.rrl_dropped, 5U);
  EXPECT_EQ(s.truncated, 0U);  // slips are not size truncation
  m_now += 1000;
  EXPECT_FALSE(ask(r, true, client)->has_flag(wire::flag::tc));  // refilled
}

TEST_F(RrlResponder, TcpIsNotLimited) {
  rate_limiter l(1, 2, 5);
  responder r(m_zones, m_stats, {nullptr, &l, [this] { return m_now; }});
  for (int i = 0; i < 20; ++i) {
    auto m = ask(r, false, client);
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->has_flag(wire::flag::tc));
  }
  EXPECT_EQ(m_stats.snapshot().rrl_limited, 0U);
}

TEST_F(RrlResponder, CookieVerifiedClientsAreExempt) {
  rate_limiter l(1, 0, 5);
  server_cookies cookies(server_cookies::secret_type{1, 2, 3});
  responder r(m_zones, m_stats, {&cookies, &l, [this] { return m_now; }});
  const std::string client_cookie = "\x01\x02\x03\x04\x05\x06\x07\x08";
  auto first = ask(r, true, client, client_cookie);  // uses the one token
  ASSERT_TRUE(first);
  ASSERT_EQ(first->cookie.size(), 24U);
  EXPECT_FALSE(ask(r, true, client, client_cookie)) << "a client cookie alone proves nothing";
  for (int i = 0; i < 20; ++i) {
    auto m = ask(r, true, client, first->cookie);
    ASSERT_TRUE(m) << i;
    EXPECT_FALSE(m->has_flag(wire::flag::tc));
  }
  // The same cookie from another address is not verified: limited (same /24).
  EXPECT_FALSE(ask(r, true, client_address::v4(192, 0, 2, 99), first->cookie));
  auto s = m_stats.snapshot();
  EXPECT_EQ(s.cookie_valid, 20U);
  EXPECT_EQ(s.cookie_invalid, 1U);
  EXPECT_EQ(s.cookie_new, 2U);
}

TEST_F(RrlResponder, FormerrIsLimitedToo) {
  rate_limiter l(2, 0, 5);
  responder r(m_zones, m_stats, {nullptr, &l, [this] { return m_now; }});
  const std::string garbage = std::string("\x0d\x01\x00\x00\x00", 5) + "\x2a\x05" + "\xff\xff";
  int sent = 0;
  for (int i = 0; i < 10; ++i) {
    std::string reply;
    sent += r.respond(garbage, true, client, reply) ? 1 : 0;
  }
  EXPECT_EQ(sent, 2);
  EXPECT_EQ(m_stats.snapshot().rrl_dropped, 8U);
}

}  // namespace
}  // namespace cidns::authd
