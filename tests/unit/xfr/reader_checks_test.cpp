// xfr::reader's checks, one malformed stream each: the error says what is wrong and the
// reader stays failed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "xfr_test_util.hpp"

namespace cidns::xfr {
namespace {

using namespace testing;

wire::message reply(std::vector<record::rr> answer) {
  wire::message m;
  m.id = 4242;
  m.opcode = wire::opcode::xfr;
  m.flags = wire::flag::qr | wire::flag::aa;
  m.question = wire::question{n("z."), record::rtype::soa};
  m.answer = std::move(answer);
  return m;
}

// The error of feeding `ms` to a reader of z. (have: incremental from it); "" when none.
std::string error_of(const std::vector<wire::message>& ms,
                     std::optional<std::uint32_t> have = std::nullopt, reader_limits limits = {}) {
  reader r(n("z."), have, limits);
  for (const auto& m : ms) {
    auto res = r.feed(m);
    if (!res.ok()) {
      EXPECT_FALSE(r.complete());
      EXPECT_FALSE(r.feed(ms.back()).ok());  // failed for good
      return res.err().message;
    }
  }
  return "";
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

const std::vector<record::rr> whole = {soa_rr("z.", 5), txt_rr("a.z.", "x"), soa_rr("z.", 5)};

TEST(XfrReader, AWellFormedFullTransfer) {
  reader r(n("z."), std::nullopt);
  auto first = r.feed(reply({soa_rr("z.", 5), txt_rr("a.z.", "x")}));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(*first);
  EXPECT_EQ(r.serial(), 5U);
  auto last = r.feed(reply({txt_rr("b.z.", "y"), soa_rr("z.", 5)}));
  ASSERT_TRUE(last.ok()) << last.err().message;
  EXPECT_TRUE(*last);
  EXPECT_EQ(r.take_contents().records.size(), 3U);
  EXPECT_EQ(error_of({reply(whole)}), "");
}

TEST(XfrReader, NotAReply) {
  auto m = reply(whole);
  m.flags = wire::flag::aa;
  EXPECT_TRUE(contains(error_of({m}), "QR")) << error_of({m});
}

TEST(XfrReader, WrongOpcode) {
  auto m = reply(whole);
  m.opcode = wire::opcode::query;
  EXPECT_TRUE(contains(error_of({m}), "opcode QUERY")) << error_of({m});
}

TEST(XfrReader, WrongQuestion) {
  auto other_zone = reply(whole);
  other_zone.question->name = n("y.");
  EXPECT_TRUE(contains(error_of({other_zone}), "for y. SOA, not z. SOA")) << error_of({other_zone});
  auto other_type = reply(whole);
  other_type.question->type = record::rtype::txt;
  EXPECT_TRUE(contains(error_of({other_type}), "z. TXT")) << error_of({other_type});
  auto none = reply(whole);
  none.question.reset();
  EXPECT_TRUE(contains(error_of({none}), "no question")) << error_of({none});
}

TEST(XfrReader, ServerError) {
  wire::message m = reply({});
  m.rcode = wire::rcode::refused;
  m.error = wire::extended_error{18, "not allowed to transfer z."};
  reader r(n("z."), std::nullopt);
  auto res = r.feed(m);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.err().message, "the server answered REFUSED: not allowed to transfer z.");
  ASSERT_TRUE(r.server_rcode().has_value());
  EXPECT_EQ(*r.server_rcode(), wire::rcode::refused);
  // A well-formed stream has none.
  reader fine(n("z."), std::nullopt);
  ASSERT_TRUE(fine.feed(reply(whole)).ok());
  EXPECT_FALSE(fine.server_rcode().has_value());
}

TEST(XfrReader, EmptyMessage) {
  EXPECT_TRUE(contains(error_of({reply({})}), "without records"));
  EXPECT_TRUE(contains(error_of({reply({soa_rr("z.", 5)}), reply({})}), "without records"));
}

TEST(XfrReader, RecordsOutsideTheAnswer) {
  auto m = reply(whole);
  m.additional.push_back(txt_rr("a.z.", "x"));
  EXPECT_TRUE(contains(error_of({m}), "outside its answer")) << error_of({m});
}

TEST(XfrReader, FirstRecordNotAnSoa) {
  const auto e = error_of({reply({txt_rr("z.", "x"), soa_rr("z.", 5)})});
  EXPECT_TRUE(contains(e, "starts with z. TXT")) << e;
}

TEST(XfrReader, FirstSoaNotAtTheApex) {
  const auto e = error_of({reply({soa_rr("a.z.", 5), soa_rr("a.z.", 5)})});
  EXPECT_TRUE(contains(e, "starts with a.z. SOA")) << e;
}

TEST(XfrReader, FirstSoaDoesNotDecode) {
  const auto e = error_of({reply({record::rr{n("z."), record::rtype::soa, 60, "\xff"}})});
  EXPECT_TRUE(contains(e, "does not decode")) << e;
}

TEST(XfrReader, OwnerOutsideTheZone) {
  const auto e = error_of({reply({soa_rr("z.", 5), txt_rr("a.y.", "x"), soa_rr("z.", 5)})});
  EXPECT_TRUE(contains(e, "a.y. TXT is outside the zone z.")) << e;
  // "az." is not below "z.".
  EXPECT_TRUE(contains(error_of({reply({soa_rr("z.", 5), txt_rr("az.", "x")})}), "outside"));
}

TEST(XfrReader, RecordAfterTheEnd) {
  const auto e = error_of({reply({soa_rr("z.", 5), soa_rr("z.", 5), txt_rr("a.z.", "x")})});
  EXPECT_TRUE(contains(e, "after the transfer's closing SOA")) << e;
  const auto m = error_of({reply(whole), reply({txt_rr("a.z.", "x")})});
  EXPECT_TRUE(contains(m, "a message after the transfer's end")) << m;
}

TEST(XfrReader, FullTransferWithADifferentApexSoa) {
  // A second apex SOA is the end, and must be the first byte for byte (here: its TTL).
  const auto e = error_of({reply({soa_rr("z.", 5), txt_rr("a.z.", "x"), soa_rr("z.", 5, 60)})});
  EXPECT_TRUE(contains(e, "differs from its first")) << e;
  const auto s = error_of({reply({soa_rr("z.", 5), txt_rr("a.z.", "x"), soa_rr("z.", 6)})});
  EXPECT_TRUE(contains(s, "differs from its first")) << s;
}

TEST(XfrReader, IncompleteStreamIsNotComplete) {
  reader r(n("z."), std::nullopt);
  auto res = r.feed(reply({soa_rr("z.", 5), txt_rr("a.z.", "x")}));
  ASSERT_TRUE(res.ok());
  EXPECT_FALSE(*res);
  EXPECT_FALSE(r.complete());
}

TEST(XfrReader, Limits) {
  reader_limits small;
  small.max_records = 3;
  EXPECT_EQ(error_of({reply(whole)}, std::nullopt, small), "");
  const auto e = error_of(
      {reply({soa_rr("z.", 5), txt_rr("a.z.", "x"), txt_rr("b.z.", "x"), soa_rr("z.", 5)})},
      std::nullopt, small);
  EXPECT_TRUE(contains(e, "more than 3 records")) << e;
}

// Incremental: SOA 7, [SOA 5, removed..., SOA 6, added...], [SOA 6, ..., SOA 7, ...], SOA 7.
TEST(XfrReader, AWellFormedIncrementalTransfer) {
  reader r(n("z."), 5);
  auto res = r.feed(reply({soa_rr("z.", 7), soa_rr("z.", 5), txt_rr("a.z.", "old"), soa_rr("z.", 6),
                           txt_rr("a.z.", "new")}));
  ASSERT_TRUE(res.ok()) << res.err().message;
  EXPECT_FALSE(*res);
  EXPECT_EQ(r.kind(), transfer_kind::incremental);
  res = r.feed(reply({soa_rr("z.", 6), soa_rr("z.", 7), txt_rr("b.z.", "b"), soa_rr("z.", 7)}));
  ASSERT_TRUE(res.ok()) << res.err().message;
  EXPECT_TRUE(*res);
  const auto cs = r.take_changesets();
  ASSERT_EQ(cs.size(), 2U);
  EXPECT_EQ(cs[0].from, 5U);
  EXPECT_EQ(cs[0].to, 6U);
  EXPECT_EQ(cs[0].removed, (std::vector<record::rr>{soa_rr("z.", 5), txt_rr("a.z.", "old")}));
  EXPECT_EQ(cs[0].added, (std::vector<record::rr>{soa_rr("z.", 6), txt_rr("a.z.", "new")}));
  EXPECT_EQ(cs[1].from, 6U);
  EXPECT_EQ(cs[1].to, 7U);
  EXPECT_EQ(cs[1].removed, (std::vector<record::rr>{soa_rr("z.", 6)}));
  EXPECT_EQ(cs[1].added, (std::vector<record::rr>{soa_rr("z.", 7), txt_rr("b.z.", "b")}));
}

TEST(XfrReader, IncrementalChainBroken) {
  // The second changeset starts at 9, the first ended at 6.
  const auto e = error_of({reply({soa_rr("z.", 7), soa_rr("z.", 5), soa_rr("z.", 6),
                                  soa_rr("z.", 9), soa_rr("z.", 7), soa_rr("z.", 7)})},
                          5);
  EXPECT_TRUE(contains(e, "starts at serial 9, the last one ended at 6")) << e;
}

TEST(XfrReader, IncrementalEndsAtAnotherSerial) {
  // The last changeset ends at 6 and the closing SOA says 7: 7 cannot start a changeset.
  const auto e =
      error_of({reply({soa_rr("z.", 7), soa_rr("z.", 5), soa_rr("z.", 6), soa_rr("z.", 7)})}, 5);
  EXPECT_TRUE(contains(e, "starts at serial 7, the last one ended at 6")) << e;
}

TEST(XfrReader, IncrementalClosingSoaDiffers) {
  const auto e = error_of(
      {reply({soa_rr("z.", 7), soa_rr("z.", 5), soa_rr("z.", 7), soa_rr("z.", 7, 60)})}, 5);
  EXPECT_TRUE(contains(e, "closing SOA differs")) << e;
}

TEST(XfrReader, IncrementalSoaThatDoesNotDecode) {
  const auto e = error_of({reply({soa_rr("z.", 7), soa_rr("z.", 5),
                                  record::rr{n("z."), record::rtype::soa, 60, "\xff"}})},
                          5);
  EXPECT_TRUE(contains(e, "does not decode")) << e;
}

TEST(XfrReader, SecondRecordDecidesTheKind) {
  // Asked from 5, but the second record is not SOA 5: a full transfer.
  reader r(n("z."), 5);
  auto res = r.feed(reply({soa_rr("z.", 7), txt_rr("a.z.", "x"), soa_rr("z.", 7)}));
  ASSERT_TRUE(res.ok()) << res.err().message;
  EXPECT_TRUE(*res);
  EXPECT_EQ(r.kind(), transfer_kind::full);
  // A lone SOA newer than the client's is the start of a transfer, not "up to date".
  reader later(n("z."), 5);
  res = later.feed(reply({soa_rr("z.", 7)}));
  ASSERT_TRUE(res.ok());
  EXPECT_FALSE(*res);
  res = later.feed(reply({soa_rr("z.", 5), soa_rr("z.", 7), soa_rr("z.", 7)}));
  ASSERT_TRUE(res.ok()) << res.err().message;
  EXPECT_TRUE(*res);
  EXPECT_EQ(later.kind(), transfer_kind::incremental);
}

}  // namespace
}  // namespace cidns::xfr
