// Semantic checks and canonical order (the broken-zone fixtures cover the rest).
#include "cidns/zone/checker.hpp"

#include <gtest/gtest.h>

#include "zone_test_util.hpp"

namespace cidns::zone {
namespace {

using namespace testing;
using strings = std::vector<std::string>;

constexpr std::string_view head =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n";

strings check_text(std::string_view body) {
  auto r = read_text(std::string(head) + std::string(body), "t.zone");
  return read_and_check(r);
}

TEST(Checker, CleanZone) { EXPECT_TRUE(check_text("a TXT \"x\"\n").empty()); }

TEST(Checker, CanonicalOrder) {
  auto r = read_text(std::string(head) +
                         "b.a TXT \"1\"\nzz TXT \"2\"\na TXT \"3\"\n*.a TXT \"4\"\n"
                         "a NS ns.a\nns.a ADDR 127.0.0.2\na TXT \"0\"\nA-B TXT \"5\"\n",
                     "t.zone");
  ASSERT_TRUE(r.ok());
  std::vector<diagnostic> ds;
  auto s = check(r.zone, ds);
  EXPECT_EQ(s.errors, 0U);
  strings owners;
  for (const auto& rec : r.zone.records)
    owners.push_back(rec.owner.text() + " " + record::type_name(rec.type));
  EXPECT_EQ(owners,
            (strings{"z. SOA", "z. NS", "a.z. NS", "a.z. TXT", "a.z. TXT", "*.a.z. TXT",
                     "b.a.z. TXT", "ns.a.z. ADDR", "a-b.z. TXT", "ns1.z. ADDR", "zz.z. TXT"}));
  // Positions moved along with their records.
  EXPECT_EQ(r.zone.positions[0].line, 3U);
  EXPECT_EQ(r.zone.positions[2].line, 10U);
  EXPECT_EQ(r.zone.names().size(), 8U);
  EXPECT_EQ(r.zone.rrsets().size(), 10U);
  // The records at and below the delegation a.z. (other than glue) are warnings.
  ASSERT_EQ(s.warnings, 4U);
  EXPECT_EQ(format_diagnostic(ds[0], r.zone.files),
            "t.zone:6:1: warning: b.a.z. TXT is occluded by the delegation at a.z.");
}

TEST(Checker, ApexCnameConflictsWithSoa) {
  EXPECT_EQ(
      check_text("@ CNAME elsewhere.\n"),
      (strings{"t.zone:6:1: error: CNAME beside other data (SOA) at z. (the SOA is at line 3)"}));
}

TEST(Checker, CnameWithSigAndNsecIsFine) {
  EXPECT_TRUE(check_text("c CNAME ns1\nc NSEC d.z. CNAME NSEC\n").empty());
}

TEST(Checker, ReportsInFileOrderAcrossNames) {
  EXPECT_EQ(check_text("b TXT \"x\"\nb 5 TXT \"y\"\na TXT \"x\"\na TXT \"x\"\n"),
            (strings{"t.zone:7:1: error: TTL 5 differs from the TTL 3600 of the TXT RRset at b.z. "
                     "(t.zone:6)",
                     "t.zone:9:1: error: duplicate TXT record at a.z. (first at t.zone:8)"}));
}

TEST(Checker, SortIsIdempotentAndStable) {
  auto r = read_text(std::string(head) + "a TXT \"x\"\n", "t.zone");
  r.zone.sort_canonical();
  auto before = r.zone.records;
  r.zone.sort_canonical();
  EXPECT_EQ(before, r.zone.records);
}

}  // namespace
}  // namespace cidns::zone
