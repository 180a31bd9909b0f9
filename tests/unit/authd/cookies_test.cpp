// Server cookies in the responder: what the reply carries and what is counted.
// (The cookies themselves are tested in tests/unit/serve.)
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "cidns/name/identifier.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/serve/cookies.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using serve::client_address;
using serve::query_stats;
using serve::server_cookies;

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
// ---- in the responder ---------------------------------------------------------

class CookieResponder : public ::testing::Test {
 protected:
  wire::message ask(responder& r, std::string cookie, bool udp = true) {
    wire::message q;
    q.id = 7;
    q.question =
        wire::question{name::identifier::parse("a.provx.cn-north.").value(), record::rtype::txt};
    q.cookie = std::move(cookie);
    std::string reply;
    EXPECT_TRUE(r.respond(wire::encode(q), udp, client, reply));
    auto m = wire::decode(reply);
    EXPECT_TRUE(m);
    return m ? *m : wire::message{};
  }

  server_cookies m_cookies{secret};
  zone_registry m_zones;
  query_stats m_stats;
  std::int64_t m_now_ms = now * 1000 + 250;
  responder m_responder{m_zones, m_stats, {&m_cookies, nullptr, [this] { return m_now_ms; }}};
};

TEST_F(CookieResponder, NoCookieNoCookie) {
  EXPECT_TRUE(ask(m_responder, "").cookie.empty());
  auto s = m_stats.snapshot();
  EXPECT_EQ(s.cookie_new + s.cookie_valid + s.cookie_invalid, 0U);
}

TEST_F(CookieResponder, ReplyCarriesClientAndServerCookie) {
  auto r = ask(m_responder, client_cookie);
  EXPECT_EQ(r.cookie, issue(m_cookies, client, now));
  EXPECT_TRUE(m_cookies.verify(r.cookie, client, now));
  m_now_ms += 1000;
  auto again = ask(m_responder, r.cookie, false);  // over TCP too
  EXPECT_EQ(again.cookie, r.cookie);
  m_now_ms += 2 * 3600 * 1000;
  auto stale = ask(m_responder, r.cookie);
  EXPECT_EQ(stale.rcode, r.rcode);  // answered normally
  EXPECT_EQ(stale.cookie, issue(m_cookies, client, now + 1 + 2 * 3600));
  auto s = m_stats.snapshot();
  EXPECT_EQ(s.cookie_new, 1U);
  EXPECT_EQ(s.cookie_valid, 1U);
  EXPECT_EQ(s.cookie_invalid, 1U);
}

TEST_F(CookieResponder, CookiesOffIgnoresThem) {
  responder off(m_zones, m_stats);
  EXPECT_TRUE(ask(off, client_cookie).cookie.empty());
  EXPECT_TRUE(ask(off, issue(m_cookies, client, now)).cookie.empty());
}

}  // namespace
}  // namespace cidns::authd
