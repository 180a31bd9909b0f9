// The zone transfer writer and reader together: full, incremental and "up to date"
// streams, through the wire codec, give back exactly the zone or the changesets; a small
// budget gives many messages, each within it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cidns/record/presentation.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/diff.hpp"
#include "xfr_test_util.hpp"

namespace cidns::xfr {
namespace {

using namespace testing;

constexpr std::string_view v1 =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\n"
    "a TXT \"one\"\na TXT \"two\"\nb TXT \"bee\"\nc.d TXT \"deep\"\n";
constexpr std::string_view v2 =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 2 1h 10m 14d 5m\n@ NS ns1\nns1 2h ADDR 127.0.0.1\n"
    "a TXT \"one\"\na TXT \"three\"\nc.d TXT \"deep\"\ne TXT \"new\"\n";
constexpr std::string_view v3 =
    "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 3 1h 10m 14d 5m\n@ NS ns1\nns1 2h ADDR 127.0.0.1\n"
    "a TXT \"one\"\nf.g.h TXT \"far\"\n";

void expect_full_round_trip(const std::shared_ptr<const zone::compiled_zone>& z,
                            std::size_t budget) {
  const auto req = request(z->origin(), std::nullopt);
  auto w = writer::full(req, z, budget);
  const auto ms = drain(w, budget);
  ASSERT_FALSE(ms.empty());
  const auto expected = zone::decompile(*z).records;
  EXPECT_EQ(w.records(), expected.size() + 1);  // the SOA twice
  EXPECT_EQ(w.messages(), ms.size());
  for (const auto& m : ms) {
    EXPECT_EQ(m.id, req.id);
    EXPECT_EQ(m.opcode, wire::opcode::xfr);
    EXPECT_EQ(m.flags, wire::flag::qr | wire::flag::aa);
    EXPECT_EQ(m.question, req.question);
    EXPECT_TRUE(m.authority.empty() && m.additional.empty());
  }
  EXPECT_EQ(ms.front().answer.front(), ms.back().answer.back());
  EXPECT_EQ(ms.front().answer.front().type, record::rtype::soa);

  reader r(z->origin(), std::nullopt);
  auto done = feed_all(r, ms);
  ASSERT_TRUE(done.ok()) << done.err().message;
  EXPECT_TRUE(*done);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.kind(), transfer_kind::full);
  EXPECT_EQ(r.serial(), z->serial());
  EXPECT_EQ(r.records(), expected.size() + 1);
  const auto got = r.take_contents();
  EXPECT_EQ(got.origin, z->origin());
  EXPECT_EQ(got.records, expected);
}

TEST(XfrRoundTrip, FullUnsigned) {
  auto z = compile_text(std::string(v1));
  ASSERT_TRUE(z);
  expect_full_round_trip(z, default_budget);
}

TEST(XfrRoundTrip, FullSignedFixtures) {
  for (const char* f : {"zonefiles/signed/fin.zone", "zonefiles/signed/provx.cn-north.zone",
                        "zonefiles/signed/root.zone"}) {
    SCOPED_TRACE(f);
    auto z = compile_text(read_file(f));
    ASSERT_TRUE(z);
    expect_full_round_trip(z, default_budget);
  }
}

TEST(XfrRoundTrip, FullSoaSigsRightAfterTheFirstSoa) {
  auto z = compile_text(read_file("zonefiles/signed/fin.zone"));
  ASSERT_TRUE(z);
  auto w = writer::full(request(z->origin(), std::nullopt), z);
  const auto ms = drain(w);
  ASSERT_EQ(ms.size(), 1U);
  const auto& a = ms[0].answer;
  ASSERT_GE(a.size(), 3U);
  EXPECT_EQ(a[0].type, record::rtype::soa);
  EXPECT_EQ(a[1].type, record::rtype::sig);
  EXPECT_EQ(record::sig::decode(a[1].data)->type_covered, record::rtype::soa);
  EXPECT_NE(a[2].type, record::rtype::soa);
}

TEST(XfrRoundTrip, SmallBudgetManyMessages) {
  auto z = compile_text(read_file("zonefiles/signed/provx.cn-north.zone"));
  ASSERT_TRUE(z);
  expect_full_round_trip(z, 400);
  auto w = writer::full(request(z->origin(), std::nullopt), z, 400);
  const auto ms = drain(w, 400);
  EXPECT_GT(ms.size(), 10U);
  // Packed: no message could have taken the next message's first record.
  for (std::size_t i = 0; i + 1 < ms.size(); ++i) {
    wire::message more = ms[i];
    more.answer.push_back(ms[i + 1].answer.front());
    EXPECT_GT(wire::encode(more).size(), 400U) << i;
  }
}

TEST(XfrRoundTrip, ManySmallRecordsKeepTheSectionLimit) {
  std::string text =
      "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin 1 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.1\n";
  for (int i = 0; i < 1500; ++i) text += "t TXT \"" + std::to_string(i) + "\"\n";
  auto z = compile_text(text);
  ASSERT_TRUE(z);
  auto w = writer::full(request(z->origin(), std::nullopt), z);
  const auto ms = drain(w);
  ASSERT_EQ(ms.size(), 2U);
  EXPECT_EQ(ms[0].answer.size(), wire::max_records_per_section);
  expect_full_round_trip(z, default_budget);
}

TEST(XfrRoundTrip, RecordLargerThanTheBudgetIsAnError) {
  auto z = compile_text(std::string(v1) + "big TXT \"" + std::string(500, 'x') + "\"\n");
  ASSERT_TRUE(z);
  auto w = writer::full(request(z->origin(), std::nullopt), z, 300);
  wire::message m;
  bool failed = false;
  for (int i = 0; i < 100 && !failed; ++i) {
    auto more = w.next(m);
    if (!more.ok()) {
      failed = true;
      EXPECT_NE(more.err().message.find("big.z. TXT"), std::string::npos) << more.err().message;
    } else if (!*more) {
      break;
    }
  }
  EXPECT_TRUE(failed);
  auto after = w.next(m);  // the stream stays over
  EXPECT_TRUE(!after.ok() || !*after);
}

TEST(XfrRoundTrip, Incremental) {
  auto a = compile_text(std::string(v1));
  auto b = compile_text(std::string(v2));
  auto c = compile_text(std::string(v3));
  ASSERT_TRUE(a && b && c);
  const std::vector<record::changeset> changes{zone::diff(*a, *b), zone::diff(*b, *c)};
  for (std::size_t budget : {default_budget, std::size_t{120}}) {
    SCOPED_TRACE(budget);
    const auto req = request(c->origin(), 1);
    auto w = writer::incremental(req, c, changes, budget);
    const auto ms = drain(w, budget);
    ASSERT_FALSE(ms.empty());
    if (budget < default_budget) {
      EXPECT_GT(ms.size(), 5U);
    }
    reader r(c->origin(), 1);
    auto done = feed_all(r, ms);
    ASSERT_TRUE(done.ok()) << done.err().message;
    EXPECT_TRUE(*done);
    EXPECT_EQ(r.kind(), transfer_kind::incremental);
    EXPECT_EQ(r.serial(), 3U);
    const auto got = r.take_changesets();
    EXPECT_EQ(got, changes);
    // Replayed on the client's version, they give the server's.
    zone::contents mine = zone::decompile(*a);
    ASSERT_TRUE(zone::apply_changesets(mine, got).ok());
    mine.sort_canonical();
    EXPECT_EQ(mine.records, zone::decompile(*c).records);
  }
}

TEST(XfrRoundTrip, IncrementalSoaOnlyChangeset) {
  auto a = compile_text(std::string(v1));
  std::string same(v1);
  same.replace(same.find("admin 1 "), 8, "admin 2 ");
  auto b = compile_text(same);
  ASSERT_TRUE(a && b);
  const std::vector<record::changeset> changes{zone::diff(*a, *b)};
  auto w = writer::incremental(request(b->origin(), 1), b, changes);
  const auto ms = drain(w);
  ASSERT_EQ(ms.size(), 1U);
  EXPECT_EQ(ms[0].answer.size(), 4U);  // new SOA, old SOA, new SOA, new SOA
  reader r(b->origin(), 1);
  auto done = r.feed(ms[0]);
  ASSERT_TRUE(done.ok()) << done.err().message;
  EXPECT_TRUE(*done);
  EXPECT_EQ(r.kind(), transfer_kind::incremental);
  EXPECT_EQ(r.take_changesets(), changes);
}

TEST(XfrRoundTrip, IncrementalWithABrokenChainIsAnError) {
  auto a = compile_text(std::string(v1));
  auto b = compile_text(std::string(v2));
  auto c = compile_text(std::string(v3));
  ASSERT_TRUE(a && b && c);
  wire::message m;
  {  // a gap: 1 -> 2 missing
    auto w = writer::incremental(request(c->origin(), 1), c, {zone::diff(*b, *c)});
    auto r = w.next(m);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("start at serial 2"), std::string::npos) << r.err().message;
  }
  {  // not up to the zone's serial
    auto w = writer::incremental(request(c->origin(), 1), c, {zone::diff(*a, *b)});
    auto r = w.next(m);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("end at serial 2"), std::string::npos) << r.err().message;
  }
  {  // none at all
    auto w = writer::incremental(request(c->origin(), 1), c, {});
    EXPECT_FALSE(w.next(m).ok());
  }
}

