// cidns-authd's DISCOVER (discover.cpp), through responder::respond() without sockets: the
// selector over the zone's index under the scope, results ordered and cut, delegations under
// the scope in authority with glue, referrals for scopes below a cut, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using record::rtype;

constexpr std::string_view zone_text = R"($ORIGIN provx.cn-north.
$TTL 1h
@              SOA   ns1 hostmaster 1 1h 10m 14d 5m
@              NS    ns1
ns1            ADDR  127.0.0.21
h100-8x.pool1  DESC  kind=gpu accel.family=h100 accel.count=8 accel.mem=80GiB region=cn-north.beijing frameworks=pytorch:2.4 price=2.5CNY price.unit=accel-hour
h100-8x.pool1  30s STATE free=3
h100-8x.pool1  EP    10 1 grpc gw1.provx.example 443
h800-8x.pool1  DESC  kind=gpu accel.family=h800 accel.count=8 accel.mem=80GiB region=cn-north.tianjin price=2.8CNY price.unit=accel-hour
h800-8x.pool1  30s STATE free=0
a100-4x.pool2  DESC  kind=gpu accel.family=a100 accel.count=4 accel.mem=40GiB region=cn-northeast price=1.2CNY price.unit=accel-hour
cpu.pool2      DESC  kind=cpu vcpu=64 region=cn-north
gated.pool2    DESC  kind=gpu accel.family=h100 accel.count=8 x-compliance=mlps3 mandatory=x-compliance
*.spot         DESC  kind=gpu accel.family=h100 accel.count=8
sub            NS    ns1.sub
ns1.sub        ADDR  127.0.0.22
other          NS    ns.elsewhere.example.
)";

class DiscoverAnswer : public ::testing::Test {
 protected:
  void SetUp() override {
    zone::load_options options;
    options.read.origin = name::identifier::parse("provx.cn-north.").value();
    options.compile = true;
    auto loaded = zone::load_text(zone_text, "provx.zone", options);
    for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
    ASSERT_TRUE(loaded.compiled);
    m_zone = loaded.compiled;
    m_registry.publish(m_zone);
    m_responder = std::make_unique<responder>(m_registry, m_stats);
  }

  wire::message ask(std::string_view scope, std::string_view selector) {
    wire::message q;
    q.id = 77;
    q.opcode = wire::opcode::discover;
    q.question = wire::question{name::identifier::parse(scope).value(), rtype::resource};
    q.selector = std::string(selector);
    std::string reply;
    EXPECT_TRUE(m_responder->respond(wire::encode(q), false, {}, reply));
    auto m = wire::decode(reply);
    EXPECT_TRUE(m) << m.err().message;
    return m ? *m : wire::message{};
  }

  static std::vector<std::string> names(const wire::message& m) {
    std::vector<std::string> out;
    for (const auto& r : m.answer) {
      if (r.type == rtype::desc) out.push_back(r.owner.text());
    }
    return out;
  }

  std::shared_ptr<const zone::compiled_zone> m_zone;
  zone_registry m_registry;
  serve::query_stats m_stats;
  std::unique_ptr<responder> m_responder;
};

TEST_F(DiscoverAnswer, MatchesOrdersAndCuts) {
  auto m = ask("provx.cn-north.", "kind=gpu accel.count>=8 order=price");
  EXPECT_EQ(m.opcode, wire::opcode::discover);
  EXPECT_EQ(m.rcode, wire::rcode::noerror);
  EXPECT_TRUE(m.has_flag(wire::flag::aa));
  EXPECT_EQ(names(m), (std::vector<std::string>{"h100-8x.pool1.provx.cn-north.",
                                                "h800-8x.pool1.provx.cn-north."}));
  auto one = ask("provx.cn-north.", "kind=gpu accel.count>=8 order=-price limit=1");
  EXPECT_EQ(names(one), std::vector<std::string>{"h800-8x.pool1.provx.cn-north."});
}

TEST_F(DiscoverAnswer, AResourceComesWithItsStateAndEndpoints) {
  auto m = ask("provx.cn-north.", "accel.family=h100 free>=1");
  ASSERT_EQ(names(m), std::vector<std::string>{"h100-8x.pool1.provx.cn-north."});
  std::vector<rtype> types;
  for (const auto& r : m.answer) types.push_back(r.type);
  EXPECT_EQ(types, (std::vector<rtype>{rtype::desc, rtype::state, rtype::ep}));
}

TEST_F(DiscoverAnswer, RegionPrefixStopsAtALabel) {
  auto m = ask("provx.cn-north.", "region=cn-north* order=name");
  EXPECT_EQ(m.rcode, wire::rcode::formerr);  // "name" is no key
  m = ask("provx.cn-north.", "region=cn-north*");
  auto n = names(m);
  EXPECT_EQ(n.size(), 3u);
  EXPECT_EQ(std::count(n.begin(), n.end(), "a100-4x.pool2.provx.cn-north."), 0);  // cn-northeast
}

TEST_F(DiscoverAnswer, MandatoryExtensionKeysMustBeNamed) {
  const auto plain = names(ask("provx.cn-north.", "accel.family=h100"));
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "gated.pool2.provx.cn-north."), 0);
  auto m = ask("provx.cn-north.", "accel.family=h100 x-compliance=mlps3");
  EXPECT_EQ(names(m), std::vector<std::string>{"gated.pool2.provx.cn-north."});
}

