// Mistakes a zone still loads with (warnings), messages that point at the
// other record involved, and the one name count that cidns-admin and
// cidns-authd both print (issue 9, points 5 and 6).
#include <gtest/gtest.h>

#include "cidns/zone/load.hpp"
#include "zone_test_util.hpp"

namespace cidns::zone {
namespace {

using namespace testing;
using strings = std::vector<std::string>;

constexpr std::string_view head =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n";

load_options compiling() {
  load_options o;
  o.compile = true;
  return o;
}

strings check_text(std::string_view body, std::string_view top = head) {
  auto r = read_text(std::string(top) + std::string(body), "t.zone");
  return read_and_check(r);
}

TEST(Warnings, CnameTargetThatDoesNotExist) {
  EXPECT_EQ(check_text("a CNAME b\n"),
            (strings{"t.zone:6:1: warning: CNAME target b.z. does not exist in the zone"}));
}

TEST(Warnings, CnameTargetsThatResolve) {
  // An existing name, an empty non-terminal, a wildcard's child, a name below
  // a delegation, a name outside the zone.
  EXPECT_EQ(check_text("x TXT \"1\"\na CNAME x\np.q TXT \"2\"\nb CNAME q\n*.w TXT \"3\"\n"
                       "c CNAME foo.w\nd NS ns.d\nns.d ADDR 127.0.0.2\ne CNAME h.d\n"
                       "f CNAME elsewhere.\n"),
            strings{});
}

TEST(Warnings, WildcardDoesNotCoverBelowAnExistingName) {
  // v.w exists, so *.w does not answer for x.v.w (its closest encloser is v.w).
  EXPECT_EQ(check_text("*.w TXT \"1\"\nv.w TXT \"2\"\na CNAME x.v.w\n"),
            (strings{"t.zone:8:1: warning: CNAME target x.v.w.z. does not exist in the zone"}));
}

constexpr std::string_view provx_head =
    "$ORIGIN provx.cn-north.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\n"
    "ns1 ADDR 127.0.0.1\nh100 TXT \"x\"\n";

TEST(Warnings, ForgottenTrailingDot) {
  EXPECT_EQ(check_text("best CNAME h100.provx.cn-north\nx.provx.cn-north TXT \"y\"\n", provx_head),
            (strings{"t.zone:7:1: warning: CNAME h100.provx.cn-north.provx.cn-north. ends in the "
                     "origin provx.cn-north. twice (a forgotten trailing dot?)",
                     "t.zone:8:1: warning: x.provx.cn-north.provx.cn-north. ends in the origin "
                     "provx.cn-north. twice (a forgotten trailing dot?)"}));
}

TEST(Warnings, NsServerWithOriginTwiceAlsoFailsForItsAddr) {
  auto got = check_text("@ NS ns2.provx.cn-north\n", provx_head);
  EXPECT_EQ(got,
            (strings{"t.zone:7:1: error: no ADDR record for "
                     "ns2.provx.cn-north.provx.cn-north., an in-zone server of provx.cn-north.",
                     "t.zone:7:1: warning: NS ns2.provx.cn-north.provx.cn-north. ends in the "
                     "origin provx.cn-north. twice (a forgotten trailing dot?)"}));
}

TEST(Warnings, EpHostInsideTheZone) {
  EXPECT_EQ(check_text("a EP 10 1 grpc gw.z 443\nb EP 10 1 grpc ns1.z 443\n"
                       "c EP 10 1 grpc gw.example 443\nd EP 10 1 grpc 127.0.0.1 443\n"
                       "e EP 10 1 grpc ::1 443\n"),
            (strings{"t.zone:6:1: warning: EP host gw.z does not exist in the zone"}));
}

TEST(Warnings, EpHostsAreNotCheckedInTheRootZone) {
  constexpr std::string_view root_head =
      "$ORIGIN .\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n";
  EXPECT_EQ(check_text("a EP 10 1 grpc gw.example 443\n", root_head), strings{});
}

TEST(Warnings, IncompletePrices) {
  EXPECT_EQ(check_text("a DESC kind=gpu price=2.5CNY price.unit=accel-hour\n"
                       "b DESC kind=gpu price=2.5 price.unit=accel-hour\n"
                       "c DESC kind=gpu price=2.5CNY\n"
                       "d DESC kind=gpu price.currency=CNY\n"),
            (strings{"t.zone:7:1: warning: DESC price without a currency (write price=2.5CNY or "
                     "add price.currency=CNY)",
                     "t.zone:8:1: warning: DESC price without price.unit (accel-hour, node-hour "
                     "or ktoken)",
                     "t.zone:9:1: warning: DESC price.currency without a price"}));
}

TEST(Warnings, ZoneWithOnlyWarningsLoads) {
  auto l = load_text(std::string(head) + "a CNAME b\n", "t.zone", compiling());
  EXPECT_TRUE(l.ok());
  EXPECT_EQ(l.warnings, 1U);
  ASSERT_NE(l.compiled, nullptr);
}

TEST(OtherLine, DuplicateSoaCitesTheOther) {
  EXPECT_EQ(check_text("@ SOA ns1 admin 2 1h 10m 14d 5m\n"),
            (strings{"t.zone:6:1: error: more than one SOA record at the apex (the other SOA is "
                     "at line 3)"}));
}

TEST(OtherLine, CnameBesideDataCitesTheData) {
  EXPECT_EQ(check_text("c CNAME ns1\nc TXT \"x\"\n"),
            (strings{"t.zone:6:1: error: CNAME beside other data (TXT) at c.z. (the TXT is at "
                     "line 7)"}));
}

TEST(OtherLine, SecondCnameCitesTheFirst) {
  EXPECT_EQ(check_text("c CNAME ns1\nc CNAME @\n"),
            (strings{"t.zone:7:1: error: more than one CNAME at c.z. (the first CNAME is at "
                     "line 6)"}));
}

TEST(Reader, BadTtlIsOneError) {
  auto r = read_text(
      "$ORIGIN z.\n$TTL 1x\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n"
      "a ADDR nope\n",
      "t.zone");
  EXPECT_EQ(read_and_check(r),
            (strings{"t.zone:2:7: error: bad $TTL '1x': unknown time unit (use s, m, h, d or w)",
                     "t.zone:6:8: error: ADDR address: \"nope\" is not an IPv4 or IPv6 address"}));
}

TEST(Reader, TtlWithoutDollarTtlIsStillReported) {
  auto r = read_text("$ORIGIN z.\n@ SOA ns1 admin 1 1h 10m 14d 5m\n", "t.zone");
  EXPECT_EQ(read_and_check(r), (strings{"t.zone:2:1: error: no TTL and no $TTL"}));
}

TEST(Reader, DnsTypesHintTheCidnsOnes) {
  EXPECT_EQ(check_text("a A 127.0.0.1\nb aaaa ::1\nc SRV 1 2 3 x\nd BOGUS x\n"),
            (strings{"t.zone:6:3: error: unknown record type 'A' (cidns uses ADDR for addresses)",
                     "t.zone:7:3: error: unknown record type 'aaaa' (cidns uses ADDR for "
                     "addresses)",
                     "t.zone:8:3: error: unknown record type 'SRV' (cidns uses EP for endpoints)",
                     "t.zone:9:3: error: unknown record type 'BOGUS'"}));
}

TEST(Reader, MisspeltDescKeySuggests) {
  EXPECT_EQ(check_text("a DESC kind=gpu accel.cont=8\n"),
            (strings{"t.zone:6:17: error: unknown DESC key \"accel.cont\" (did you mean "
                     "\"accel.count\"?)"}));
}

TEST(NameCount, CheckAndCompiledZoneAgree) {
  // Names: z., ns1.z., a.b.c.z. and the empty non-terminals b.c.z. and c.z.
  const std::string text = std::string(head) + "a.b.c TXT \"1\"\n";
  auto checked = load_text(text, "t.zone");
  ASSERT_TRUE(checked.ok());
  auto compiled = load_text(text, "t.zone", compiling());
  ASSERT_NE(compiled.compiled, nullptr);
  EXPECT_EQ(checked.shape.name_count(), 5U);
  EXPECT_EQ(compiled.compiled->name_count(), checked.shape.name_count());
}

}  // namespace
}  // namespace cidns::zone
