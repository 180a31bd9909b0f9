// UPDATE codec tests (Message fields 15 and 16, Prerequisite, Change): golden bytes, round
// trips of every kind, the type-0 rules, what each kind's record may carry, the limits,
// truncation, and the rcode names of the UPDATE failures.
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "cidns/wire/message.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

using record::rtype;
using test::hex;
using test::unhex;

// UPDATE: id 0x01020304, question {z. SOA}, prerequisite name_absent a.z., changes
// add {a.z. 300 TXT Txt{"x"}} and delete_name a.z.
//   0d 04030201                 id
//   10 03                       opcode UPDATE
//   2a 06 0a027a2e 1001         question {z. SOA}
//   7a 0a                       field 15 (prerequisites), 10 bytes:
//     08 04                       kind NAME_ABSENT
//     12 06 0a04612e7a2e          record {name a.z.} (type 0, left out)
//   8201 12                     field 16 (changes; two-byte key), 18 bytes:
//     12 10                       record (kind ADD = 0, left out):
//       0a04612e7a2e 1005 18ac02    name a.z., type TXT, ttl 300
//       2203 0a0178                 data Txt{"x"}
//   8201 0a                     field 16, 10 bytes:
//     08 03 12 06 0a04612e7a2e    kind DELETE_NAME, record {name a.z.}
constexpr std::string_view golden_update =
    "0d04030201 1003 2a06 0a027a2e 1001"
    " 7a0a 0804 1206 0a04612e7a2e"
    " 820112 1210 0a04612e7a2e 1005 18ac02 2203 0a0178"
    " 82010a 0803 1206 0a04612e7a2e";

record::rr rec(std::string_view owner, rtype type = rtype::none, std::uint32_t ttl = 0,
               std::string data = {}) {
  return test::make_rr(owner, type, ttl, std::move(data));
}

message golden_message() {
  message m;
  m.id = 0x01020304;
  m.opcode = opcode::update;
  m.question = question{test::id("z."), rtype::soa};
  m.prerequisites.push_back({prerequisite_kind::name_absent, rec("a.z.")});
  m.changes.push_back({change_kind::add, rec("a.z.", rtype::txt, 300, unhex("0a0178"))});
  m.changes.push_back({change_kind::delete_name, rec("a.z.")});
  return m;
}

// Every kind, each with what it carries.
message every_kind() {
  message m;
  m.id = 77;
  m.opcode = opcode::update;
  m.question = question{test::id("provx.cn-north."), rtype::soa};
  const std::string owner = "gpu1.provx.cn-north.";
  const std::string state = unhex("0803");
  m.prerequisites = {
      {prerequisite_kind::rrset_exists, rec(owner, rtype::desc)},
      {prerequisite_kind::rrset_equals, rec(owner, rtype::state, 0, state)},
      {prerequisite_kind::rrset_absent, rec(owner, rtype::cname)},
      {prerequisite_kind::name_in_use, rec("provx.cn-north.")},
      {prerequisite_kind::name_absent, rec("new.provx.cn-north.")},
  };
  m.changes = {
      {change_kind::add, rec(owner, rtype::state, 30, unhex("0805"))},
      {change_kind::delete_record, rec(owner, rtype::state, 0, state)},
      {change_kind::delete_rrset, rec(owner, static_cast<rtype>(4000))},
      {change_kind::delete_name, rec("old.provx.cn-north.")},
      {change_kind::add, rec(owner, rtype::state, 0, "")},  // empty data and TTL 0 are values
  };
  return m;
}

std::string error_of(std::string_view bytes) {
  auto r = decode(bytes);
  EXPECT_FALSE(r.ok()) << "decoded: " << hex(bytes);
  return r.ok() ? std::string() : r.err().message;
}

// A message holding one prerequisite (field 15) or change (field 16) with this body.
std::string one_prerequisite(std::string_view body_hex) {
  const std::string body = unhex(body_hex);
  return std::string("\x7a") + static_cast<char>(body.size()) + body;
}
std::string one_change(std::string_view body_hex) {
  const std::string body = unhex(body_hex);
  return std::string("\x82\x01") + static_cast<char>(body.size()) + body;
}

TEST(WireUpdate, GoldenBytes) {
  EXPECT_EQ(hex(encode(golden_message())), hex(unhex(golden_update)));
  auto r = decode(unhex(golden_update));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, golden_message());
}

TEST(WireUpdate, EveryKindRoundTrips) {
  const message m = every_kind();
  const std::string bytes = encode(m);
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, m);
  EXPECT_EQ(encode(*r), bytes);  // deterministic
}

TEST(WireUpdate, EncodedInFieldOrder) {
  message m = golden_message();
  m.deadline = 5;  // field 14 comes before 15 and 16
  const std::string bytes = encode(m);
  const auto deadline = bytes.find(unhex("7005"));
  const auto prereq = bytes.find(unhex("7a0a0804"));
  const auto change = bytes.find(unhex("8201"));
  ASSERT_NE(deadline, std::string::npos);
  EXPECT_LT(deadline, prereq);
  EXPECT_LT(prereq, change);
}

