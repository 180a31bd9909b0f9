// lib/select: the selector language (parse, matches, compare, to_string).
#include <gtest/gtest.h>

#include "cidns/select/selector.hpp"
#include "test_resources.hpp"

namespace cidns::select {
namespace {

using test::desc_of;
using test::state_of;

selector sel(std::string_view text) {
  auto s = parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.err().message);
  return s.ok() ? *s : selector{};
}

const record::desc& h100() {
  static const auto d = desc_of(
      "kind=gpu accel.vendor=nvidia accel.model=nvidia-h100-sxm5 accel.family=h100 "
      "accel.count=8 accel.mem=80GiB region=cn-north.beijing frameworks=pytorch:2.4,mindspore:2.3 "
      "sched=k8s price=2.5CNY price.unit=accel-hour sla.avail=99.95% energy.pue=1.25 "
      "site=\"Beijing DC 3\" x-rack=r17");
  return d;
}
const record::state& h100_state() {
  static const auto s =
      state_of("free=3 score=8 updated=2026-11-25T10:00:00Z source=measured spot=1.9CNY");
  return s;
}

bool m(std::string_view text, const record::desc& d, const record::state* s = nullptr) {
  return matches(sel(text), {&d, s});
}
bool m_h100(std::string_view text) { return m(text, h100(), &h100_state()); }

TEST(SelectorMatch, EveryOperatorOnNumbers) {
  EXPECT_TRUE(m_h100("accel.count=8"));
  EXPECT_FALSE(m_h100("accel.count=7"));
  EXPECT_TRUE(m_h100("accel.count!=7"));
  EXPECT_FALSE(m_h100("accel.count!=8"));
  EXPECT_TRUE(m_h100("accel.count<9"));
  EXPECT_FALSE(m_h100("accel.count<8"));
  EXPECT_TRUE(m_h100("accel.count<=8"));
  EXPECT_FALSE(m_h100("accel.count<=7"));
  EXPECT_TRUE(m_h100("accel.count>7"));
  EXPECT_FALSE(m_h100("accel.count>8"));
  EXPECT_TRUE(m_h100("accel.count>=8"));
  EXPECT_FALSE(m_h100("accel.count>=9"));
  EXPECT_TRUE(m_h100("free>=1 score>7 score<=8"));
  EXPECT_FALSE(m_h100("free>3"));
}

TEST(SelectorMatch, UnitsAreTheZonefiles) {
  EXPECT_EQ(sel("accel.mem>=80GiB").terms[0].values[0].number, 81920u);
  EXPECT_TRUE(m_h100("accel.mem>=80GiB accel.mem=81920 accel.mem<81921MiB"));
  EXPECT_FALSE(m_h100("accel.mem>80GiB"));
  EXPECT_EQ(sel("sla.avail>=99.9%").terms[0].values[0].number, 999000u);
  EXPECT_TRUE(m_h100("sla.avail>=99.9%"));
  EXPECT_FALSE(m_h100("sla.avail>=99.99%"));
  EXPECT_EQ(sel("energy.pue<=1.25").terms[0].values[0].number, 1250u);
  EXPECT_TRUE(m_h100("energy.pue<=1.25"));
  EXPECT_FALSE(m_h100("energy.pue<1.25"));
  auto p = sel("price<=3CNY").terms[0].values[0];
  EXPECT_EQ(p.number, 3000u);
  EXPECT_EQ(p.currency, "CNY");
  EXPECT_TRUE(m_h100("price<=3CNY price=2.5CNY spot<2CNY"));
  EXPECT_FALSE(m_h100("price<2.5CNY"));
  EXPECT_TRUE(m_h100("updated>=2026-11-25T10:00:00Z updated<2026-11-25T10:00:01Z"));
  EXPECT_FALSE(m_h100("updated>2026-11-25T10:00:00Z"));
  EXPECT_TRUE(m_h100("kind=gpu sched=k8s price.unit=accel-hour source=measured"));
  EXPECT_FALSE(m_h100("source=nominal"));
}

TEST(SelectorMatch, ValueListsAreAnyOfAndNoneOf) {
  EXPECT_TRUE(m_h100("accel.family=h100,h800"));
  EXPECT_TRUE(m_h100("accel.family=h800,h100"));
  EXPECT_FALSE(m_h100("accel.family=h800,a100"));
  EXPECT_FALSE(m_h100("accel.family!=h800,h100"));
  EXPECT_TRUE(m_h100("accel.family!=h800,a100"));
  EXPECT_TRUE(m_h100("kind=npu,gpu accel.count=4,8"));
  EXPECT_TRUE(m_h100("site=\"Beijing DC 3\",other"));
  EXPECT_FALSE(m_h100("site=\"Beijing DC\""));
}

TEST(SelectorMatch, RegionPrefixIsHierarchical) {
  auto at = [](std::string_view region) {
    return desc_of(std::string("region=") + std::string(region));
  };
  auto north = at("cn-north"), beijing = at("cn-north.beijing"), northeast = at("cn-northeast"),
       dash = at("cn-north-2"), east = at("cn-east.shanghai");
  EXPECT_TRUE(m("region=cn-north*", north));
  EXPECT_TRUE(m("region=cn-north*", beijing));
  EXPECT_FALSE(m("region=cn-north*", northeast));
  EXPECT_FALSE(m("region=cn-north*", dash));
  EXPECT_FALSE(m("region=cn-north*", east));
  EXPECT_TRUE(m("region=cn-north.*", beijing));  // same as cn-north*
  EXPECT_FALSE(m("region=cn-north", beijing));   // exact without *
  EXPECT_TRUE(m("region=cn-east*,cn-north*", east));
  EXPECT_FALSE(m("region!=cn-north*", beijing));
  EXPECT_TRUE(m("region!=cn-north*", northeast));
  EXPECT_TRUE(m("region=cn*", northeast) == false);  // "cn" is a label, not a byte prefix
}

TEST(SelectorMatch, ListContains) {
  EXPECT_TRUE(m_h100("frameworks~pytorch"));
  EXPECT_TRUE(m_h100("frameworks~pytorch:2.4"));
  EXPECT_FALSE(m_h100("frameworks~pytorch:2.5"));
  EXPECT_FALSE(m_h100("frameworks~torch"));
  EXPECT_TRUE(m_h100("frameworks~tensorflow,mindspore"));
  EXPECT_TRUE(m_h100("frameworks=pytorch"));  // = on a list is ~
  EXPECT_TRUE(m_h100("frameworks!=tensorflow"));
  EXPECT_FALSE(m_h100("frameworks!=mindspore"));
  auto plain = desc_of("frameworks=pytorch");
  EXPECT_TRUE(m("frameworks~pytorch", plain));
  EXPECT_FALSE(m("frameworks~pytorch:2.4", plain));
}

TEST(SelectorMatch, AbsentKeysFailEveryOperator) {
  auto bare = desc_of("kind=cpu vcpu=64");
  for (auto t : {"accel.count=8", "accel.count!=8", "accel.count<8", "accel.count<=8",
                 "accel.count>8", "accel.count>=8", "frameworks~pytorch", "frameworks!=x",
                 "region!=cn-north*", "accel.family!=h100", "price!=3CNY", "x-rack!=r1", "free>=0",
                 "free!=1", "source!=nominal", "spot!=1CNY"}) {
    EXPECT_FALSE(m(t, bare)) << t;
  }
  // STATE keys without a STATE, and with one that lacks the key.
  EXPECT_FALSE(m("free>=0", h100()));
  auto st = state_of("score=3");
  EXPECT_FALSE(m("free!=1", h100(), &st));
  EXPECT_TRUE(m("score!=1", h100(), &st));
  // A resource without DESC never matches, not even the empty selector.
  EXPECT_FALSE(matches(sel(""), {nullptr, &st}));
  EXPECT_TRUE(matches(sel(""), {&bare, nullptr}));
}

TEST(SelectorMatch, MandatoryExtensionKeysMustBeNamed) {
  auto gated = desc_of("kind=gpu x-compliance=mlps mandatory=x-compliance");
  EXPECT_FALSE(m("kind=gpu", gated));
  EXPECT_FALSE(m("", gated));
  EXPECT_TRUE(m("kind=gpu x-compliance=mlps", gated));
  EXPECT_FALSE(m("kind=gpu x-compliance=other", gated));
  EXPECT_TRUE(m("kind=gpu x-compliance!=other", gated));
  EXPECT_TRUE(m("kind=gpu order=x-compliance", gated));
  auto standard = desc_of("kind=gpu region=cn-east mandatory=region");
  EXPECT_TRUE(m("kind=gpu", standard));  // standard keys are always understood
}

TEST(SelectorMatch, CurrenciesNeverMix) {
  auto usd = desc_of("price=2USD");
  EXPECT_FALSE(m("price<=3CNY", usd));
  EXPECT_FALSE(m("price!=3CNY", usd));
  EXPECT_FALSE(m("price>=0CNY", usd));
  EXPECT_TRUE(m("price<=3USD", usd));
  EXPECT_TRUE(m("price.currency=USD", usd));
  auto st = state_of("spot=1EUR");
  EXPECT_FALSE(m("spot<2CNY", usd, &st));
  EXPECT_TRUE(m("spot<2EUR", usd, &st));
}

TEST(SelectorOrder, KeysTiesAndMissing) {
  auto a = desc_of("price=2CNY accel.mem=80GiB region=b"),
       b = desc_of("price=3CNY accel.mem=80GiB"),
       c = desc_of("price=2CNY accel.mem=40GiB region=a"), none = desc_of("kind=gpu");
  resource ra{&a, nullptr}, rb{&b, nullptr}, rc{&c, nullptr}, rn{&none, nullptr};
  auto asc = sel("order=price");
  EXPECT_LT(compare(asc, ra, rb), 0);
  EXPECT_GT(compare(asc, rb, ra), 0);
  EXPECT_EQ(compare(asc, ra, rc), 0);  // a tie: callers break it by name
  EXPECT_LT(compare(asc, rb, rn), 0);  // missing sorts last
  EXPECT_GT(compare(asc, rn, ra), 0);
  EXPECT_EQ(compare(asc, rn, rn), 0);
  auto desc = sel("order=-price");
  EXPECT_LT(compare(desc, rb, ra), 0);
  EXPECT_LT(compare(desc, ra, rn), 0);  // missing sorts last descending too
  auto two = sel("order=price order=-accel.mem");
  EXPECT_LT(compare(two, ra, rc), 0);
  EXPECT_LT(compare(two, rc, rb), 0);
  auto text = sel("order=region");
  EXPECT_LT(compare(text, rc, ra), 0);  // lexicographic
  EXPECT_LT(compare(text, ra, rb), 0);
  auto usd = desc_of("price=1USD");
  resource ru{&usd, nullptr};
  EXPECT_LT(compare(asc, ra, ru), 0);  // another currency: by currency, then amount
  EXPECT_EQ(compare(sel(""), ra, rb), 0);
}

TEST(SelectorParse, LimitsAndOrder) {
  EXPECT_EQ(sel("kind=gpu").limit, default_limit);
  EXPECT_EQ(sel("limit=1").limit, 1u);
  EXPECT_EQ(sel("limit=1000").limit, 1000u);
  for (auto bad :
       {"limit=0", "limit=1001", "limit=-1", "limit=x", "limit=5 limit=6", "limit<5",
        "order=", "order=-", "order=frameworks", "order=price order=price", "order=nope"}) {
    EXPECT_FALSE(parse(bad).ok()) << bad;
  }
  auto s = sel("order=-price order=x-rack limit=5");
  ASSERT_EQ(s.order.size(), 2u);
  EXPECT_TRUE(s.order[0].descending);
  EXPECT_EQ(s.order[1].key, "x-rack");
  EXPECT_TRUE(s.names_key("x-rack"));
  EXPECT_FALSE(s.names_key("x-other"));
}

struct bad_case {
  const char* text;
  std::uint32_t col;
  const char* says;
};

TEST(SelectorParse, ErrorsNameTheColumn) {
  const bad_case cases[] = {
      {"kind=gpu accel.cont>=8", 10, "did you mean 'accel.count'?"},
      {"kind=gpu regoin=cn-north*", 10, "did you mean 'region'?"},
      {"ordr=price", 1, "did you mean 'order'?"},
      {"Kind=gpu", 1, "lower case"},
      {"zzzzzzzz=1", 1, "unknown key 'zzzzzzzz'"},
      {"kind=gpu price<=3", 17, "needs a currency"},
      {"kind=gpux", 6, "unknown value"},
      {"accel.mem>=80GB", 14, "accel.mem"},
      {"accel.family<h100", 13, "not a number"},
      {"region~cn", 7, "~"},
      {"accel.family=h100*", 14, "prefix"},
      {"accel.count>=4,8", 14, "value list"},
      {"kind=gpu,,npu", 10, "empty"},
      {"kind=", 6, "needs a value"},
      {"kind", 1, "expected KEY OP VALUE"},
      {"=gpu", 1, "expected a key"},
      {"kind=gpu \"quoted\"", 10, "quoted"},
      {"site=\"open", 6, "unterminated"},
      {"price=1CNY,2USD", 12, "one currency"},
      {"limit=0", 7, "out of range"},
      {"kind^gpu", 5, "cannot appear"},
  };
  for (const auto& c : cases) {
    auto s = parse(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.err().col, c.col) << c.text << ": " << s.err().message;
    EXPECT_NE(s.err().message.find(c.says), std::string::npos) << c.text << ": " << s.err().message;
    EXPECT_EQ(s.err().message.rfind("column " + std::to_string(c.col) + ": ", 0), 0u)
        << s.err().message;
  }
}

TEST(SelectorParse, HostileInputIsBounded) {
  EXPECT_FALSE(parse(std::string(max_selector_size + 1, 'a')).ok());
  std::string many;
  for (std::size_t i = 0; i <= max_terms; ++i) many += "kind=gpu ";
  auto s = parse(many);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("terms"), std::string::npos);
  std::string values = "accel.count=";
  for (int i = 0; i < 1000; ++i) values += "1,";
  values += "1";
  EXPECT_FALSE(parse(values).ok());
  EXPECT_FALSE(parse(std::string(3000, 'x') + "=1").ok());
  EXPECT_FALSE(parse("x-\xff=1").ok());
  EXPECT_TRUE(parse("").ok());
  EXPECT_TRUE(parse("   ").ok());
}

