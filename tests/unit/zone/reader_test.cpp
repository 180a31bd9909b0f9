// The zonefile reader: directives, names, owners, TTLs, classes, $INCLUDE, errors.
#include "cidns/zone/reader.hpp"

#include <gtest/gtest.h>

#include "cidns/record/presentation.hpp"
#include "zone_test_util.hpp"

namespace cidns::zone {
namespace {

using namespace testing;
using strings = std::vector<std::string>;
using record::rtype;

load_result read(std::string_view text, const reader_options& o = {}) {
  return read_text(text, "t.zone", o);
}

TEST(Reader, OriginTtlAndRelativeNames) {
  auto r = read(
      "$ORIGIN provx.cn-north.\n"
      "$TTL 1h\n"
      "@ NS ns1\n"
      "www CNAME h100.pool1\n"
      "abs.provx.cn-north. 5m CNAME other.example.\n"
      "$ORIGIN pool1\n"  // relative to the current origin
      "h100 30 TXT \"x\"\n");
  ASSERT_TRUE(r.ok()) << messages(r.diagnostics, r.zone)[0];
  EXPECT_EQ(r.zone.origin.text(), "provx.cn-north.");
  ASSERT_EQ(r.zone.size(), 4U);
  const auto& recs = r.zone.records;
  EXPECT_EQ(recs[0].owner.text(), "provx.cn-north.");
  EXPECT_EQ(recs[0].type, rtype::ns);
  EXPECT_EQ(recs[0].ttl, 3600U);
  EXPECT_EQ(record::format_data(rtype::ns, recs[0].data), "ns1.provx.cn-north.");
  EXPECT_EQ(recs[1].owner.text(), "www.provx.cn-north.");
  EXPECT_EQ(record::format_data(rtype::cname, recs[1].data), "h100.pool1.provx.cn-north.");
  EXPECT_EQ(recs[2].ttl, 300U);
  EXPECT_EQ(record::format_data(rtype::cname, recs[2].data), "other.example.");
  EXPECT_EQ(recs[3].owner.text(), "h100.pool1.provx.cn-north.");
  EXPECT_EQ(recs[3].ttl, 30U);
  EXPECT_EQ(r.zone.positions[3].line, 7U);
  EXPECT_EQ(r.zone.positions[3].col, 1U);
}

TEST(Reader, OmittedOwnerTtlAndClassInEitherOrder) {
  auto r = read(
      "$ORIGIN z.\n$TTL 60\n"
      "a IN 300 TXT \"1\"\n"
      "  300 IN TXT \"2\"\n"
      "\tIN TXT \"3\"\n"
      "  in 2m txt \"4\"\n");
  ASSERT_TRUE(r.ok()) << messages(r.diagnostics, r.zone)[0];
  ASSERT_EQ(r.zone.size(), 4U);
  for (const auto& rec : r.zone.records) EXPECT_EQ(rec.owner.text(), "a.z.");
  EXPECT_EQ(r.zone.records[0].ttl, 300U);
  EXPECT_EQ(r.zone.records[1].ttl, 300U);
  EXPECT_EQ(r.zone.records[2].ttl, 60U);
  EXPECT_EQ(r.zone.records[3].ttl, 120U);
  EXPECT_EQ(r.zone.positions[1].col, 3U);
}

TEST(Reader, UpperCaseIsFolded) {
  auto r = read("$ORIGIN Z.\n$TTL 60\nWWW CNAME Target\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.zone.records[0].owner.text(), "www.z.");
  EXPECT_EQ(record::format_data(rtype::cname, r.zone.records[0].data), "target.z.");
}

TEST(Reader, ConfiguredOrigin) {
  auto r = read("$TTL 60\n@ NS ns1\n", with_origin("provx.cn-north"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.zone.origin.text(), "provx.cn-north.");
  EXPECT_EQ(r.zone.records[0].owner.text(), "provx.cn-north.");
  // A first $ORIGIN that agrees is fine; one that contradicts is an error.
  EXPECT_TRUE(read("$ORIGIN provx.cn-north.\n", with_origin("provx.cn-north.")).ok());
  auto bad = read("$ORIGIN provy.cn-north.\n$TTL 1\n$ORIGIN x.\n", with_origin("provx.cn-north."));
  EXPECT_EQ(messages(bad.diagnostics, bad.zone),
            (strings{"t.zone:1:9: error: $ORIGIN provy.cn-north. contradicts the zone's origin "
                     "provx.cn-north."}));
}

TEST(Reader, NoOriginIsAZoneWideError) {
  auto r = read("$TTL 1h\na.b. TXT \"x\"\nbad! TXT \"y\"\n");
  EXPECT_EQ(messages(r.diagnostics, r.zone),
            (strings{"t.zone:1:1: error: no origin: give the zone's name (--origin) or a $ORIGIN "
                     "directive",
                     "t.zone:3:4: error: bad owner name 'bad!': label 1 \"bad!\": invalid "
                     "character '!'; allowed are a-z 0-9 '-' '_'"}));
}

TEST(Reader, NoTtl) {
  auto r = read("$ORIGIN z.\na TXT \"x\"\nb 5 TXT \"y\"\n$TTL 7\nc TXT \"z\"\n");
  EXPECT_EQ(messages(r.diagnostics, r.zone), (strings{"t.zone:2:1: error: no TTL and no $TTL"}));
  ASSERT_EQ(r.zone.size(), 2U);
  EXPECT_EQ(r.zone.records[1].ttl, 7U);
}

TEST(Reader, EveryErrorIsReportedAndReadingContinues) {
  auto r = read(
      "$ORIGIN z.\n$TTL 1\n"
      "$BOGUS x\n"
      "$TTL\n"
      "$ORIGIN a b\n"
      "a 1 2 TXT \"x\"\n"
      "b IN IN TXT \"x\"\n"
      "c HS TXT \"x\"\n"
      "d NOPE x\n"
      "e 60\n"
      "f RESOURCE\n"
      "  TXT \"no owner before\"\n"
      "\"g\" TXT \"x\"\n"
      "h TXT \"ok\"\n");
  EXPECT_EQ(messages(r.diagnostics, r.zone),
            (strings{
                "t.zone:3:1: error: unknown directive '$BOGUS' (known: $ORIGIN, $TTL, $INCLUDE)",
                "t.zone:4:1: error: $TTL takes one TTL",
                "t.zone:5:1: error: $ORIGIN takes one name",
                "t.zone:6:5: error: a second TTL",
                "t.zone:7:6: error: a second class",
                "t.zone:8:3: error: class HS is not supported (only IN)",
                "t.zone:9:3: error: unknown record type 'NOPE'",
                "t.zone:10:3: error: missing record type after this",
                "t.zone:11:3: error: RESOURCE is not a record type",
                "t.zone:13:1: error: an owner name cannot be quoted",
            }));
  // The blank-owner line reuses "f" (its own record failed but the owner was valid).
  ASSERT_EQ(r.zone.size(), 2U);
  EXPECT_EQ(r.zone.records[0].owner.text(), "f.z.");
  EXPECT_EQ(r.zone.records[1].owner.text(), "h.z.");
}

TEST(Reader, FirstRecordWithoutOwner) {
  auto r = read("$ORIGIN z.\n$TTL 1\n  TXT \"x\"\n");
  EXPECT_EQ(messages(r.diagnostics, r.zone),
            (strings{"t.zone:3:3: error: no owner: the first record of a file must name one"}));
}

TEST(Reader, ErrorLimit) {
  std::string text = "$ORIGIN z.\n$TTL 1\n";
  for (int i = 0; i < 50; ++i) text += "a NOPE\n";
  reader_options o;
  o.max_errors = 10;
  auto r = read(text, o);
  EXPECT_EQ(r.errors, 10U);
  ASSERT_EQ(r.diagnostics.size(), 11U);
  EXPECT_EQ(format_diagnostic(r.diagnostics.back(), r.zone.files),
            "t.zone:12:3: error: too many errors (10), giving up on the zone");
}

TEST(Reader, IncludeIsRelativeToTheIncludingFileAndScoped) {
  auto r = read_file(zones_dir() + "include-ok/main.zone");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->ok()) << messages(r->diagnostics, r->zone)[0];
  ASSERT_EQ(r->zone.files.size(), 2U);
  EXPECT_EQ(r->zone.files[1], zones_dir() + "include-ok/sub/pool1.zone");
  const auto& recs = r->zone.records;
  ASSERT_EQ(recs.size(), 7U);
  EXPECT_EQ(recs[3].owner.text(), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(recs[3].ttl, 300U);  // the included file's $TTL
  EXPECT_EQ(r->zone.positions[3].file, 1U);
  EXPECT_EQ(r->zone.positions[3].line, 3U);
  EXPECT_EQ(recs[4].owner.text(), "pool1.provx.cn-north.");
  EXPECT_EQ(recs[5].owner.text(), "after.provx.cn-north.");
  EXPECT_EQ(recs[5].ttl, 3600U);  // ...does not leak out
  EXPECT_EQ(recs[6].owner.text(), "after.provx.cn-north.");
  EXPECT_TRUE(read_and_check(*r).empty());  // (sorts the records)
}

TEST(Reader, IncludeDisabled) {
  reader_options o;
  o.allow_include = false;
  auto r = read("$ORIGIN z.\n$INCLUDE /etc/passwd\n", o);
  EXPECT_EQ(messages(r.diagnostics, r.zone),
            (strings{"t.zone:2:1: error: $INCLUDE is not allowed here"}));
}

TEST(Reader, UnreadableTopFileIsAnIoError) {
  auto r = read_file(zones_dir() + "does-not-exist.zone");
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("cannot read"), std::string::npos);
  EXPECT_NE(r.err().message.find("does-not-exist.zone"), std::string::npos);
  EXPECT_FALSE(read_file(zones_dir()));  // a directory
}

}  // namespace
}  // namespace cidns::zone
