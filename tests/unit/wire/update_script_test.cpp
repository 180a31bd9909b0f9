// cidns-admin update's command language (server/admin/update_script.cpp): each command to
// its prerequisite or change, names relative to the zone, data through the presentation
// parser, send splitting messages, and the "line N: ..." errors.
#include <gtest/gtest.h>

#include <string>

#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "test_util.hpp"
#include "update_script.hpp"

namespace cidns::admin {
namespace {

using record::rtype;
using wire::change_kind;
using wire::prerequisite_kind;
using wire::test::id;

const name::identifier zone = id("provx.cn-north.");

std::vector<wire::message> parse_ok(std::string_view text) {
  auto r = parse_update_script(text, zone);
  EXPECT_TRUE(r.ok()) << r.err().message;
  return r.ok() ? std::move(*r) : std::vector<wire::message>{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_update_script(text, zone);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.err().message;
}

// What the presentation parser makes of "TYPE DATA" (the script must use the same).
std::string data_of(rtype type, std::string_view text) {
  auto t = record::tokenize_line(text);
  return record::parse_data(type, t.value(), zone).value();
}

record::rr rec(std::string_view owner, rtype type = rtype::none, std::uint32_t ttl = 0,
               std::string data = {}) {
  return wire::test::make_rr(owner, type, ttl, std::move(data));
}

TEST(UpdateScript, EveryCommand) {
  auto msgs = parse_ok(
      "# a comment\n"
      "\n"
      "require exists gpu1\n"
      "require exists gpu1 STATE\n"
      "require exists gpu1 STATE free=3 score=8\n"
      "require absent new\n"
      "require absent new.provx.cn-north. CNAME\n"
      "   # an indented comment\n"
      "add gpu1 1m STATE free=2 score=7\n"
      "del gpu1 STATE free=3 score=8\n"
      "delete gpu1 EP\n"
      "del old.other.\n");
  ASSERT_EQ(msgs.size(), 1U);
  const auto& m = msgs[0];
  EXPECT_EQ(m.opcode, wire::opcode::update);
  EXPECT_EQ(m.id, 0U);
  EXPECT_FALSE(m.auth);
  ASSERT_TRUE(m.question);
  EXPECT_EQ(m.question->name, zone);
  EXPECT_EQ(m.question->type, rtype::soa);
  const std::string gpu1 = "gpu1.provx.cn-north.";
  const std::string old_state = data_of(rtype::state, "free=3 score=8");
  const std::vector<wire::prerequisite> prereqs = {
      {prerequisite_kind::name_in_use, rec(gpu1)},
      {prerequisite_kind::rrset_exists, rec(gpu1, rtype::state)},
      {prerequisite_kind::rrset_equals, rec(gpu1, rtype::state, 0, old_state)},
      {prerequisite_kind::name_absent, rec("new.provx.cn-north.")},
      {prerequisite_kind::rrset_absent, rec("new.provx.cn-north.", rtype::cname)},
  };
  EXPECT_EQ(m.prerequisites, prereqs);
  const std::vector<wire::change> changes = {
      {change_kind::add, rec(gpu1, rtype::state, 60, data_of(rtype::state, "free=2 score=7"))},
      {change_kind::delete_record, rec(gpu1, rtype::state, 0, old_state)},
      {change_kind::delete_rrset, rec(gpu1, rtype::ep)},
      {change_kind::delete_name, rec("old.other.")},
  };
  EXPECT_EQ(m.changes, changes);
  // What it makes is what the decoder takes.
  auto again = wire::decode(wire::encode(m));
  ASSERT_TRUE(again.ok()) << again.err().message;
  EXPECT_EQ(*again, m);
}

TEST(UpdateScript, NamesAndDataRelativeToTheZone) {
  auto msgs = parse_ok("add @ 300 NS ns2\nadd web 300 CNAME gpu1\nadd X.Y. 300 CNAME gpu1.z.");
  ASSERT_EQ(msgs.size(), 1U);
  const auto& c = msgs[0].changes;
  ASSERT_EQ(c.size(), 3U);
  EXPECT_EQ(c[0].record.owner, zone);
  EXPECT_EQ(c[0].record.data, data_of(rtype::ns, "ns2.provx.cn-north."));
  EXPECT_EQ(c[1].record.owner.text(), "web.provx.cn-north.");
  EXPECT_EQ(c[1].record.data, data_of(rtype::cname, "gpu1.provx.cn-north."));
  EXPECT_EQ(c[2].record.owner.text(), "x.y.");
  EXPECT_EQ(c[2].record.data, data_of(rtype::cname, "gpu1.z."));
}

TEST(UpdateScript, QuotedDataAndGenericForm) {
  auto msgs = parse_ok("add info 1h TXT \"two words\" second\nadd odd 5 TYPE4000 \\# 2 abcd\n");
  ASSERT_EQ(msgs.size(), 1U);
  const auto& c = msgs[0].changes;
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].record.ttl, 3600U);
  EXPECT_EQ(c[0].record.data, data_of(rtype::txt, "\"two words\" second"));
  EXPECT_EQ(c[1].record.type, static_cast<rtype>(4000));
  EXPECT_EQ(c[1].record.data, std::string("\xab\xcd", 2));
}

TEST(UpdateScript, SendSplitsMessages) {
  auto msgs = parse_ok("send\nadd a 60 TXT one\nsend\nsend\nrequire absent b\ndel b\n");
  ASSERT_EQ(msgs.size(), 2U);  // an empty send makes no message
  EXPECT_EQ(msgs[0].changes.size(), 1U);
  EXPECT_TRUE(msgs[0].prerequisites.empty());
  EXPECT_EQ(msgs[1].prerequisites.size(), 1U);
  EXPECT_EQ(msgs[1].changes.size(), 1U);
  EXPECT_TRUE(parse_ok("# nothing\n\n").empty());
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_EQ(parse_ok("del a\r\nsend\r\n").size(), 1U);  // CRLF lines
}

TEST(UpdateScript, Errors) {
  EXPECT_EQ(parse_error("del a\nfrobnicate x\n"),
            "line 2: unknown command 'frobnicate' (expected add, del, require or send)");
  EXPECT_EQ(parse_error("add a 60"), "line 1: usage: add NAME TTL TYPE DATA");
  EXPECT_NE(parse_error("add a sixty TXT x").find("line 1: invalid TTL 'sixty'"),
            std::string::npos);
  EXPECT_EQ(parse_error("\n\nadd a 60 BOGUS x"), "line 3: unknown record type 'BOGUS'");
  EXPECT_EQ(parse_error("del a RESOURCE"), "line 1: RESOURCE is not a record type");
  EXPECT_NE(parse_error("add a..b 60 TXT x").find("line 1: invalid name 'a..b'"),
            std::string::npos);
  EXPECT_NE(parse_error("add a 60 STATE free=lots").find("line 1: STATE"), std::string::npos);
  EXPECT_NE(parse_error("add a 60 TXT \"open").find("line 1: "), std::string::npos);
  EXPECT_EQ(parse_error("del"), "line 1: usage: del NAME [TYPE [DATA]]");
  EXPECT_NE(parse_error("require present a").find("line 1: usage: require exists"),
            std::string::npos);
  EXPECT_EQ(parse_error("require exists"), "line 1: usage: require exists NAME [TYPE ...]");
  EXPECT_EQ(parse_error("require absent a TXT x"), "line 1: require absent takes no data");
  EXPECT_EQ(parse_error("send now"), "line 1: send takes no arguments");
  auto r = parse_update_script("\nbogus", zone);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().line, 2U);
}

TEST(UpdateScript, Limits) {
  std::string script;
  for (std::size_t i = 0; i < wire::max_records_per_section; ++i) script += "del a\n";
  EXPECT_EQ(parse_ok(script).size(), 1U);
  EXPECT_EQ(parse_ok(script + "send\n" + script).size(), 2U);
  EXPECT_EQ(parse_error(script + "del a\n"),
            "line 1025: more than 1024 changes in one message (send sooner)");
  std::string prereqs;
  for (std::size_t i = 0; i <= wire::max_records_per_section; ++i) prereqs += "require absent a\n";
  EXPECT_NE(parse_error(prereqs).find("more than 1024 prerequisites"), std::string::npos);
  // 1024 large TXT records do not fit in 65,535 bytes.
  std::string big;
  const std::string text(200, 'x');
  for (int i = 0; i < 400; ++i) big += "add a 60 TXT " + text + "\n";
  EXPECT_NE(parse_error(big).find("at most 65535 allowed"), std::string::npos);
}

}  // namespace
}  // namespace cidns::admin
