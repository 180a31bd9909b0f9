// Message interop: our codec against libprotobuf (generated from cidns.proto),
// both ways, and both byte for byte against the golden files.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"
#include "interop_util.hpp"

namespace cidns::interop {
namespace {

using record::rtype;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

record::rr rr(std::string_view owner, rtype type, std::uint32_t ttl, std::string data) {
  return record::rr{id(owner), type, ttl, std::move(data)};
}

// Our side of the cases in cases.hpp (record data bytes come from libprotobuf:
// they are opaque to the transport).
wire::message our_query() {
  wire::message m;
  m.id = 0x12345678;
  m.flags = wire::flag::rd | wire::flag::do_;
  m.question = wire::question{id("h100-8x.pool1.provx.cn-north."), rtype::resource};
  m.max_size = 1232;
  m.cookie = bytes_of(8, 0xc0);
  return m;
}

wire::message our_reply() {
  wire::message m;
  m.id = 0xfedcba98;
  m.flags = wire::flag::qr | wire::flag::aa | wire::flag::rd | wire::flag::do_;
  m.question = wire::question{id("h100-8x.pool1.provx.cn-north."), rtype::resource};
  const std::string owner = "h100-8x.pool1.provx.cn-north.";
  m.answer.push_back(rr(owner, rtype::desc, 86400, serialize(pb_desc())));
  m.answer.push_back(rr(owner, rtype::state, 30, serialize(pb_state())));
  m.answer.push_back(rr(owner, rtype::ep, 3600, serialize(pb_ep())));
  m.answer.push_back(rr(owner, rtype::sig, 86400, serialize(pb_sig())));
  m.authority.push_back(rr("provx.cn-north.", rtype::ns, 3600, serialize(pb_ns())));
  m.additional.push_back(rr("ns1.provx.cn-north.", rtype::addr, 3600, serialize(pb_addr())));
  m.additional.push_back(
      rr("x.provx.cn-north.", static_cast<rtype>(4000), 0, std::string("\xff\x00opaque", 8)));
  m.max_size = 4096;
  m.cookie = bytes_of(24, 0xc0);
  return m;
}

wire::message our_full() {
  wire::message m;
  m.id = 0xffffffff;
  m.opcode = wire::opcode::update;
  m.flags = 0xffffffff;
  m.rcode = wire::rcode::badcookie;
  m.question = wire::question{id("provx.cn-north."), rtype::soa};
  m.answer.push_back(rr(".", rtype::key, 2147483647, serialize(pb_key())));
  m.authority.push_back(rr("child.provx.cn-north.", rtype::ds, 1, serialize(pb_ds())));
  m.additional.push_back(rr("*.spot.provx.cn-north.", rtype::nsec, 300, serialize(pb_nsec())));
  m.max_size = 65535;
  m.cookie = bytes_of(40, 0x01);
  m.selector =
      "kind=gpu accel.count>=8 region=cn-north* frameworks~pytorch price<=3CNY "
      "order=price limit=10 site=\"北京\"";
  m.auth = wire::auth{"update-key.provx.cn-north.", 1795600800, 300, bytes_of(32, 0x80)};
  m.error = wire::extended_error{static_cast<std::uint32_t>(wire::error_code::ds_digest_mismatch),
                                 "DS digest mismatch"};
  return m;
}

wire::message our_update() {
  wire::message m;
  m.id = 0x0badcafe;
  m.opcode = wire::opcode::update;
  m.question = wire::question{id("provx.cn-north."), rtype::soa};
  const std::string gpu = "h100-8x.pool1.provx.cn-north.";
  using pk = wire::prerequisite_kind;
  using ck = wire::change_kind;
  m.prerequisites = {
      {pk::rrset_exists, rr(gpu, rtype::desc, 0, {})},
      {pk::rrset_equals, rr(gpu, rtype::state, 0, serialize(pb_state()))},
      {pk::rrset_absent, rr(gpu, rtype::cname, 0, {})},
      {pk::name_in_use, rr("provx.cn-north.", rtype::none, 0, {})},
      {pk::name_absent, rr("new.provx.cn-north.", rtype::none, 0, {})},
  };
  m.changes = {
      {ck::add, rr(gpu, rtype::ep, 3600, serialize(pb_ep()))},
      {ck::delete_record, rr(gpu, rtype::state, 0, serialize(pb_state()))},
      {ck::delete_rrset, rr(gpu, static_cast<rtype>(4000), 0, {})},
      {ck::delete_name, rr("old.provx.cn-north.", rtype::none, 0, {})},
  };
  m.auth = wire::auth{"update-key.provx.cn-north.", 1795600800, 300, bytes_of(32, 0x80)};
  return m;
}

wire::message our_update_reply() {
  wire::message m;
  m.id = 0x0badcafe;
  m.opcode = wire::opcode::update;
  m.flags = wire::flag::qr | wire::flag::aa;
  m.rcode = wire::rcode::nxrrset;
  m.question = wire::question{id("provx.cn-north."), rtype::soa};
  m.answer.push_back(rr("provx.cn-north.", rtype::soa, 3600, serialize(pb_soa())));
  m.auth = wire::auth{"update-key.provx.cn-north.", 1795600801, 300, bytes_of(32, 0x90)};
  m.error =
      wire::extended_error{0, "prerequisite 2 failed: h100-8x.pool1.provx.cn-north. STATE differs"};
  return m;
}

void expect_records_equal(const google::protobuf::RepeatedPtrField<pb::Record>& theirs,
                          const std::vector<record::rr>& ours) {
  ASSERT_EQ(static_cast<std::size_t>(theirs.size()), ours.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto& t = theirs[static_cast<int>(i)];
    EXPECT_EQ(t.name(), ours[i].owner.text()) << i;
    EXPECT_EQ(static_cast<int>(t.type()), static_cast<int>(ours[i].type)) << i;
    EXPECT_EQ(t.ttl(), ours[i].ttl) << i;
    EXPECT_EQ(t.data(), ours[i].data) << i;
  }
}

void expect_record_equal(const pb::Record& t, const record::rr& o) {
  EXPECT_EQ(t.name(), o.owner.text());
  EXPECT_EQ(static_cast<int>(t.type()), static_cast<int>(o.type));
  EXPECT_EQ(t.ttl(), o.ttl);
  EXPECT_EQ(t.data(), o.data);
}

template <typename Theirs, typename Ours>
void expect_entries_equal(const google::protobuf::RepeatedPtrField<Theirs>& theirs,
                          const std::vector<Ours>& ours) {
  ASSERT_EQ(static_cast<std::size_t>(theirs.size()), ours.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto& t = theirs[static_cast<int>(i)];
    SCOPED_TRACE(i);
    EXPECT_EQ(static_cast<int>(t.kind()), static_cast<int>(ours[i].kind));
    ASSERT_TRUE(t.has_record());
    expect_record_equal(t.record(), ours[i].record);
  }
}

// Field by field.
void expect_equal(const pb::Message& t, const wire::message& o) {
  EXPECT_EQ(t.id(), o.id);
  EXPECT_EQ(static_cast<int>(t.opcode()), static_cast<int>(o.opcode));
  EXPECT_EQ(t.flags(), o.flags);
  EXPECT_EQ(static_cast<int>(t.rcode()), static_cast<int>(o.rcode));
  ASSERT_EQ(t.has_question(), o.question.has_value());
  if (o.question) {
    EXPECT_EQ(t.question().name(), o.question->name.text());
    EXPECT_EQ(static_cast<int>(t.question().type()), static_cast<int>(o.question->type));
  }
  expect_records_equal(t.answer(), o.answer);
  expect_records_equal(t.authority(), o.authority);
  expect_records_equal(t.additional(), o.additional);
  EXPECT_EQ(t.max_size(), o.max_size);
  EXPECT_EQ(t.cookie(), o.cookie);
  EXPECT_EQ(t.selector(), o.selector);
  ASSERT_EQ(t.has_auth(), o.auth.has_value());
  if (o.auth) {
    EXPECT_EQ(t.auth().key(), o.auth->key);
    EXPECT_EQ(t.auth().time(), o.auth->time);
    EXPECT_EQ(t.auth().fudge(), o.auth->fudge);
    EXPECT_EQ(t.auth().mac(), o.auth->mac);
  }
  ASSERT_EQ(t.has_error(), o.error.has_value());
  if (o.error) {
    EXPECT_EQ(static_cast<std::uint32_t>(t.error().code()), o.error->code);
    EXPECT_EQ(t.error().text(), o.error->text);
  }
  EXPECT_EQ(t.deadline(), o.deadline);
  expect_entries_equal(t.prerequisites(), o.prerequisites);
  expect_entries_equal(t.changes(), o.changes);
}

struct message_case {
  const char* golden;
  pb::Message (*theirs)();
  wire::message (*ours)();
};

class MessageInterop : public ::testing::TestWithParam<message_case> {};

TEST_P(MessageInterop, GoldenBytes) {
  const auto& c = GetParam();
  std::string gold = golden(c.golden);
  EXPECT_EQ(hex(serialize(c.theirs())), hex(gold))
      << "libprotobuf no longer writes the golden bytes";
  EXPECT_EQ(hex(wire::encode(c.ours())), hex(gold)) << "our encoder differs from libprotobuf";
}

TEST_P(MessageInterop, OursParsedByLibprotobuf) {
  const auto& c = GetParam();
  wire::message ours = c.ours();
  pb::Message theirs;
  ASSERT_TRUE(theirs.ParseFromString(wire::encode(ours)));
  expect_equal(theirs, ours);
}

TEST_P(MessageInterop, TheirsDecodedByUs) {
  const auto& c = GetParam();
  pb::Message theirs = c.theirs();
  auto ours = wire::decode(serialize(theirs));
  ASSERT_TRUE(ours.ok()) << ours.err().message;
  expect_equal(theirs, *ours);
  EXPECT_EQ(*ours, c.ours());
}

INSTANTIATE_TEST_SUITE_P(Cases, MessageInterop,
                         ::testing::Values(message_case{"message_query", pb_query, our_query},
                                           message_case{"message_reply", pb_reply, our_reply},
                                           message_case{"message_full", pb_full, our_full},
                                           message_case{"message_update", pb_update, our_update},
                                           message_case{"message_update_reply", pb_update_reply,
                                                        our_update_reply}));

TEST(MessageInterop, ReplyBuilderOutputParsedByLibprotobuf) {
  wire::message m = our_reply();
  wire::reply_builder b;
  b.start(m.id, m.opcode, m.flags, m.rcode);
  b.set_question(m.question->name.text(), m.question->type);
  for (const auto& r : m.answer) b.add(wire::section::answer, r);
  for (const auto& r : m.authority) b.add(wire::section::authority, r);
  for (const auto& r : m.additional) b.add(wire::section::additional, r);
  b.set_max_size(m.max_size);
  b.set_cookie(m.cookie);
  EXPECT_EQ(hex(b.finish()), hex(golden("message_reply")));
  // Truncated: still a valid message for libprotobuf, TC set, a prefix of the answer.
  std::string cut(b.finish(512));
  pb::Message theirs;
  ASSERT_TRUE(theirs.ParseFromString(cut));
  EXPECT_TRUE((theirs.flags() & pb::FLAG_TC) != 0);
  EXPECT_LT(theirs.answer_size(), 4);
  EXPECT_LE(cut.size(), 512U);
}

TEST(MessageInterop, SignedData) {
  std::vector<record::rr> records = {
      rr("h100-8x.pool1.provx.cn-north.", rtype::desc, 3600, serialize(pb_desc()))};
  std::string ours;
  wire::encode_signed_data(serialize(pb_sig(false)), records, ours);
  EXPECT_EQ(hex(ours), hex(golden("signed_data")));
  EXPECT_EQ(hex(serialize(pb_signed_data())), hex(golden("signed_data")));
}

TEST(MessageInterop, UnknownFieldsFromNewerPeersAreSkipped) {
  pb::Message theirs = pb_query();
  // A field this version does not know, as a newer schema might add.
  theirs.GetReflection()->MutableUnknownFields(&theirs)->AddVarint(20, 5);
  theirs.GetReflection()->MutableUnknownFields(&theirs)->AddLengthDelimited(21, "new");
  auto ours = wire::decode(serialize(theirs));
  ASSERT_TRUE(ours.ok()) << ours.err().message;
  EXPECT_EQ(*ours, our_query());
}

}  // namespace
}  // namespace cidns::interop