TEST(SelectorParse, ToStringRoundTrips) {
  for (auto text :
       {"kind=gpu accel.family=h100,h800 accel.count>=8 accel.mem>=80GiB region=cn-north* "
        "frameworks~pytorch price<=3CNY free>=1 order=price limit=10",
        "energy.pue<1.25 sla.avail>=99.9% updated>=2026-11-25T10:00:00Z source=measured "
        "spot<2.5CNY",
        "site=\"Beijing DC 3\",\"a,b\",plain x-note=\"say \\\"hi\\\"\" order=-site",
        "region!=cn-north.*,us-west region=cn-north.beijing disk>=2TiB mem<=512GiB",
        "x-compliance=mlps kind!=cpu,npu sched=k8s,slurm price.unit=accel-hour order=-free",
        "x-star=\"a*\" x-empty=\"\" frameworks!=tensorflow:2.1 limit=1000", ""}) {
    auto s = sel(text);
    auto again = parse(to_string(s));
    ASSERT_TRUE(again.ok()) << to_string(s) << ": " << again.err().message;
    EXPECT_EQ(*again, s) << text << " -> " << to_string(s);
    EXPECT_EQ(to_string(*again), to_string(s));
  }
  EXPECT_EQ(to_string(sel("accel.mem>=81920 price<=3.0CNY region=cn-north.* limit=20")),
            "accel.mem>=80GiB price<=3CNY region=cn-north*");
  EXPECT_EQ(sel("x-star=\"a*\"").terms[0].values[0].prefix, false);
}

TEST(SelectorParse, TermsKeepTheirColumns) {
  auto s = sel("kind=gpu  free>=1");
  ASSERT_EQ(s.terms.size(), 2u);
  EXPECT_EQ(s.terms[0].column, 1u);
  EXPECT_EQ(s.terms[1].column, 11u);
  EXPECT_EQ(op_text(op::contains), "~");
}

}  // namespace
}  // namespace cidns::select
