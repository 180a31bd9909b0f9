// Text and JSON output of messages (records are presented by lib/record).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cidns/record/presentation.hpp"
#include "cidns/wire/print.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

TEST(WirePrint, FormatMessage) {
  message m = test::sample_reply();
  m.id = 4660;
  m.rcode = rcode::nxdomain;
  m.error = extended_error{7, "signature expired\n"};
  std::string text = format_message(m);
  EXPECT_NE(text.find(";; opcode: QUERY, status: NXDOMAIN, id: 4660\n"), std::string::npos) << text;
  EXPECT_NE(text.find(";; flags: qr aa rd; QUESTION: 1, ANSWER: 3, AUTHORITY: 1, ADDITIONAL: 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(";; error: 7 (SIGNATURE_EXPIRED) \"signature expired\\010\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(";; QUESTION SECTION:\n;h100-8x.pool1.provx.cn-north. RESOURCE\n"),
            std::string::npos)
      << text;
  auto at_answer = text.find(";; ANSWER SECTION:\n");
  auto at_authority = text.find(";; AUTHORITY SECTION:\n");
  auto at_additional = text.find(";; ADDITIONAL SECTION:\n");
  ASSERT_NE(at_answer, std::string::npos);
  ASSERT_NE(at_authority, std::string::npos);
  ASSERT_NE(at_additional, std::string::npos);
  EXPECT_LT(at_answer, at_authority);
  EXPECT_LT(at_authority, at_additional);
  for (const auto& r : m.answer) {
    auto at = text.find(record::format_rr(r) + "\n");
    EXPECT_NE(at, std::string::npos) << record::format_rr(r);
    EXPECT_GT(at, at_answer);
    EXPECT_LT(at, at_authority);
  }
  EXPECT_NE(text.find(record::format_rr(m.additional[0])), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(WirePrint, EmptySectionsLeftOut) {
  message m;
  m.question = question{test::id("a.b."), record::rtype::desc};
  std::string text = format_message(m);
  EXPECT_EQ(text.find("ANSWER SECTION"), std::string::npos);
  EXPECT_NE(text.find(";a.b. DESC\n"), std::string::npos) << text;
}

TEST(WirePrint, Json) {
  message m = test::sample_reply();
  m.cookie = std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  m.selector = "kind=gpu";
  m.auth = auth{"k1.", 5, 300, "\xab"};
  m.error = extended_error{101, "slow"};
  auto j = to_json(m);
  EXPECT_EQ(j["id"], 0xdeadbeefU);
  EXPECT_EQ(j["opcode"], "QUERY");
  EXPECT_EQ(j["rcode"], "NOERROR");
  EXPECT_EQ(j["flags"], nlohmann::json::array({"qr", "aa", "rd"}));
  EXPECT_EQ(j["question"]["name"], "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(j["question"]["type"], "RESOURCE");
  ASSERT_EQ(j["answer"].size(), 3U);
  EXPECT_EQ(j["answer"][0], record::to_json(m.answer[0]));
  EXPECT_EQ(j["authority"].size(), 1U);
  EXPECT_EQ(j["additional"].size(), 1U);
  EXPECT_EQ(j["max_size"], 1232);
  EXPECT_EQ(j["cookie"], "0102030405060708");
  EXPECT_EQ(j["selector"], "kind=gpu");
  EXPECT_EQ(j["auth"]["mac"], "ab");
  EXPECT_EQ(j["error"]["name"], "PARTIAL_RESULT");
  EXPECT_NO_THROW((void)j.dump());
  auto empty = to_json(message{});
  EXPECT_TRUE(empty["answer"].is_array());
  EXPECT_FALSE(empty.contains("question"));
  EXPECT_FALSE(empty.contains("cookie"));
}

}  // namespace
}  // namespace cidns::wire
