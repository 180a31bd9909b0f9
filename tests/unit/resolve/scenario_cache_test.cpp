// The engine with a cache: hits answered at once from start() with remaining TTLs, TTL expiry
// on the fake clock, cached denials, validated keys reused, and stale data served when every
// server of a zone is unreachable.
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class ScenarioCache : public scenario {};

TEST_F(ScenarioCache, HitIsAnsweredFromStartWithRemainingTtl) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  const auto sent = m_sent.size();
  m_now += 10'000;
  eng().start(wire::question{id("h100.pool1.provx.cn-north."), rtype::desc}, wire::flag::do_,
              m_now);
  EXPECT_TRUE(eng().take_queries().empty()) << "a cache hit needs no upstream query";
  auto answers = eng().take_answers();
  ASSERT_EQ(answers.size(), 1U);
  const auto& b = answers.front();
  EXPECT_EQ(b.state, security::secure);
  EXPECT_TRUE(b.reply.has_flag(wire::flag::ad));
  ASSERT_EQ(count(b.reply.answer, rtype::desc), 1U);
  EXPECT_GE(count(b.reply.answer, rtype::sig), 1U);
  for (const auto& r : b.reply.answer) EXPECT_EQ(r.ttl, 3590U);
  EXPECT_EQ(m_sent.size(), sent);
  EXPECT_EQ(eng().stats().cache_answers, 1U);
  EXPECT_NE(m_cache.peek(id("provx.cn-north."), rtype::key), nullptr) << "validated KEY cached";
  EXPECT_NE(m_cache.peek(id("provx.cn-north."), rtype::ds), nullptr) << "validated DS cached";
}

TEST_F(ScenarioCache, ExpiredDataIsAskedForAgain) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::state);  // TTL 30 s
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  const auto root_before = sent_to("127.0.0.2:5380");
  const auto provx_before = sent_to("127.0.0.4:5380") + sent_to("127.0.0.5:5380");
  m_now += 29'000;
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::state);
  EXPECT_EQ(sent_to("127.0.0.4:5380") + sent_to("127.0.0.5:5380"), provx_before);
  ASSERT_EQ(b.reply.answer.size(), 1U);
  EXPECT_EQ(b.reply.answer.front().ttl, 1U);
  m_now += 2'000;
  auto c = resolve("h100.pool1.provx.cn-north.", rtype::state);
  EXPECT_EQ(c.reply.rcode, wire::rcode::noerror);
  EXPECT_EQ(c.state, security::secure);
  EXPECT_GT(sent_to("127.0.0.4:5380") + sent_to("127.0.0.5:5380"), provx_before);
  EXPECT_EQ(sent_to("127.0.0.2:5380"), root_before) << "the provx cut is still known";
}

TEST_F(ScenarioCache, NxdomainIsCachedWithItsProof) {
  auto a = resolve("nothere.provx.cn-north.", rtype::desc, wire::flag::do_);
  ASSERT_EQ(a.reply.rcode, wire::rcode::nxdomain);
  const auto sent = m_sent.size();
  auto b = resolve("nothere.provx.cn-north.", rtype::ep, wire::flag::do_);
  EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain);
  EXPECT_EQ(b.state, security::secure);
  EXPECT_GE(count(b.reply.authority, rtype::nsec), 1U);
  EXPECT_EQ(m_sent.size(), sent);
}

TEST_F(ScenarioCache, CnameChainFromCache) {
  auto a = resolve("toplain.provx.cn-north.", rtype::desc);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  const auto sent = m_sent.size();
  auto b = resolve("toplain.provx.cn-north.", rtype::desc);
  EXPECT_EQ(m_sent.size(), sent);
  EXPECT_EQ(b.reply.answer.size(), a.reply.answer.size());
  EXPECT_EQ(b.state, security::insecure);
}

TEST_F(ScenarioCache, StaleDataWhenEveryServerIsDown) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::state);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  m_now += 60'000;
  m_down = {addr("127.0.0.4:5380"), addr("127.0.0.5:5380")};
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::state);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror) << error_text(b) << trace_text();
  ASSERT_TRUE(b.reply.error);
  EXPECT_EQ(b.reply.error->code, static_cast<std::uint32_t>(wire::error_code::stale_answer));
  ASSERT_EQ(b.reply.answer.size(), 1U);
  EXPECT_EQ(b.reply.answer.front().ttl, 30U);
}

TEST_F(ScenarioCache, NoStaleDataWhenTurnedOff) {
  m_options.serve_stale = false;
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::state);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  m_now += 60'000;
  m_down = {addr("127.0.0.4:5380"), addr("127.0.0.5:5380")};
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::state);
  EXPECT_EQ(b.reply.rcode, wire::rcode::servfail);
}

}  // namespace
}  // namespace cidns::resolve::test
