// Dynamic UPDATE planning (update_plan.cpp) and rules (update_policy.cpp): every prerequisite
// and change kind, the rcodes RFC 2136 gives their failures, the zone's cuts, the
// server-managed types, the key's scope, and the changeset that comes out; then the
// changeset applied through zone::apply_changesets and the pipeline (zone::load_contents).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"
#include "update_plan.hpp"
#include "update_policy.hpp"

namespace cidns::authd {
namespace {

using record::rtype;
using wire::change_kind;
using wire::prerequisite_kind;
using wire::rcode;

constexpr std::string_view zone_text = R"($ORIGIN provx.cn-north.
$TTL 1h
@              SOA   ns1 hostmaster 7 1h 10m 14d 5m
@              NS    ns1
ns1            ADDR  127.0.0.21
h100-8x.pool1  DESC  kind=gpu accel.family=h100 accel.count=8
h100-8x.pool1  30s STATE free=3
h100-8x.pool1  EP    10 1 grpc gw1.provx.example 443
a100-4x.pool2  DESC  kind=gpu accel.family=a100 accel.count=4
a100-4x.pool2  30s STATE free=1
best           CNAME h100-8x.pool1
sub            NS    ns1.sub
ns1.sub        ADDR  127.0.0.22
)";

const std::string agent_key = "pool1-agent.";
const std::string admin_key = "provx-admin.";

name::identifier n(std::string_view text) {
  return name::identifier::parse(text, name::identifier::parse("provx.cn-north.").value()).value();
}

std::string data(rtype t, std::string_view text) {
  auto tokens = record::tokenize_line(text);
  auto d = record::parse_data(t, tokens.value(), n("@"));
  EXPECT_TRUE(d) << text << ": " << (d ? "" : d.err().message);
  return d ? *d : std::string();
}

class UpdatePlan : public ::testing::Test {
 protected:
  void SetUp() override {
    zone::load_options o;
    o.read.origin = n("@");
    o.compile = true;
    auto loaded = zone::load_text(zone_text, "provx.zone", o);
    ASSERT_TRUE(loaded.ok()) << (loaded.messages().empty() ? "" : loaded.messages().front());
    m_zone = loaded.compiled;
    m_policy.add(parse_update_rule("provx.cn-north. pool1-agent. *.pool1.provx.cn-north STATE"));
    m_policy.add(parse_update_rule(
        "provx.cn-north. provx-admin. *.provx.cn-north. DESC STATE EP CNAME TXT ADDR NS DS"));
    m_policy.add(parse_update_rule("provx.cn-north. provx-admin. provx.cn-north. NS TXT"));
    m_update.opcode = wire::opcode::update;
    m_update.question = wire::question{n("@"), rtype::soa};
  }

  void require(prerequisite_kind k, std::string_view owner, rtype t = rtype::none,
               std::string d = {}) {
    m_update.prerequisites.push_back({k, record::rr{n(owner), t, 0, std::move(d)}});
  }
  void change(change_kind k, std::string_view owner, rtype t = rtype::none, std::string d = {},
              std::uint32_t ttl = 30) {
    m_update.changes.push_back({k, record::rr{n(owner), t, ttl, std::move(d)}});
  }
  update_plan plan(const std::string& key = admin_key) {
    return plan_update(*m_zone, m_update, key, m_policy, 8);
  }

