// Dynamic UPDATE against a real cidns-authd (issue 12): signed UPDATEs over TCP and UDP,
// the change seen by queries, the authentication failures (unknown key, bad MAC, stale time,
// replay), a scoped key refused outside its scope, and durability: an acknowledged update
// survives kill -9 and a restart (the journal is replayed over the zonefile).
#include <csignal>
#include <string>
#include <vector>

#include "authd_harness.hpp"
#include "cidns/hmac/key.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"

namespace cidns::itest {
namespace {

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string state_data(std::string_view text) {
  auto tokens = record::tokenize_line(text).value();
  return record::parse_data(rtype::state, tokens, name::identifier()).value();
}

class AuthdUpdate : public AuthdIntegration {
 protected:
  void SetUp() override {
    m_agent = hmac::generate("pool1-agent");
    m_admin = hmac::generate("provx-admin");
    hmac::write_key_file(m_dir.file("agent.hmac"), m_agent);
    hmac::write_key_file(m_dir.file("admin.hmac"), m_admin);
    m_zone_file = copy_fixture("provx.zone");
  }

  std::unique_ptr<authd_server> start_dynamic() {
    authd_options o;
    o.extra = {"--hmac-key",     m_dir.file("agent.hmac"),
               "--hmac-key",     m_dir.file("admin.hmac"),
               "--allow-update", "provx.cn-north. pool1-agent. *.pool1.provx.cn-north. STATE",
               "--allow-update", "provx.cn-north. provx-admin. *.provx.cn-north. DESC STATE EP TXT",
               "--state-dir",    m_dir.file("state")};
    return authd_server::start(m_dir, {{std::string(provx), m_zone_file}}, o);
  }

  // An UPDATE replacing h100-8x.pool1's STATE with `state`.
  wire::message state_update(std::string_view state) {
    wire::message m;
    m.id = next_id();
    m.opcode = wire::opcode::update;
    m.question = wire::question{name::identifier::parse(provx).value(), rtype::soa};
    const auto owner = name::identifier::parse(h100).value();
    m.changes.push_back({wire::change_kind::delete_rrset, record::rr{owner, rtype::state, 0, {}}});
    m.changes.push_back(
        {wire::change_kind::add, record::rr{owner, rtype::state, 30, state_data(state)}});
    return m;
  }

  std::string served_state(const authd_server& s) {
    auto r = udp_ask(s.endpoint(), make_query(h100, rtype::state));
    if (!r || r->answer.empty()) return "(none)";
    return record::format_data(rtype::state, r->answer.front().data);
  }

  hmac::key m_agent, m_admin;
  std::string m_zone_file;
};

TEST_F(AuthdUpdate, ASignedUpdateIsAppliedSignedBackAndServed) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  auto q = state_update("free=1 score=7");
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r) << s->log();
  EXPECT_EQ(r->rcode, wire::rcode::noerror) << (r->error ? r->error->text : "") << s->log();
  ASSERT_EQ(r->answer.size(), 1U);  // the new SOA
  EXPECT_EQ(soa_serial(*r), first_serial + 1);
  // The reply is signed with the same key, over the request's MAC.
  hmac::keyring ring;
  ring.add(m_agent);
  EXPECT_EQ(hmac::verify(*r, ring, unix_now(), q.auth->mac).status, hmac::status::ok);
  EXPECT_EQ(served_state(*s), "free=1 score=7");
  // Over UDP too.
  auto q2 = state_update("free=0");
  hmac::sign(q2, m_agent, unix_now());
  auto r2 = udp_ask(s->endpoint(), q2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->rcode, wire::rcode::noerror);
  EXPECT_EQ(served_state(*s), "free=0");
  EXPECT_NE(s->log().find("update with key pool1-agent."), std::string::npos) << s->log();
}

TEST_F(AuthdUpdate, AuthenticationFailuresChangeNothing) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  const std::string before = served_state(*s);
  // Unsigned, and signed with a key the server does not know: NOTAUTH.
  auto q = state_update("free=9");
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notauth);
  hmac::sign(q, hmac::generate("stranger"), unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notauth);
  // A known key name with the wrong secret: BADSIG.
  auto forged = m_agent;
  forged.secret[0] ^= 1;
  q = state_update("free=9");
  hmac::sign(q, forged, unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badsig);
  // A MAC over other bytes: BADSIG.
  q = state_update("free=9");
  hmac::sign(q, m_agent, unix_now());
  q.id ^= 1;
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badsig);
  // Ten minutes old: BADTIME.
  q = state_update("free=9");
  hmac::sign(q, m_agent, unix_now() - 600);
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badtime);
  EXPECT_EQ(served_state(*s), before);
  // Accepted once, then the same bytes again: refused as a replay.
  q = state_update("free=5");
  hmac::sign(q, m_agent, unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::noerror);
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  EXPECT_NE(r->error->text.find("replay"), std::string::npos);
}

TEST_F(AuthdUpdate, AScopedKeyIsRefusedOutsideItsScope) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  wire::message q;
  q.id = next_id();
  q.opcode = wire::opcode::update;
  q.question = wire::question{name::identifier::parse(provx).value(), rtype::soa};
  q.changes.push_back({wire::change_kind::delete_rrset,
                       record::rr{name::identifier::parse(h100).value(), rtype::desc, 0, {}}});
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  ASSERT_TRUE(r->error);
  EXPECT_NE(r->error->text.find("may not change DESC"), std::string::npos) << r->error->text;
  auto desc = udp_ask(s->endpoint(), make_query(h100, rtype::desc));
  ASSERT_TRUE(desc);
  EXPECT_EQ(desc->answer.size(), 1U);
}

TEST_F(AuthdUpdate, AnAcknowledgedUpdateSurvivesKillMinusNine) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  auto q = state_update("free=2 score=4");
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rcode, wire::rcode::noerror);
  s->process().signal(SIGKILL);
  s->process().wait_for(5s);
  s.reset();
  auto again = start_dynamic();  // the same zonefile (unchanged) and state directory
  ASSERT_TRUE(again);
  EXPECT_EQ(served_state(*again), "free=2 score=4") << again->log();
  auto soa = udp_ask(again->endpoint(), make_query(provx, rtype::soa));
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa_serial(*soa), first_serial + 1);
  EXPECT_NE(again->log().find("replaying 1 journaled change"), std::string::npos) << again->log();
}

}  // namespace
}  // namespace cidns::itest
