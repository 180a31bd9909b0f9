// zone::record_cursor: a compiled zone's records in the full transfer's order, and
// decompile() built on it.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/record_cursor.hpp"

namespace cidns::zone {
namespace {

std::shared_ptr<const compiled_zone> compile_file(const std::string& relative) {
  load_options o;
  o.compile = true;
  auto r = load(std::string(CIDNS_SOURCE_DIR) + "/" + relative, o);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << (r->messages().empty() ? "" : r->messages().front());
  return r->compiled;
}

std::vector<record::rr> read_all(record_cursor& c) {
  std::vector<record::rr> out;
  record::rr r;
  while (c.next(r)) out.push_back(r);
  return out;
}

// The records of the zonefile as loaded (sorted, not compiled): what the cursor must give back.
std::vector<record::rr> loaded_records(const std::string& relative) {
  auto r = load(std::string(CIDNS_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->zone.records : std::vector<record::rr>{};
}

record::rtype covered(const record::rr& r) { return record::sig::decode(r.data)->type_covered; }

TEST(RecordCursor, SignedZoneInTransferOrder) {
  auto z = compile_file("zonefiles/signed/fin.zone");
  ASSERT_TRUE(z);
  record_cursor c(z);
  const auto all = read_all(c);
  ASSERT_GE(all.size(), 3U);
  EXPECT_EQ(all[0].type, record::rtype::soa);
  EXPECT_EQ(all[0].owner, z->origin());
  // The SOA's SIG right after it.
  ASSERT_EQ(all[1].type, record::rtype::sig);
  EXPECT_EQ(covered(all[1]), record::rtype::soa);
  // Each SIG right after the RRset it covers; owners in canonical order after the SOA set.
  std::size_t sigs = 0;
  for (std::size_t i = 2; i < all.size(); ++i) {
    EXPECT_TRUE(name::canonical_compare(all[i - 1].owner, all[i].owner) <= 0) << i;
    if (all[i].type != record::rtype::sig) continue;
    ++sigs;
    std::size_t j = i;
    while (j > 0 && all[j].type == record::rtype::sig) --j;
    EXPECT_EQ(all[j].owner, all[i].owner);
    EXPECT_EQ(all[j].type, covered(all[i])) << all[i].owner.text();
  }
  EXPECT_GT(sigs, 5U);
  // Every record of the zone once: the same records decompile() gives.
  contents sorted;
  for (const auto& r : all) sorted.add(r, {});
  sorted.sort_canonical();
  EXPECT_EQ(sorted.records, loaded_records("zonefiles/signed/fin.zone"));
  EXPECT_EQ(sorted.records, decompile(*z).records);
}

TEST(RecordCursor, UnsignedZoneStartsWithTheSoaAndEnds) {
  auto z = compile_file("tests/data/zones/good.zone");
  ASSERT_TRUE(z);
  record_cursor c(z);
  record::rr r;
  ASSERT_TRUE(c.next(r));
  EXPECT_EQ(r.type, record::rtype::soa);
  EXPECT_EQ(record::soa::decode(r.data)->serial, 2026112501U);
  std::size_t n = 1;
  while (c.next(r)) {
    EXPECT_NE(r.type, record::rtype::soa);
    ++n;
  }
  EXPECT_EQ(n, decompile(*z).records.size());
  EXPECT_FALSE(c.next(r));  // stays at the end
  EXPECT_FALSE(c.next(r));
}

TEST(RecordCursor, HoldsTheZoneAlive) {
  auto z = compile_file("zonefiles/signed/provx.cn-north.zone");
  ASSERT_TRUE(z);
  const auto expected = decompile(*z).records;
  record_cursor c(std::move(z));
  z.reset();
  contents got;
  record::rr r;
  while (c.next(r)) got.add(r, {});
  got.sort_canonical();
  EXPECT_EQ(got.records, expected);
}

TEST(RecordCursor, EveryFixtureGivesItsRecordsBack) {
  for (const char* f : {"zonefiles/root.zone", "zonefiles/cn-north.zone", "zonefiles/fin.zone",
                        "zonefiles/signed/root.zone", "zonefiles/signed/hpcloud.cn-north.zone",
                        "zonefiles/signed/yangtze.cn-east.zone"}) {
    auto z = compile_file(f);
    ASSERT_TRUE(z) << f;
    record_cursor c(*z);
    contents got;
    record::rr r;
    while (c.next(r)) got.add(r, {});
    got.sort_canonical();
    EXPECT_EQ(got.records, loaded_records(f)) << f;
    EXPECT_EQ(decompile(*z).records, got.records) << f;
  }
}

}  // namespace
}  // namespace cidns::zone
