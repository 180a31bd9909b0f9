// Encoder tests: golden bytes, determinism, round trips of every field.
#include <gtest/gtest.h>

#include "cidns/wire/message.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

using test::hex;
using test::unhex;

TEST(WireEncode, GoldenQuery) {
  message m;
  m.id = 0x12345678;
  m.flags = flag::rd;
  m.question = question{test::id("a.b."), record::rtype::desc};
  m.max_size = 1232;
  EXPECT_EQ(hex(encode(m)),
            "0d78563412"
            "1808"
            "2a080a04612e622e1006"
            "48d009");
}

TEST(WireEncode, GoldenReply) {
  message m;
  m.id = 0x12345678;
  m.flags = flag::qr | flag::aa | flag::rd;
  m.question = question{test::id("a.b."), record::rtype::desc};
  m.answer.push_back(test::make_rr("a.b.", record::rtype::addr, 3600, unhex("0a047f000001")));
  EXPECT_EQ(hex(encode(m)),
            "0d78563412"
            "180b"
            "2a080a04612e622e1006"
            "3213"
            "0a04612e622e"
            "1003"
            "18901c"
            "22060a047f000001");
}

TEST(WireEncode, DefaultsOmitted) {
  EXPECT_EQ(encode(message{}), "");
  message m;
  m.auth = auth{};
  m.error = extended_error{};
  EXPECT_EQ(hex(encode(m)),
            "6200"
            "6a00");  // presence of empty submessages is kept
  EXPECT_EQ(decode(encode(m)).value(), m);
}

TEST(WireEncode, AppendsToOutput) {
  std::string out = "xy";
  message m;
  m.id = 1;
  encode(m, out);
  EXPECT_EQ(hex(out),
            "7879"
            "0d01000000");
}

TEST(WireEncode, RoundTripEveryField) {
  message m = test::sample_reply();
  m.opcode = opcode::discover;
  m.rcode = rcode::badcookie;
  m.flags |= flag::do_ | flag::cd | flag::tc | (1U << 31);
  m.cookie = std::string(24, '\x5a');
  m.selector = "kind=gpu accel.count>=8 region=cn-north* order=price limit=10";
  m.auth = auth{"key1.", 1767225600, 300, std::string(32, '\xaa')};
  m.error = extended_error{static_cast<std::uint32_t>(error_code::partial_result), "zone x slow"};
  m.max_size = 65535;
  std::string bytes = encode(m);
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, m);
  EXPECT_EQ(encode(*r), bytes);  // deterministic
}

TEST(WireEncode, RecordBody) {
  std::string body;
  encode_record_body("a.b.", record::rtype::addr, 3600, unhex("0a047f000001"), body);
  EXPECT_EQ(hex(body),
            "0a04612e622e"
            "1003"
            "18901c"
            "22060a047f000001");
  body.clear();
  encode_record_body("a.", record::rtype::txt, 0, {}, body);
  EXPECT_EQ(hex(body),
            "0a02612e"
            "1005");
}

TEST(WireEncode, Names) {
  EXPECT_EQ(opcode_name(opcode::xfr), "XFR");
  EXPECT_EQ(rcode_name(rcode::nxdomain), "NXDOMAIN");
  EXPECT_EQ(rcode_name(static_cast<rcode>(42)), "RCODE42");
  EXPECT_EQ(error_code_name(7), "SIGNATURE_EXPIRED");
  EXPECT_EQ(error_code_name(77), "ERROR77");
  EXPECT_EQ(flags_text(flag::qr | flag::aa | flag::rd), "qr aa rd");
  EXPECT_EQ(flags_text(flag::do_ | (1U << 9)), "do bit9");
  EXPECT_EQ(flags_text(0), "");
}

}  // namespace
}  // namespace cidns::wire