TEST(WireUpdate, DecodeReusesMessageAndClearsUpdateFields) {
  message m = every_kind();
  ASSERT_TRUE(decode(encode(test::sample_reply()), m).ok());
  EXPECT_TRUE(m.prerequisites.empty());
  EXPECT_TRUE(m.changes.empty());
}

TEST(WireUpdate, TypeZeroOnlyForKindsWithoutType) {
  // name_in_use, name_absent, delete_name: type 0 is the only type.
  EXPECT_TRUE(decode(one_prerequisite("0803 1206 0a04612e7a2e")).ok());
  EXPECT_TRUE(decode(one_prerequisite("0804 1206 0a04612e7a2e")).ok());
  EXPECT_TRUE(decode(one_change("0803 1206 0a04612e7a2e")).ok());
  EXPECT_NE(error_of(one_prerequisite("0803 1208 0a04612e7a2e 1006"))
                .find("PREREQ_NAME_IN_USE takes no type (type must be 0, is 6)"),
            std::string::npos);
  EXPECT_NE(error_of(one_prerequisite("0804 1208 0a04612e7a2e 1006")).find("takes no type"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("0803 1208 0a04612e7a2e 1001")).find("CHANGE_DELETE_NAME"),
            std::string::npos);
  // Every other kind needs a type. rrset_exists is kind 0, so its field is left out.
  for (auto body : {"1206 0a04612e7a2e", "0801 1206 0a04612e7a2e", "0802 1206 0a04612e7a2e"}) {
    EXPECT_NE(error_of(one_prerequisite(body)).find("missing type (0)"), std::string::npos) << body;
  }
  for (auto body : {"1206 0a04612e7a2e", "0801 1206 0a04612e7a2e", "0802 1206 0a04612e7a2e"}) {
    EXPECT_NE(error_of(one_change(body)).find("missing type (0)"), std::string::npos) << body;
  }
  // Sections keep refusing type 0.
  EXPECT_NE(error_of(unhex("3206 0a04612e7a2e")).find("missing type (0)"), std::string::npos);
}

TEST(WireUpdate, TypeOutOfRange) {
  EXPECT_NE(error_of(one_change("120a 0a04612e7a2e 10808004")).find("type 65536 out of range"),
            std::string::npos);
}

TEST(WireUpdate, DataAndTtlOnlyWhereTheKindTakesThem) {
  // Empty data is no data (proto3 bytes): accepted everywhere.
  EXPECT_TRUE(decode(one_prerequisite("120a 0a04612e7a2e 1006 2200")).ok());
  EXPECT_NE(error_of(one_prerequisite("120b 0a04612e7a2e 1006 220101")).find("takes no data"),
            std::string::npos);
  EXPECT_NE(error_of(one_prerequisite("0802 120b 0a04612e7a2e 1006 220101"))
                .find("PREREQ_RRSET_ABSENT takes no data"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("0802 120b 0a04612e7a2e 1006 220101"))
                .find("CHANGE_DELETE_RRSET takes no data"),
            std::string::npos);
  // Data where it belongs.
  EXPECT_TRUE(decode(one_prerequisite("0801 120b 0a04612e7a2e 1006 220101")).ok());
  EXPECT_TRUE(decode(one_change("0801 120b 0a04612e7a2e 1006 220101")).ok());
  // TTL: add only.
  EXPECT_TRUE(decode(one_change("120a 0a04612e7a2e 1006 1805")).ok());
  EXPECT_NE(error_of(one_change("0801 120a 0a04612e7a2e 1006 1805"))
                .find("CHANGE_DELETE_RECORD takes no ttl (ttl must be 0, is 5)"),
            std::string::npos);
  EXPECT_NE(error_of(one_prerequisite("0801 120a 0a04612e7a2e 1006 1805")).find("takes no ttl"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("120e 0a04612e7a2e 1006 1880808080 08"))
                .find("ttl 2147483648 out of range"),
            std::string::npos);
}

TEST(WireUpdate, KindAndRecordRequired) {
  EXPECT_NE(error_of(one_prerequisite("0805 1206 0a04612e7a2e")).find("unknown kind 5"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("0804 1206 0a04612e7a2e")).find("unknown kind 4"),
            std::string::npos);
  EXPECT_NE(
      error_of(one_change("08ffffffffffffffffff01 1206 0a04612e7a2e")).find("unknown kind -1"),
      std::string::npos);
  EXPECT_NE(error_of(one_change("0803")).find("CHANGE_DELETE_NAME: missing record"),
            std::string::npos);
  EXPECT_NE(error_of(one_prerequisite("")).find("missing record"), std::string::npos);
  EXPECT_NE(error_of(one_change("0803 1200")).find("missing name"), std::string::npos);
  EXPECT_NE(error_of(one_change("0803 1205 0a03612e2e")).find("invalid name"), std::string::npos);
}

