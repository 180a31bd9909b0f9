// zone::diff: the changeset between two versions of a zone, exact on small zones and
// replayable (apply_changesets on the old version gives the new one) on every fixture,
// signed and unsigned.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/diff.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::zone {
namespace {

using strings = std::vector<std::string>;

std::shared_ptr<const compiled_zone> compile_text(const std::string& text) {
  load_options o;
  o.compile = true;
  auto r = load_text(text, "t.zone", o);
  EXPECT_TRUE(r.ok()) << (r.messages().empty() ? "" : r.messages().front());
  return r.compiled;
}

std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(CIDNS_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

strings lines(const std::vector<record::rr>& rrs) {
  strings out;
  for (const auto& r : rrs) out.push_back(record::format_rr(r));
  return out;
}

// Applies `c` to decompile(from) and expects decompile(to).
void expect_replays(const compiled_zone& from, const compiled_zone& to,
                    const record::changeset& c) {
  contents z = decompile(from);
  auto ok = apply_changesets(z, std::span(&c, 1));
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  z.sort_canonical();
  EXPECT_EQ(lines(z.records), lines(decompile(to).records));
}

constexpr std::string_view v1 =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n"
    "a TXT \"one\"\na TXT \"two\"\nb TXT \"bee\"\nc.d TXT \"deep\"\n";
constexpr std::string_view v2 =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 2 1h 10m 14d 5m\n@ NS ns1\nns1 2h ADDR 127.0.0.1\n"
    "a TXT \"one\"\na TXT \"three\"\nc.d TXT \"deep\"\ne TXT \"new\"\n";

TEST(Diff, RemovedAddedAndTtlChanges) {
  auto a = compile_text(std::string(v1));
  auto b = compile_text(std::string(v2));
  ASSERT_TRUE(a && b);
  const auto c = diff(*a, *b);
  EXPECT_EQ(c.from, 1U);
  EXPECT_EQ(c.to, 2U);
  EXPECT_EQ(lines(c.removed),
            (strings{"z. 3600 SOA ns1.z. admin.z. 1 3600 600 1209600 300", "a.z. 3600 TXT \"two\"",
                     "b.z. 3600 TXT \"bee\"", "ns1.z. 3600 ADDR 127.0.0.1"}));
  EXPECT_EQ(lines(c.added), (strings{"z. 3600 SOA ns1.z. admin.z. 2 3600 600 1209600 300",
                                     "a.z. 3600 TXT \"three\"", "e.z. 3600 TXT \"new\"",
                                     "ns1.z. 7200 ADDR 127.0.0.1"}));
  expect_replays(*a, *b, c);
  // And back.
  const auto back = diff(*b, *a);
  EXPECT_EQ(back.from, 2U);
  EXPECT_EQ(back.to, 1U);
  EXPECT_EQ(back.removed.size(), 4U);
  EXPECT_EQ(back.added.size(), 4U);
  expect_replays(*b, *a, back);
}

TEST(Diff, UnchangedZoneGivesTheSoaAlone) {
  auto a = compile_text(std::string(v1));
  auto again = compile_text(std::string(v1));
  ASSERT_TRUE(a && again);
  const auto c = diff(*a, *again);
  EXPECT_EQ(c.from, 1U);
  EXPECT_EQ(c.to, 1U);
  ASSERT_EQ(c.removed.size(), 1U);
  ASSERT_EQ(c.added.size(), 1U);
  EXPECT_EQ(c.removed[0], c.added[0]);
  EXPECT_EQ(c.removed[0].type, record::rtype::soa);
  expect_replays(*a, *again, c);
}

TEST(Diff, OnlyTheSerialChanged) {
  std::string next(v1);
  next.replace(next.find("admin 1 "), 8, "admin 7 ");
  auto a = compile_text(std::string(v1));
  auto b = compile_text(next);
  ASSERT_TRUE(a && b);
  const auto c = diff(*a, *b);
  EXPECT_EQ(lines(c.removed), strings{"z. 3600 SOA ns1.z. admin.z. 1 3600 600 1209600 300"});
  EXPECT_EQ(lines(c.added), strings{"z. 3600 SOA ns1.z. admin.z. 7 3600 600 1209600 300"});
  expect_replays(*a, *b, c);
}

TEST(Diff, SignedZoneChanges) {
  const std::string original = read_file("zonefiles/signed/fin.zone");
  ASSERT_FALSE(original.empty());
  std::string changed = original;
  // A TTL change, a new serial, a name gone (with its SIGs and NSEC), a new record.
  changed.replace(changed.find("2026112501"), 10, "2026112502");
  changed.replace(changed.find("ns1 3600 ADDR"), 13, "ns1 7200 ADDR");
  const std::size_t at = changed.find("approved.npu-inference 3600 CNAME");
  const std::size_t end = changed.find("ns1 7200 ADDR");
  ASSERT_NE(at, std::string::npos);
  changed.erase(at, end - at);
  changed += "newname 600 TXT \"hello\"\n";
  auto a = compile_text(original);
  auto b = compile_text(changed);
  ASSERT_TRUE(a && b);
  const auto c = diff(*a, *b);
  EXPECT_EQ(c.from, 2026112501U);
  EXPECT_EQ(c.to, 2026112502U);
  // Removed: the SOA, the CNAME, its SIG, the NSEC and its SIG, the old ADDR.
  EXPECT_EQ(c.removed.size(), 6U) << ::testing::PrintToString(lines(c.removed));
  EXPECT_EQ(c.added.size(), 3U) << ::testing::PrintToString(lines(c.added));
  EXPECT_EQ(record::format_rr(c.added[1]), "newname.fin. 600 TXT \"hello\"");
  EXPECT_EQ(record::format_rr(c.added[2]), "ns1.fin. 7200 ADDR 127.0.0.5");
  expect_replays(*a, *b, c);
  expect_replays(*b, *a, diff(*b, *a));
}

// Every fixture against a zone of its own origin that holds only an SOA and NS, both ways:
// every name added, every name removed.
TEST(Diff, EveryFixtureFromAndToAlmostNothing) {
  for (const char* f : {"zonefiles/root.zone", "zonefiles/cn-north.zone",
                        "zonefiles/provx.cn-north.zone", "zonefiles/signed/root.zone",
                        "zonefiles/signed/fin.zone", "zonefiles/signed/ascend.cn-east.zone",
                        "zonefiles/signed/quantfin.fin.zone", "tests/data/zones/good.zone"}) {
    SCOPED_TRACE(f);
    auto full = compile_text(read_file(f));
    ASSERT_TRUE(full);
    const std::string origin = full->origin().text();
    auto bare = compile_text(fmt::format(
        "$ORIGIN {}\n@ 60 SOA ns a 1 1h 10m 14d 5m\n@ 60 NS ns\nns 60 ADDR 127.0.0.9\n", origin));
    ASSERT_TRUE(bare);
    expect_replays(*bare, *full, diff(*bare, *full));
    expect_replays(*full, *bare, diff(*full, *bare));
    const auto same = diff(*full, *full);
    EXPECT_EQ(same.removed.size(), 1U);
    EXPECT_EQ(same.added.size(), 1U);
  }
}

}  // namespace
}  // namespace cidns::zone