TEST_F(DiscoverAnswer, TheScopeBoundsTheResultsAndWildcardsAreNoResources) {
  auto m = ask("pool2.provx.cn-north.", "kind=gpu");
  EXPECT_EQ(names(m), std::vector<std::string>{"a100-4x.pool2.provx.cn-north."});
  for (const auto& n : names(ask("provx.cn-north.", "kind=gpu"))) {
    EXPECT_EQ(n.find('*'), std::string::npos);
  }
}

TEST_F(DiscoverAnswer, DelegationsUnderTheScopeGoInAuthorityWithGlue) {
  auto m = ask("provx.cn-north.", "kind=fpga");
  EXPECT_TRUE(names(m).empty());
  std::vector<std::string> ns_owners;
  for (const auto& r : m.authority) {
    if (r.type == rtype::ns) ns_owners.push_back(r.owner.text());
  }
  std::sort(ns_owners.begin(), ns_owners.end());
  EXPECT_EQ(ns_owners, (std::vector<std::string>{"other.provx.cn-north.", "sub.provx.cn-north."}));
  ASSERT_EQ(m.additional.size(), 1u);
  EXPECT_EQ(m.additional[0].owner.text(), "ns1.sub.provx.cn-north.");
  // Nothing matched: the SOA gives the empty result its TTL.
  EXPECT_EQ(std::count_if(m.authority.begin(), m.authority.end(),
                          [](const auto& r) { return r.type == rtype::soa; }),
            1);
  auto inside = ask("pool1.provx.cn-north.", "kind=fpga");
  EXPECT_TRUE(inside.authority.empty() ||
              std::none_of(inside.authority.begin(), inside.authority.end(),
                           [](const auto& r) { return r.type == rtype::ns; }));
}

TEST_F(DiscoverAnswer, AScopeBelowACutIsReferred) {
  auto m = ask("x.sub.provx.cn-north.", "kind=gpu");
  EXPECT_FALSE(m.has_flag(wire::flag::aa));
  EXPECT_TRUE(m.answer.empty());
  ASSERT_FALSE(m.authority.empty());
  EXPECT_EQ(m.authority[0].type, rtype::ns);
  EXPECT_EQ(m.authority[0].owner.text(), "sub.provx.cn-north.");
}

TEST_F(DiscoverAnswer, Errors) {
  auto bad = ask("provx.cn-north.", "kind=gpu accel.cont>=8");
  EXPECT_EQ(bad.rcode, wire::rcode::formerr);
  ASSERT_TRUE(bad.error);
  EXPECT_NE(bad.error->text.find("selector: column 10"), std::string::npos) << bad.error->text;
  EXPECT_NE(bad.error->text.find("accel.count"), std::string::npos) << bad.error->text;
  auto empty = ask("provx.cn-north.", "");
  EXPECT_EQ(empty.rcode, wire::rcode::formerr);
  EXPECT_EQ(ask("elsewhere.", "kind=gpu").rcode, wire::rcode::refused);
}

// The index agrees with evaluating every resource of the zone by hand.
TEST_F(DiscoverAnswer, AgreesWithBruteForce) {
  const std::vector<std::string> selectors = {"kind=gpu",
                                              "accel.count>=8 order=-accel.mem",
                                              "price<=2.6CNY",
                                              "region=cn-north*",
                                              "accel.family!=h100",
                                              "frameworks~pytorch",
                                              "kind=gpu,cpu order=price",
                                              "free>=1",
                                              "accel.mem>40GiB limit=1"};
  for (const auto& text : selectors) {
    auto sel = select::parse(text);
    ASSERT_TRUE(sel) << text << ": " << sel.err().message;
    struct item {
      std::string name;
      record::desc d;
      std::optional<record::state> s;
    };
    std::vector<item> all;
    for (const auto& np : m_zone->nodes()) {
      const auto& n = *np;
      if (n.role != zone::name_role::authoritative || n.name.starts_with("*.")) continue;
      const auto* d = n.find(rtype::desc);
      if (d == nullptr) continue;
      item it{n.name, record::desc::decode(d->front_data()).value(), std::nullopt};
      if (const auto* s = n.find(rtype::state))
        it.s = record::state::decode(s->front_data()).value();
      const select::resource r{&it.d, it.s ? &*it.s : nullptr};
      if (select::matches(*sel, r)) all.push_back(std::move(it));
    }
    std::stable_sort(all.begin(), all.end(), [&](const item& a, const item& b) {
      const int c =
          select::compare(*sel, {&a.d, a.s ? &*a.s : nullptr}, {&b.d, b.s ? &*b.s : nullptr});
      if (c != 0) return c < 0;
      return name::canonical_compare(std::string_view(a.name), std::string_view(b.name)) < 0;
    });
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < all.size() && i < sel->limit; ++i) expected.push_back(all[i].name);
    EXPECT_EQ(names(ask("provx.cn-north.", text)), expected) << text;
  }
}

}  // namespace
}  // namespace cidns::authd