  std::shared_ptr<const zone::compiled_zone> m_zone;
  update_policy m_policy;
  wire::message m_update;
};

TEST_F(UpdatePlan, PrerequisitesThatHold) {
  require(prerequisite_kind::rrset_exists, "h100-8x.pool1", rtype::state);
  require(prerequisite_kind::rrset_equals, "h100-8x.pool1", rtype::state,
          data(rtype::state, "free=3"));
  require(prerequisite_kind::rrset_absent, "h100-8x.pool1", rtype::txt);
  require(prerequisite_kind::name_in_use, "a100-4x.pool2");
  require(prerequisite_kind::name_absent, "nothing.pool1");
  require(prerequisite_kind::name_absent, "pool1");  // an empty non-terminal is not in use
  auto p = plan();
  EXPECT_EQ(p.rcode, rcode::noerror) << p.why;
  EXPECT_FALSE(p.changes_something());  // no changes: a no-op
}

TEST_F(UpdatePlan, EachFailedPrerequisiteHasItsRcode) {
  struct failing {
    prerequisite_kind kind;
    std::string owner;
    rtype type;
    std::string data;
    rcode expected;
  };
  const std::vector<failing> cases = {
      {prerequisite_kind::rrset_exists, "h100-8x.pool1", rtype::txt, "", rcode::nxrrset},
      {prerequisite_kind::rrset_equals, "h100-8x.pool1", rtype::state, data(rtype::state, "free=4"),
       rcode::nxrrset},
      {prerequisite_kind::rrset_absent, "h100-8x.pool1", rtype::state, "", rcode::yxrrset},
      {prerequisite_kind::name_in_use, "nothing.pool1", rtype::none, "", rcode::nxdomain},
      {prerequisite_kind::name_in_use, "pool1", rtype::none, "", rcode::nxdomain},
      {prerequisite_kind::name_absent, "best", rtype::none, "", rcode::yxdomain},
      {prerequisite_kind::rrset_exists, "h100-8x.pool1.elsewhere.", rtype::state, "",
       rcode::notzone},
      {prerequisite_kind::rrset_exists, "h100-8x.pool1", rtype::none, "", rcode::formerr},
      {prerequisite_kind::name_absent, "x", rtype::state, "", rcode::formerr},
  };
  for (const auto& c : cases) {
    m_update.prerequisites.clear();
    m_update.changes.clear();
    require(c.kind, c.owner, c.type, c.data);
    change(change_kind::add, "h100-8x.pool1", rtype::state, data(rtype::state, "free=9"));
    auto p = plan();
    EXPECT_EQ(p.rcode, c.expected) << c.owner << ": " << p.why;
    EXPECT_FALSE(p.changes_something()) << "a failed prerequisite changes nothing";
  }
}

TEST_F(UpdatePlan, EqualsComparesTheWholeSet) {
  // Two EP records expected, the zone has one: not equal.
  require(prerequisite_kind::rrset_equals, "h100-8x.pool1", rtype::ep,
          data(rtype::ep, "10 1 grpc gw1.provx.example 443"));
  require(prerequisite_kind::rrset_equals, "h100-8x.pool1", rtype::ep,
          data(rtype::ep, "20 1 grpc gw2.provx.example 443"));
  EXPECT_EQ(plan().rcode, rcode::nxrrset);
}

TEST_F(UpdatePlan, ReplacingStateMakesAChangesetWithTheSerial) {
  change(change_kind::delete_rrset, "h100-8x.pool1", rtype::state);
  change(change_kind::add, "h100-8x.pool1", rtype::state, data(rtype::state, "free=1"), 30);
  auto p = plan(agent_key);
  ASSERT_EQ(p.rcode, rcode::noerror) << p.why;
  ASSERT_TRUE(p.changes_something());
  EXPECT_EQ(p.change.from, 7U);
  EXPECT_EQ(p.change.to, 8U);
  ASSERT_EQ(p.change.removed.size(), 2U);  // the SOA, then the old STATE
  ASSERT_EQ(p.change.added.size(), 2U);
  EXPECT_EQ(p.change.removed[0].type, rtype::soa);
  EXPECT_EQ(record::soa::decode(p.change.added[0].data)->serial, 8U);
  EXPECT_EQ(p.change.removed[1].data, data(rtype::state, "free=3"));
  EXPECT_EQ(p.change.added[1].data, data(rtype::state, "free=1"));
}

TEST_F(UpdatePlan, AStateOnlyKeyTouchesNothingElse) {
  const std::vector<std::pair<std::string, rtype>> forbidden = {
      {"h100-8x.pool1", rtype::desc},   // another type
      {"h100-8x.pool1", rtype::ep},     // another type
      {"a100-4x.pool2", rtype::state},  // another pool
      {"pool1", rtype::state},          // the pool's own name: "*." is strictly below
  };
  for (const auto& [owner, t] : forbidden) {
    m_update.changes.clear();
    change(change_kind::delete_rrset, owner, t);
    auto p = plan(agent_key);
    EXPECT_EQ(p.rcode, rcode::refused) << owner;
    EXPECT_NE(p.why.find("may not change"), std::string::npos) << p.why;
  }
  // delete_name covers every type at the name: refused when one of them is not granted.
  m_update.changes.clear();
  change(change_kind::delete_name, "h100-8x.pool1");
  EXPECT_EQ(plan(agent_key).rcode, rcode::refused);
  // An unknown key has no rule at all.
  m_update.changes.clear();
  change(change_kind::delete_rrset, "h100-8x.pool1", rtype::state);
  EXPECT_EQ(plan("stranger.").rcode, rcode::refused);
}

TEST_F(UpdatePlan, ServerManagedTypesCutsAndOutsideNames) {
  change(change_kind::delete_rrset, "@", rtype::soa);
  EXPECT_EQ(plan().rcode, rcode::refused);
  m_update.changes.clear();
  change(change_kind::add, "h100-8x.pool1", rtype::key, "x");
  EXPECT_EQ(plan().rcode, rcode::refused);
  m_update.changes.clear();
  change(change_kind::add, "gpu.sub", rtype::state, data(rtype::state, "free=1"));
  EXPECT_EQ(plan().rcode, rcode::notzone);  // below the delegation
  m_update.changes.clear();
  change(change_kind::add, "sub", rtype::txt, data(rtype::txt, "\"x\""));
  EXPECT_EQ(plan().rcode, rcode::notzone);  // only NS and DS at the cut
  m_update.changes.clear();
  change(change_kind::add, "h100.other-zone.", rtype::state, data(rtype::state, "free=1"));
  EXPECT_EQ(plan().rcode, rcode::notzone);
  m_update.changes.clear();
  change(change_kind::add, "h100-8x.pool1", rtype::state, "\xff\xff garbage");
  EXPECT_EQ(plan().rcode, rcode::formerr);
}

TEST_F(UpdatePlan, RfcRulesForCnameApexAndDuplicates) {
  // Data at a CNAME, and a CNAME at a name with data: ignored (RFC 2136 §3.4.2.2).
  change(change_kind::add, "best", rtype::txt, data(rtype::txt, "\"x\""));
  change(change_kind::add, "a100-4x.pool2", rtype::cname, data(rtype::cname, "h100-8x.pool1"));
  // The apex NS survives delete_rrset; a duplicate add changes nothing.
  change(change_kind::delete_rrset, "@", rtype::ns);
  change(change_kind::add, "h100-8x.pool1", rtype::ep,
         data(rtype::ep, "10 1 grpc gw1.provx.example 443"), 3600);
  auto p = plan();
  EXPECT_EQ(p.rcode, rcode::noerror) << p.why;
  EXPECT_FALSE(p.changes_something());
}

TEST_F(UpdatePlan, ATtlChangeRewritesTheRrset) {
  change(change_kind::add, "h100-8x.pool1", rtype::ep,
         data(rtype::ep, "20 1 grpc gw2.provx.example 443"), 600);
  auto p = plan();
  ASSERT_TRUE(p.changes_something()) << p.why;
  // The old record goes and comes back with the RRset's new TTL, with the new one.
  EXPECT_EQ(p.change.removed.size(), 2U);
  ASSERT_EQ(p.change.added.size(), 3U);
  for (std::size_t i = 1; i < p.change.added.size(); ++i) EXPECT_EQ(p.change.added[i].ttl, 600U);
}

TEST_F(UpdatePlan, TheChangesetAppliesThroughThePipeline) {
  change(change_kind::delete_name, "a100-4x.pool2");
  change(change_kind::add, "h200-8x.pool3", rtype::desc,
         data(rtype::desc, "kind=gpu accel.family=h200 accel.count=8"), 3600);
  change(change_kind::delete_record, "h100-8x.pool1", rtype::ep,
         data(rtype::ep, "10 1 grpc gw1.provx.example 443"));
  auto p = plan();
  ASSERT_TRUE(p.changes_something()) << p.why;
  zone::load_options o;
  o.compile = true;
  o.amend = [&p](zone::contents& z) { return zone::apply_changesets(z, std::span(&p.change, 1)); };
  auto built = zone::load_contents(zone::decompile(*m_zone), o);
  ASSERT_TRUE(built.ok() && built.compiled) << built.messages().front();
  const auto& z = *built.compiled;
  EXPECT_EQ(z.serial(), 8U);
  EXPECT_EQ(z.find("a100-4x.pool2.provx.cn-north."), nullptr);
  ASSERT_NE(z.find("h200-8x.pool3.provx.cn-north."), nullptr);
  EXPECT_EQ(z.find("h100-8x.pool1.provx.cn-north.")->find(rtype::ep), nullptr);
  EXPECT_NE(z.find("pool3.provx.cn-north."), nullptr);  // the new empty non-terminal
  EXPECT_EQ(z.record_count(), m_zone->record_count() - 2 - 1 + 1);
}

TEST(UpdatePolicy, RulesParseAndRefuseWhatTheyCannotGrant) {
  auto r = parse_update_rule("provx.cn-north. agent. *.pool1.provx.cn-north. STATE EP");
  EXPECT_TRUE(r.below);
  EXPECT_EQ(r.types.size(), 2U);
  EXPECT_THROW(parse_update_rule("provx.cn-north. agent. *.pool1.provx.cn-north."),
               std::runtime_error);
  EXPECT_THROW(parse_update_rule("provx.cn-north. agent. @ SOA"), std::runtime_error);
  EXPECT_THROW(parse_update_rule("provx.cn-north. agent. x.provx.cn-north. SIG"),
               std::runtime_error);
  EXPECT_THROW(parse_update_rule("provx.cn-north. agent. x.other. STATE"), std::runtime_error);
  EXPECT_THROW(parse_update_rule("provx.cn-north. agent. x.provx.cn-north. NOPE"),
               std::runtime_error);
}

}  // namespace
}  // namespace cidns::authd