TEST(WireUpdate, ErrorsNameThePartIndexAndOffset) {
  message m = golden_message();
  std::string ok = encode(m);
  // A second change whose name is missing: "changes record 2", at its own offset.
  std::string bad = ok + one_change("0803 1200");
  auto msg = error_of(bad);
  EXPECT_NE(msg.find(fmt::format("changes record 2 (byte {}): ", ok.size())), std::string::npos)
      << msg;
  msg = error_of(one_prerequisite("0801 1204 0a02612e"));
  EXPECT_NE(msg.find("prerequisites record 0 (byte 0): "), std::string::npos) << msg;
}

TEST(WireUpdate, WrongWireTypes) {
  EXPECT_NE(error_of(unhex("7801")).find("prerequisites"), std::string::npos);
  EXPECT_NE(error_of(unhex("800101")).find("changes"), std::string::npos);
  EXPECT_NE(error_of(one_change("0a00")).find("field 1 (kind) has wire type length-delimited"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("1001")).find("field 2 (record) has wire type varint"),
            std::string::npos);
  EXPECT_NE(error_of(one_change("0803 1202 0801")).find("(name)"), std::string::npos);
}

TEST(WireUpdate, RepeatedFieldsFollowProtobuf) {
  // kind twice: the last wins; record twice: merged (name from the first, type from the second).
  auto r = decode(one_change("0800 0802 1206 0a04612e7a2e 1202 1006"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  ASSERT_EQ(r->changes.size(), 1U);
  EXPECT_EQ(r->changes[0].kind, change_kind::delete_rrset);
  EXPECT_EQ(r->changes[0].record, rec("a.z.", rtype::desc));
  // Unknown fields inside an entry are skipped.
  r = decode(one_prerequisite("0804 1206 0a04612e7a2e 1801 2a00"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->prerequisites[0].kind, prerequisite_kind::name_absent);
  // Names are normalised as in the sections.
  r = decode(one_change("0803 1205 0a03412e5a"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->changes[0].record.owner.text(), "a.z.");
}

TEST(WireUpdate, FieldsAfter16StayUnknown) {
  // Fields 20 (varint), 21 (bytes), 23 (fixed64), 17 (fixed32) at top level are skipped.
  const message m = golden_message();
  auto r = decode(encode(m) + unhex("a00105 aa0103616263 b901 0102030405060708 8d01 01020304"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, m);
}

TEST(WireUpdate, Limits) {
  message m;
  m.opcode = opcode::update;
  for (std::size_t i = 0; i < max_records_per_section; ++i) {
    m.prerequisites.push_back({prerequisite_kind::name_in_use, rec("a.z.")});
    m.changes.push_back({change_kind::delete_name, rec("a.z.")});
  }
  std::string bytes = encode(m);
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->prerequisites.size(), max_records_per_section);
  EXPECT_EQ(r->changes.size(), max_records_per_section);

  auto msg = error_of(bytes + one_prerequisite("0803 1206 0a04612e7a2e"));
  EXPECT_NE(msg.find("prerequisites record 1024"), std::string::npos) << msg;
  EXPECT_NE(msg.find("more than 1024 prerequisites"), std::string::npos) << msg;
  msg = error_of(bytes + one_change("0803 1206 0a04612e7a2e"));
  EXPECT_NE(msg.find("more than 1024 changes"), std::string::npos) << msg;
}

TEST(WireUpdate, TruncatedAtEveryByteNeverCrashes) {
  for (const std::string& bytes : {unhex(golden_update), encode(every_kind())}) {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode(std::string_view(bytes).substr(0, n));
      if (r.ok()) {
        // A prefix ending on a field boundary is a valid smaller message.
        EXPECT_EQ(decode(encode(*r)).value(), *r);
      } else {
        EXPECT_FALSE(r.err().message.empty());
      }
    }
  }
  std::string cut = unhex(golden_update);
  cut.pop_back();
  auto msg = error_of(cut);
  EXPECT_NE(msg.find("changes record 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(WireUpdate, RcodeNames) {
  EXPECT_EQ(rcode_name(rcode::yxdomain), "YXDOMAIN");
  EXPECT_EQ(rcode_name(rcode::yxrrset), "YXRRSET");
  EXPECT_EQ(rcode_name(rcode::nxrrset), "NXRRSET");
  EXPECT_EQ(rcode_name(rcode::notzone), "NOTZONE");
  EXPECT_EQ(rcode_name(static_cast<rcode>(11)), "RCODE11");
  // The new rcodes travel as any rcode.
  message m = golden_message();
  m.rcode = rcode::notzone;
  EXPECT_EQ(decode(encode(m)).value().rcode, rcode::notzone);
}

}  // namespace
}  // namespace cidns::wire
