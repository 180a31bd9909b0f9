// The engine iterating through the three-level hierarchy (scenario_hierarchy.hpp): every
// answer kind, referrals and glue, a glueless server name, CNAME chains across zones, TC.
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class ScenarioIteration : public scenario {};

constexpr auto do_bit = wire::flag::do_;

TEST_F(ScenarioIteration, AnswerThroughThreeLevelsIsSecure) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, do_bit | wire::flag::rd);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(a.state, security::secure) << trace_text();
  EXPECT_TRUE(a.reply.has_flag(wire::flag::ad));
  EXPECT_TRUE(a.reply.has_flag(wire::flag::qr));
  EXPECT_TRUE(a.reply.has_flag(wire::flag::ra));
  EXPECT_TRUE(a.reply.has_flag(wire::flag::rd));
  ASSERT_TRUE(a.reply.question);
  EXPECT_EQ(a.reply.question->name, id("h100.pool1.provx.cn-north."));
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_GE(count(a.reply.answer, rtype::sig), 1U);
  EXPECT_GE(sent_to("127.0.0.2:5380"), 1U);
  EXPECT_GE(sent_to("127.0.0.3:5380"), 1U);
  EXPECT_GE(sent_to("127.0.0.4:5380") + sent_to("127.0.0.5:5380"), 1U);
  for (const auto& s : m_sent) {
    EXPECT_FALSE(s.flags & wire::flag::rd) << "upstream queries never ask for recursion";
    EXPECT_TRUE(s.flags & wire::flag::do_) << "DO with a trust anchor";
  }
  const auto t = trace_text();
  EXPECT_NE(t.find("referral to cn-north. (1 servers), DS secure"), std::string::npos) << t;
  EXPECT_NE(t.find("referral to provx.cn-north. (2 servers), DS secure"), std::string::npos) << t;
}

TEST_F(ScenarioIteration, WithoutDoNoSigsButAdOnlyWhenAsked) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.state, security::secure);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad)) << "neither AD nor DO asked";
  EXPECT_EQ(count(a.reply.answer, rtype::sig), 0U);
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::ad);
  EXPECT_TRUE(b.reply.has_flag(wire::flag::ad));
}

TEST_F(ScenarioIteration, ResourceIsDescStateAndEp) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << trace_text();
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(count(a.reply.answer, rtype::state), 1U);
  EXPECT_EQ(count(a.reply.answer, rtype::ep), 1U);
}

TEST_F(ScenarioIteration, CnameInsideAZone) {
  auto a = resolve("best.provx.cn-north.", rtype::resource);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << trace_text();
  ASSERT_FALSE(a.reply.answer.empty());
  EXPECT_EQ(a.reply.answer.front().type, rtype::cname);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
}

TEST_F(ScenarioIteration, CnameChainAcrossZonesEndsInsecure) {
  auto a = resolve("toplain.provx.cn-north.", rtype::desc, do_bit);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(a.state, security::insecure) << "the target is in an unsigned zone";
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
  EXPECT_EQ(count(a.reply.answer, rtype::cname), 1U);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_GE(sent_to("127.0.0.6:5380"), 1U);
}

TEST_F(ScenarioIteration, CnameFromUnsignedIntoSignedIsInsecure) {
  auto a = resolve("back.plain.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(a.state, security::insecure);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
}

TEST_F(ScenarioIteration, WildcardAnswerIsSecure) {
  auto a = resolve("anything.spot.provx.cn-north.", rtype::desc, do_bit);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << error_text(a) << trace_text();
  ASSERT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(a.reply.answer.front().owner, id("anything.spot.provx.cn-north."));
}

TEST_F(ScenarioIteration, NodataIsSecureWithSoa) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::txt, do_bit);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << error_text(a) << trace_text();
  EXPECT_TRUE(a.reply.answer.empty());
  EXPECT_EQ(count(a.reply.authority, rtype::soa), 1U);
  EXPECT_GE(count(a.reply.authority, rtype::nsec), 1U);
}

