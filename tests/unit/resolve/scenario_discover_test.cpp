// DISCOVER through the engine (engine_discover.cpp) over the scenario hierarchy: cn-north.
// delegates provx (signed, DS), plain (unsigned) and ext (unsigned, a glueless server in
// fin.); each zone's authd answers DISCOVER with its own index. Results are merged, ordered,
// cut, validated per zone; a tampered or unreachable zone is named as partial.
#include <gtest/gtest.h>

#include <algorithm>

#include "cidns/select/selector.hpp"
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class DiscoverScenario : public scenario {
 protected:
  client_answer discover(std::string_view scope, std::string_view selector,
                         std::uint32_t flags = wire::flag::rd | wire::flag::do_,
                         time_ms deadline = 0) {
    auto sel = select::parse(selector);
    EXPECT_TRUE(sel) << sel.err().message;
    const auto c = eng().start_discover(wire::question{id(scope), rtype::resource}, *sel, flags,
                                        m_now, deadline);
    auto a = run_until(c);
    EXPECT_TRUE(a) << "no answer for " << selector;
    return a ? *a : client_answer{};
  }

  // The owners of the DESC records of an answer, in order.
  static std::vector<std::string> names(const client_answer& a) {
    std::vector<std::string> out;
    for (const auto& r : a.reply.answer) {
      if (r.type == rtype::desc) out.push_back(r.owner.text());
    }
    return out;
  }
};

TEST_F(DiscoverScenario, FindsResourcesAcrossDelegatedZones) {
  auto a = discover("cn-north.", "kind=cpu order=-vcpu");
  EXPECT_EQ(a.reply.opcode, wire::opcode::discover);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << trace_text();
  EXPECT_EQ(names(a), (std::vector<std::string>{"node.plain.cn-north.", "thing.ext.cn-north."}))
      << trace_text();
  EXPECT_FALSE(a.reply.error) << error_text(a);
  // Unsigned zones contributed: no AD.
  EXPECT_EQ(a.state, security::insecure);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
}

TEST_F(DiscoverScenario, SecureResultsFromASignedZoneGetAd) {
  auto a = discover("cn-north.", "kind=gpu");
  EXPECT_EQ(names(a), std::vector<std::string>{"h100.pool1.provx.cn-north."}) << trace_text();
  EXPECT_EQ(a.state, security::secure) << trace_text();
  EXPECT_TRUE(a.reply.has_flag(wire::flag::ad));
  // The resource's DESC, STATE and EP with their SIGs (DO was set).
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1u);
  EXPECT_EQ(count(a.reply.answer, rtype::state), 1u);
  EXPECT_EQ(count(a.reply.answer, rtype::ep), 1u);
  EXPECT_EQ(count(a.reply.answer, rtype::sig), 3u);
}

TEST_F(DiscoverScenario, WithoutDoTheSigsAreLeftOut) {
  auto a = discover("cn-north.", "kind=gpu", wire::flag::rd | wire::flag::ad);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1u);
  EXPECT_EQ(count(a.reply.answer, rtype::sig), 0u);
  EXPECT_TRUE(a.reply.has_flag(wire::flag::ad));
}

TEST_F(DiscoverScenario, LimitCutsTheMergedOrder) {
  auto a = discover("cn-north.", "kind=cpu order=vcpu limit=1");
  EXPECT_EQ(names(a), std::vector<std::string>{"thing.ext.cn-north."});
}

TEST_F(DiscoverScenario, ScopeInsideAZoneAsksOnlyThatZone) {
  auto a = discover("provx.cn-north.", "kind=gpu");
  EXPECT_EQ(names(a), std::vector<std::string>{"h100.pool1.provx.cn-north."});
  EXPECT_EQ(sent_to("127.0.0.6:5380"), 0u);  // plain. is not under the scope
  EXPECT_EQ(sent_to("127.0.0.8:5380"), 0u);
}

TEST_F(DiscoverScenario, NothingMatchingIsAnEmptyNoerror) {
  auto a = discover("cn-north.", "kind=fpga");
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror);
  EXPECT_TRUE(names(a).empty());
  EXPECT_FALSE(a.reply.error) << error_text(a);
}

TEST_F(DiscoverScenario, TamperedResultsAreDroppedAndTheZoneNamedAsPartial) {
  m_rewrite = [](const server_address& to, wire::message& m, bool) {
    if (to != addr("127.0.0.4:5380") && to != addr("127.0.0.5:5380")) return;
    if (m.opcode != wire::opcode::discover) return;
    for (auto& r : m.answer) {
      if (r.type != rtype::desc) continue;
      auto d = record::desc::decode(r.data).value();
      d.accel_count = 16;  // still matches kind=gpu, but its SIG no longer does
      r.data = d.encode();
    }
  };
  auto a = discover("cn-north.", "kind=gpu");
  EXPECT_TRUE(names(a).empty()) << trace_text();
  ASSERT_TRUE(a.reply.error);
  EXPECT_EQ(a.reply.error->code, static_cast<std::uint32_t>(wire::error_code::partial_result));
  EXPECT_NE(error_text(a).find("provx.cn-north.: bogus"), std::string::npos) << error_text(a);
  EXPECT_GE(eng().stats().discovery_dropped, 1u);
}

