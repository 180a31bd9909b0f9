// The writer: canonical text that reads back to the same records.
#include "cidns/zone/writer.hpp"

#include <gtest/gtest.h>

#include "zone_test_util.hpp"

namespace cidns::zone {
namespace {

using namespace testing;

void expect_round_trip(contents& z) {
  z.sort_canonical();
  const std::string text = write_text(z);
  auto again = read_text(text, "written.zone");
  ASSERT_TRUE(again.ok()) << text << "\n" << messages(again.diagnostics, again.zone)[0];
  EXPECT_EQ(again.zone.origin, z.origin);
  again.zone.sort_canonical();
  EXPECT_EQ(again.zone.records, z.records) << text;
  // Writing is deterministic: the text of the re-read zone is the same.
  EXPECT_EQ(write_text(again.zone), text);
}

TEST(Writer, RoundTripGoodZone) {
  auto r = read_file(zones_dir() + "good.zone");
  ASSERT_TRUE(r && r->ok());
  expect_round_trip(r->zone);
}

TEST(Writer, RoundTripIncludes) {
  auto r = read_file(zones_dir() + "include-ok/main.zone");
  ASSERT_TRUE(r && r->ok());
  expect_round_trip(r->zone);
}

TEST(Writer, Format) {
  auto r =
      read_text("$ORIGIN z.\n$TTL 1h\nb TXT \"x y\"\n@ NS ns1\nout.example. 5 CNAME a\n", "t.zone");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(write_text(r.zone),
            "$ORIGIN z.\n"
            "out.example. 5 CNAME a.z.\n"  // canonical order: example. < z.
            "@ 3600 NS ns1.z.\n"
            "b 3600 TXT \"x y\"\n");
}

}  // namespace
}  // namespace cidns::zone
