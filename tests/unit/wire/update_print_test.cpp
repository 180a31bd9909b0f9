// Text and JSON output of UPDATE messages: the PREREQUISITE and CHANGE sections, each
// entry as its kind and the parts of the record the kind uses, and the UPDATE rcode names.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cidns/record/presentation.hpp"
#include "cidns/wire/print.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

using record::rtype;

const std::string txt_x("\x0a\x01x", 3);  // Txt{"x"}

message update() {
  message m;
  m.id = 9;
  m.opcode = opcode::update;
  m.rcode = rcode::nxrrset;
  m.question = question{test::id("z."), rtype::soa};
  m.prerequisites = {
      {prerequisite_kind::rrset_exists, test::make_rr("a.z.", rtype::desc, 0, "")},
      {prerequisite_kind::rrset_equals, test::make_rr("a.z.", rtype::txt, 0, txt_x)},
      {prerequisite_kind::rrset_absent, test::make_rr("a.z.", rtype::cname, 0, "")},
      {prerequisite_kind::name_in_use, test::make_rr("b.z.", rtype::none, 0, "")},
      {prerequisite_kind::name_absent, test::make_rr("c.z.", rtype::none, 0, "")},
  };
  m.changes = {
      {change_kind::add, test::make_rr("a.z.", rtype::txt, 300, txt_x)},
      {change_kind::delete_record, test::make_rr("a.z.", rtype::txt, 0, txt_x)},
      {change_kind::delete_rrset, test::make_rr("a.z.", rtype::ep, 0, "")},
      {change_kind::delete_name, test::make_rr("d.z.", rtype::none, 0, "")},
  };
  return m;
}

TEST(WirePrintUpdate, Text) {
  const std::string text = format_message(update());
  const std::string x = record::format_data(rtype::txt, txt_x);
  EXPECT_NE(text.find(";; opcode: UPDATE, status: NXRRSET, id: 9\n"), std::string::npos) << text;
  const std::string expected =
      "\n;; PREREQUISITE SECTION:\n"
      "rrset_exists a.z. DESC\n"
      "rrset_equals a.z. TXT " +
      x +
      "\n"
      "rrset_absent a.z. CNAME\n"
      "name_in_use b.z.\n"
      "name_absent c.z.\n"
      "\n;; CHANGE SECTION:\n"
      "add a.z. 300 TXT " +
      x +
      "\n"
      "delete_record a.z. TXT " +
      x +
      "\n"
      "delete_rrset a.z. EP\n"
      "delete_name d.z.\n";
  EXPECT_TRUE(text.ends_with(expected)) << text;
  // Left out when empty.
  EXPECT_EQ(format_message(test::sample_reply()).find("PREREQUISITE"), std::string::npos);
}

TEST(WirePrintUpdate, Json) {
  const message m = update();
  auto j = to_json(m);
  EXPECT_EQ(j["opcode"], "UPDATE");
  EXPECT_EQ(j["rcode"], "NXRRSET");
  ASSERT_EQ(j["prerequisites"].size(), 5U);
  EXPECT_EQ(
      j["prerequisites"][0],
      nlohmann::json({{"kind", "rrset_exists"}, {"record", {{"name", "a.z."}, {"type", "DESC"}}}}));
  EXPECT_EQ(j["prerequisites"][1]["kind"], "rrset_equals");
  EXPECT_EQ(j["prerequisites"][1]["record"], record::to_json(m.prerequisites[1].record));
  EXPECT_EQ(j["prerequisites"][3],
            nlohmann::json({{"kind", "name_in_use"}, {"record", {{"name", "b.z."}}}}));
  ASSERT_EQ(j["changes"].size(), 4U);
  EXPECT_EQ(j["changes"][0]["kind"], "add");
  EXPECT_EQ(j["changes"][0]["record"], record::to_json(m.changes[0].record));
  EXPECT_EQ(j["changes"][2]["record"]["type"], "EP");
  EXPECT_EQ(j["changes"][3],
            nlohmann::json({{"kind", "delete_name"}, {"record", {{"name", "d.z."}}}}));
  EXPECT_FALSE(to_json(test::sample_reply()).contains("changes"));
}

TEST(WirePrintUpdate, RcodeNames) {
  for (auto [rc, name] : {std::pair{rcode::yxdomain, "YXDOMAIN"},
                          {rcode::yxrrset, "YXRRSET"},
                          {rcode::nxrrset, "NXRRSET"},
                          {rcode::notzone, "NOTZONE"}}) {
    message m;
    m.rcode = rc;
    EXPECT_EQ(to_json(m)["rcode"], name);
    EXPECT_NE(format_message(m).find(std::string("status: ") + name), std::string::npos);
  }
}

}  // namespace
}  // namespace cidns::wire