TEST_F(DiscoverScenario, ResultsTheSelectorDoesNotMatchAreNotTakenOnTrust) {
  m_rewrite = [](const server_address& to, wire::message& m, bool) {
    if (to != addr("127.0.0.6:5380") || m.opcode != wire::opcode::discover) return;
    record::desc hpc;
    hpc.kind = 5;  // hpc, not cpu
    m.answer.push_back(record::rr{id("fake.plain.cn-north."), rtype::desc, 60, hpc.encode()});
  };
  auto a = discover("cn-north.", "kind=cpu");
  // No order= in the selector: canonical name order (ext. before plain.).
  EXPECT_EQ(names(a), (std::vector<std::string>{"thing.ext.cn-north.", "node.plain.cn-north."}));
  EXPECT_GE(eng().stats().discovery_dropped, 1u);
}

TEST_F(DiscoverScenario, AnUnreachableZoneIsPartialWhileTheOthersArrive) {
  m_down.insert(addr("127.0.0.6:5380"));
  auto a = discover("cn-north.", "kind=cpu");
  EXPECT_EQ(names(a), std::vector<std::string>{"thing.ext.cn-north."}) << trace_text();
  ASSERT_TRUE(a.reply.error);
  EXPECT_EQ(a.reply.error->code, static_cast<std::uint32_t>(wire::error_code::partial_result));
  EXPECT_NE(error_text(a).find("plain.cn-north."), std::string::npos) << error_text(a);
}

TEST_F(DiscoverScenario, TheDeadlineAnswersWhatArrivedAndNamesTheRest) {
  m_down.insert(addr("127.0.0.6:5380"));
  const time_ms start = m_now;
  auto a = discover("cn-north.", "kind=cpu", wire::flag::rd, 500);
  EXPECT_LE(m_now - start, 600u);
  EXPECT_EQ(names(a), std::vector<std::string>{"thing.ext.cn-north."}) << trace_text();
  EXPECT_NE(error_text(a).find("plain.cn-north.: no answer in time"), std::string::npos)
      << error_text(a);
}

TEST_F(DiscoverScenario, ACompleteResultIsCachedBySelector) {
  auto first = discover("cn-north.", "kind=cpu");
  const auto sent = m_sent.size();
  auto second = discover("cn-north.", "kind=cpu");
  EXPECT_EQ(m_sent.size(), sent);  // no upstream query
  EXPECT_EQ(names(second), names(first));
  EXPECT_EQ(eng().stats().discovery_cache_answers, 1u);
  auto other = discover("cn-north.", "kind=cpu limit=1");  // another selector: asked again
  EXPECT_GT(m_sent.size(), sent);
  EXPECT_EQ(names(other).size(), 1u);
}

TEST_F(DiscoverScenario, KeysLearnedOnceServeTheNextDiscoveries) {
  (void)discover("cn-north.", "kind=cpu");
  const auto keys_asked = [this] {
    return std::count_if(m_sent.begin(), m_sent.end(),
                         [](const sent_query& s) { return s.q.type == rtype::key; });
  };
  const auto before = keys_asked();
  EXPECT_GE(before, 2);                        // the root's, cn-north.'s, provx.'s
  auto a = discover("cn-north.", "kind=gpu");  // another selector: the zones are asked again
  EXPECT_EQ(names(a).size(), 1u);
  EXPECT_EQ(keys_asked(), before) << trace_text();
}

TEST_F(DiscoverScenario, PartialResultsAreNotCached) {
  m_down.insert(addr("127.0.0.6:5380"));
  (void)discover("cn-north.", "kind=cpu");
  m_down.clear();
  auto a = discover("cn-north.", "kind=cpu");
  EXPECT_EQ(names(a).size(), 2u) << error_text(a);
  EXPECT_EQ(eng().stats().discovery_cache_answers, 0u);
}

TEST_F(DiscoverScenario, TheZoneLimitNamesTheZonesNotAsked) {
  m_options.discovery.max_zones = 2;  // cn-north. and one child
  auto a = discover("cn-north.", "kind=cpu");
  ASSERT_TRUE(a.reply.error) << trace_text();
  EXPECT_NE(error_text(a).find("not asked"), std::string::npos) << error_text(a);
}

TEST_F(DiscoverScenario, WithoutATrustAnchorNothingIsValidated) {
  build(default_hierarchy(), false);
  auto a = discover("cn-north.", "kind=gpu");
  EXPECT_EQ(names(a).size(), 1u);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
}

}  // namespace
}  // namespace cidns::resolve::test
