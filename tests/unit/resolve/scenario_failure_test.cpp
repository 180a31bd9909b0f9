// The engine against misbehaving networks and servers: spoofed replies, unreachable and lame
// servers with failover, CNAME and referral loops, the referral limit and the work cap.
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class ScenarioFailure : public scenario {};

bool is_provx(const server_address& a) {
  return a == addr("127.0.0.4:5380") || a == addr("127.0.0.5:5380");
}

TEST_F(ScenarioFailure, SpoofedRepliesAreIgnoredAndTheRealOneAccepted) {
  bool injected = false;
  m_inject = [&](const upstream_query& uq, const wire::message& q) {
    if (injected || !is_provx(uq.to) || q.question->type != rtype::desc) return;
    injected = true;
    wire::message fake;
    fake.id = q.id;
    fake.flags = wire::flag::qr | wire::flag::aa;
    fake.question = q.question;
    record::desc d;
    d.vcpu = 1;
    fake.answer.push_back(record::rr{q.question->name, rtype::desc, 3600, d.encode()});
    auto wrong_id = fake;
    wrong_id.id = q.id + 1;
    eng().on_reply(uq.token, uq.to, wire::encode(wrong_id), m_now);
    auto wrong_question = fake;
    wrong_question.question->name = id("other.provx.cn-north.");
    eng().on_reply(uq.token, uq.to, wire::encode(wrong_question), m_now);
    eng().on_reply(uq.token, addr("127.0.0.9:5380"), wire::encode(fake), m_now);
    auto not_reply = fake;
    not_reply.flags = 0;
    eng().on_reply(uq.token, uq.to, wire::encode(not_reply), m_now);
    eng().on_reply(uq.token, uq.to, "\xff\xff garbage", m_now);
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  ASSERT_TRUE(injected);
  EXPECT_EQ(eng().stats().upstream_ignored, 5U);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure);
  ASSERT_EQ(count(a.reply.answer, rtype::desc), 1U);
  auto d = record::desc::decode(a.reply.answer.front().data);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->vcpu) << "the spoofed data was used";
  EXPECT_EQ(d->accel_count, 8U);
}

TEST_F(ScenarioFailure, UnreachableServerFailsOverToTheNext) {
  // Whichever provx server the engine tries first is dead.
  m_inject = [&](const upstream_query& uq, const wire::message&) {
    if (is_provx(uq.to) && m_down.empty()) m_down.insert(uq.to);
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(a.state, security::secure);
  ASSERT_EQ(m_down.size(), 1U);
  EXPECT_GE(eng().stats().upstream_timeouts, 1U);
  EXPECT_GE(sent_to("127.0.0.4:5380"), 1U);
  EXPECT_GE(sent_to("127.0.0.5:5380"), 1U);
  // The dead one is now slow in the engine's eyes: the next question goes to the live one.
  const auto before = sent_to(m_down.begin()->to_string());
  auto b = resolve("best.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror);
  EXPECT_EQ(sent_to(m_down.begin()->to_string()), before);
}

TEST_F(ScenarioFailure, AllServersOfAZoneDownIsServfailNamingTheZone) {
  m_use_cache = false;
  m_down = {addr("127.0.0.4:5380"), addr("127.0.0.5:5380")};
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  ASSERT_TRUE(a.reply.error);
  EXPECT_EQ(a.reply.error->code,
            static_cast<std::uint32_t>(wire::error_code::no_reachable_authority));
  EXPECT_EQ(a.reply.error->text, "no reachable authority for provx.cn-north.");
  EXPECT_EQ(eng().stats().servfail, 1U);
}

TEST_F(ScenarioFailure, LameServerIsSkipped) {
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (from != addr("127.0.0.4:5380")) return;
    m.rcode = wire::rcode::refused;
    m.answer.clear();
    m.authority.clear();
  };
  for (auto name : {"h100.pool1.provx.cn-north.", "best.provx.cn-north."}) {
    auto a = resolve(name, rtype::desc);
    EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  }
  EXPECT_LE(sent_to("127.0.0.4:5380"), 1U) << "asked again while marked lame";
}

TEST_F(ScenarioFailure, CnameLoopAcrossZonesIsBounded) {
  auto a = resolve("loopx.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_NE(error_text(a).find("CNAME loop"), std::string::npos) << error_text(a);
  EXPECT_LT(m_sent.size(), 20U);
}

TEST_F(ScenarioFailure, ReferralLimit) {
  m_options.max_referrals = 1;
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(error_text(a), "more than 1 referrals");
}

TEST_F(ScenarioFailure, ReferralUpwardsIsALameServerNotALoop) {
  // provx's servers refer back to the root: never followed.
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (!is_provx(from)) return;
    m.set_flag(wire::flag::aa, false);
    m.answer.clear();
    m.authority = {record::rr{id("."), rtype::ns, 3600, record::ns{id("ns.root.")}.encode()}};
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(error_text(a), "no reachable authority for provx.cn-north.");
  EXPECT_LT(m_sent.size(), 12U);
}

TEST_F(ScenarioFailure, WorkCap) {
  m_options.max_upstream_per_query = 2;
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_NE(error_text(a).find("work cap"), std::string::npos) << error_text(a);
  EXPECT_EQ(eng().stats().work_cap_hits, 1U);
  EXPECT_EQ(m_sent.size(), 2U);
}

TEST_F(ScenarioFailure, ClientDeadline) {
  m_options.client_deadline = 2000;
  m_options.upstream_timeout = 1500;
  m_down = {addr("127.0.0.2:5380")};
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_FALSE(eng().next_deadline()) << "nothing left outstanding";
}

}  // namespace
}  // namespace cidns::resolve::test