TEST(XfrRoundTrip, UpToDate) {
  auto z = compile_text(std::string(v2));
  ASSERT_TRUE(z);
  for (std::uint32_t have : {2U, 3U}) {  // the same serial, a newer one
    auto w = writer::up_to_date(request(z->origin(), have), z);
    const auto ms = drain(w);
    ASSERT_EQ(ms.size(), 1U);
    ASSERT_EQ(ms[0].answer.size(), 1U);
    EXPECT_EQ(ms[0].answer[0].type, record::rtype::soa);
    EXPECT_EQ(w.records(), 1U);
    reader r(z->origin(), have);
    auto done = r.feed(ms[0]);
    ASSERT_TRUE(done.ok()) << done.err().message;
    EXPECT_TRUE(*done);
    EXPECT_EQ(r.kind(), transfer_kind::up_to_date);
    EXPECT_EQ(r.serial(), 2U);
    // Nothing may follow.
    EXPECT_FALSE(r.feed(ms[0]).ok());
  }
}

TEST(XfrRoundTrip, FullWhenIncrementalWasAsked) {
  // The server may answer an incremental request with the whole zone.
  auto z = compile_text(std::string(v2));
  ASSERT_TRUE(z);
  auto w = writer::full(request(z->origin(), 1), z);
  const auto ms = drain(w);
  reader r(z->origin(), 1);
  auto done = feed_all(r, ms);
  ASSERT_TRUE(done.ok()) << done.err().message;
  EXPECT_TRUE(*done);
  EXPECT_EQ(r.kind(), transfer_kind::full);
  EXPECT_EQ(r.take_contents().records, zone::decompile(*z).records);
}

TEST(XfrRequest, RequestedSerial) {
  const auto zone = n("z.");
  auto none = requested_serial(request(zone, std::nullopt));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto some = requested_serial(request(zone, 77));
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, std::optional<std::uint32_t>(77));

  auto two = request(zone, 77);
  two.authority.push_back(two.authority.front());
  EXPECT_FALSE(requested_serial(two).ok());
  auto other = request(zone, std::nullopt);
  other.authority.push_back(txt_rr("z.", "x"));
  EXPECT_FALSE(requested_serial(other).ok());
  auto elsewhere = request(zone, std::nullopt);
  elsewhere.authority.push_back(soa_rr("y.", 5));
  EXPECT_FALSE(requested_serial(elsewhere).ok());
  auto garbage = request(zone, std::nullopt);
  garbage.authority.push_back(record::rr{zone, record::rtype::soa, 60, "\xff\xff"});
  EXPECT_FALSE(requested_serial(garbage).ok());
}

}  // namespace
}  // namespace cidns::xfr
