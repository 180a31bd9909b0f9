// reply_builder: identical output to encode(), truncation by whole records, TC.
#include <gtest/gtest.h>

#include "cidns/wire/reply_builder.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

void fill(reply_builder& b, const message& m) {
  b.start(m.id, m.opcode, m.flags, m.rcode);
  if (m.question) b.set_question(m.question->name.text(), m.question->type);
  for (const auto& r : m.answer) b.add(section::answer, r);
  for (const auto& r : m.authority) b.add(section::authority, r);
  for (const auto& r : m.additional) b.add(section::additional, r);
  b.set_max_size(m.max_size);
  b.set_cookie(m.cookie);
  if (m.error) b.set_error(m.error->code, m.error->text);
}

TEST(ReplyBuilder, SameBytesAsEncode) {
  message m = test::sample_reply();
  m.cookie = std::string(16, 'c');
  m.error = extended_error{3, "stale"};
  reply_builder b;
  fill(b, m);
  EXPECT_EQ(b.size(), encode(m).size());
  EXPECT_EQ(b.finish(), encode(m));
  EXPECT_FALSE(b.truncated());
  EXPECT_EQ(b.kept(section::answer), 3U);
}

TEST(ReplyBuilder, EncodedBodiesSameAsFields) {
  message m = test::sample_reply();
  reply_builder b;
  b.start(m.id, m.opcode, m.flags, m.rcode);
  b.set_question(m.question->name.text(), m.question->type);
  b.set_max_size(m.max_size);
  std::string body;
  auto add_all = [&](section s, const std::vector<record::rr>& rrs) {
    for (const auto& r : rrs) {
      body.clear();
      encode_record_body(r.owner.text(), r.type, r.ttl, r.data, body);
      EXPECT_TRUE(b.add_encoded(s, body));
    }
  };
  add_all(section::answer, m.answer);
  add_all(section::authority, m.authority);
  add_all(section::additional, m.additional);
  EXPECT_EQ(b.finish(), encode(m));
}

TEST(ReplyBuilder, ReuseLeavesNothingBehind) {
  reply_builder b;
  fill(b, test::sample_reply());
  (void)b.finish(600);
  message small;
  small.id = 7;
  small.flags = flag::qr;
  small.rcode = rcode::refused;
  fill(b, small);
  EXPECT_EQ(b.finish(), encode(small));
  EXPECT_FALSE(b.truncated());
}

// Every limit from 0 to the full size: the reply fits (unless the fixed part
// alone does not), holds a prefix of the records, decodes, and has TC exactly
// when something was left out.
TEST(ReplyBuilder, TruncationAtEveryLimit) {
  for (std::uint32_t flags : {0U, flag::qr | flag::aa}) {
    message m = test::sample_reply();
    m.flags = flags;
    m.cookie = std::string(16, 'c');
    reply_builder b;
    fill(b, m);
    const std::size_t full = b.size();
    message fixed_only = m;
    fixed_only.answer.clear();
    fixed_only.authority.clear();
    fixed_only.additional.clear();
    fixed_only.flags |= flag::tc;
    const std::size_t fixed = encode(fixed_only).size();
    for (std::size_t limit = 0; limit <= full + 2; ++limit) {
      std::string out(b.finish(limit));
      auto r = decode(out);
      ASSERT_TRUE(r.ok()) << limit << ": " << r.err().message;
      bool all = r->answer.size() == 3 && r->authority.size() == 1 && r->additional.size() == 1;
      EXPECT_EQ(all, limit >= full) << limit;
      EXPECT_EQ(b.truncated(), !all);
      EXPECT_EQ(r->has_flag(flag::tc), !all) << limit;
      EXPECT_EQ(r->flags & ~flag::tc, flags);
      if (limit >= fixed) {
        EXPECT_LE(out.size(), limit);
      }
      // A prefix: later sections only when the earlier ones are complete.
      if (r->answer.size() < 3) {
        EXPECT_TRUE(r->authority.empty());
      }
      if (r->authority.empty()) {
        EXPECT_TRUE(r->additional.empty());
      }
      for (std::size_t i = 0; i < r->answer.size(); ++i) EXPECT_EQ(r->answer[i], m.answer[i]);
      EXPECT_EQ(r->question, m.question);
      EXPECT_EQ(r->cookie, m.cookie);
      EXPECT_EQ(b.kept(section::answer), r->answer.size());
      // Nothing in it was re-encoded differently: it is encode() of what it holds.
      EXPECT_EQ(out, encode(*r));
    }
  }
}

TEST(ReplyBuilder, TruncatedKeepsWholeRecordsThatFit) {
  message m = test::sample_reply();
  reply_builder b;
  fill(b, m);
  message two = m;
  two.answer.pop_back();
  two.authority.clear();
  two.additional.clear();
  two.flags |= flag::tc;
  std::size_t exact = encode(two).size();
  std::string out(b.finish(exact));
  EXPECT_EQ(out, encode(two));
  EXPECT_EQ(b.kept(section::answer), 2U);
  EXPECT_EQ(b.kept(section::authority), 0U);
  out = b.finish(exact - 1);
  EXPECT_EQ(b.kept(section::answer), 1U);
}

TEST(ReplyBuilder, RecordCountLimit) {
  reply_builder b;
  b.start(1, opcode::query, flag::qr, rcode::noerror);
  for (std::size_t i = 0; i < max_records_per_section; ++i) {
    ASSERT_TRUE(b.add(section::answer, "a.", record::rtype::txt, 1, "x"));
  }
  EXPECT_FALSE(b.add(section::answer, "a.", record::rtype::txt, 1, "x"));
  EXPECT_TRUE(b.add(section::additional, "a.", record::rtype::txt, 1, "x"));
  EXPECT_EQ(b.count(section::answer), max_records_per_section);
  auto r = decode(b.finish());
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_TRUE(r->has_flag(flag::tc));
  EXPECT_EQ(r->answer.size(), max_records_per_section);
  EXPECT_TRUE(r->additional.empty());  // cut after the overflowing section
}

TEST(ReplyBuilder, CapsAtMaxMessageSize) {
  reply_builder b;
  b.start(1, opcode::xfr, flag::qr, rcode::noerror);
  std::string data(1000, 'd');
  for (int i = 0; i < 100; ++i) b.add(section::answer, "a.", record::rtype::txt, 1, data);
  EXPECT_GT(b.size(), max_message_size);
  std::string out(b.finish(1U << 20));
  EXPECT_LE(out.size(), max_message_size);
  auto r = decode(out);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_TRUE(r->has_flag(flag::tc));
  EXPECT_EQ(r->answer.size(), b.kept(section::answer));
}

}  // namespace
}  // namespace cidns::wire