TEST_F(ScenarioIteration, NxdomainIsSecureAndProofOnlyWithDo) {
  auto a = resolve("nothere.provx.cn-north.", rtype::desc, do_bit);
  EXPECT_EQ(a.reply.rcode, wire::rcode::nxdomain) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << error_text(a) << trace_text();
  EXPECT_GE(count(a.reply.authority, rtype::nsec), 1U);
  auto b = resolve("nothere2.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain);
  EXPECT_EQ(count(b.reply.authority, rtype::nsec), 0U);
  EXPECT_EQ(count(b.reply.authority, rtype::sig), 0U);
  EXPECT_EQ(count(b.reply.authority, rtype::soa), 1U);
}

TEST_F(ScenarioIteration, UnsignedDelegationIsInsecure) {
  auto a = resolve("node.plain.cn-north.", rtype::desc, do_bit);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::insecure) << trace_text();
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
  EXPECT_NE(trace_text().find("referral to plain.cn-north. (1 servers), insecure (no DS)"),
            std::string::npos)
      << trace_text();
}

TEST_F(ScenarioIteration, GluelessServerNameIsResolvedAndOutOfBailiwickGlueIgnored) {
  // cn-north's server slips in an address for a name under fin.: not its data.
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (from != addr("127.0.0.3:5380")) return;
    record::addr bad;
    bad.address = std::string("\x7f\x00\x00\x42", 4);  // 127.0.0.66
    m.additional.push_back(record::rr{id("ns.ext-host.fin."), rtype::addr, 3600, bad.encode()});
  };
  auto a = resolve("thing.ext.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(a.state, security::insecure);
  EXPECT_EQ(sent_to("127.0.0.66:5380"), 0U) << "out-of-bailiwick glue used";
  EXPECT_GE(sent_to("127.0.0.7:5380"), 1U) << "fin. asked for the server's address";
  EXPECT_GE(sent_to("127.0.0.8:5380"), 1U);
  if (const auto* e = m_cache.peek(id("ns.ext-host.fin."), rtype::addr)) {
    for (const auto& r : e->records) {
      auto x = record::addr::decode(r.data);
      ASSERT_TRUE(x);
      EXPECT_EQ(x->address_text(), "127.0.0.8") << "out-of-bailiwick glue cached";
    }
  }
}

TEST_F(ScenarioIteration, TruncatedReplyIsRetriedOverTcp) {
  m_rewrite = [](const server_address& from, wire::message& m, bool tcp) {
    if (tcp || from != addr("127.0.0.3:5380")) return;
    m.set_flag(wire::flag::tc);
    m.answer.clear();
    m.authority.clear();
    m.additional.clear();
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(a.state, security::secure);
  bool tcp_to_cn = false;
  for (const auto& s : m_sent) tcp_to_cn = tcp_to_cn || (s.tcp && s.to == addr("127.0.0.3:5380"));
  EXPECT_TRUE(tcp_to_cn);
}

TEST_F(ScenarioIteration, EqualQuestionsShareOneExchange) {
  const auto c1 =
      eng().start(wire::question{id("h100.pool1.provx.cn-north."), rtype::desc}, 0, m_now);
  const auto c2 =
      eng().start(wire::question{id("h100.pool1.provx.cn-north."), rtype::desc}, 0, m_now);
  auto a1 = run_until(c1);
  auto a2 = run_until(c2);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(a1->reply.answer, a2->reply.answer);
  EXPECT_EQ(a2->state, security::secure);
  EXPECT_GE(eng().stats().coalesced, 1U);
}

TEST(ServerAddress, PrintsAndParses) {
  auto a = server_address::parse("127.0.0.2:5380");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, std::string("\x7f\x00\x00\x02", 4));
  EXPECT_EQ(a->to_string(), "127.0.0.2:5380");
  auto b = server_address::parse("[::1]:5381");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 5381);
  EXPECT_EQ(b->to_string(), "[::1]:5381");
  EXPECT_EQ(server_address::parse("10.0.0.1")->port, 5380);
  EXPECT_FALSE(server_address::parse("10.0.0.1:0"));
  EXPECT_FALSE(server_address::parse("10.0.0:53"));
  EXPECT_FALSE(server_address::parse("[::1]x"));
  EXPECT_FALSE(server_address::parse(""));
}

}  // namespace
}  // namespace cidns::resolve::test
