// Hostile varints (issue 11): a field key wider than 32 bits or a length of
// 2^32+n is rejected by every decoder (protozero alone keeps the low 32 bits
// and reads another, valid field); peek_header echoes the last id and sees QR.
#include <gtest/gtest.h>

#include <string>

#include "cidns/record/data.hpp"
#include "cidns/util/field_scan.hpp"
#include "cidns/wire/message.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

using test::unhex;
using util::find_wide_field;

// Query: id 0x12345678, flags RD, question {a.b. DESC}, max_size 1232 (decode_test.cpp).
constexpr std::string_view query = "0d78563412 1808 2a08 0a04612e622e 1006 48d009";

// Key 2^32 + 0x18: its low 32 bits are field 3 (flags), varint.
constexpr std::string_view wide_flags_key = "9880808010";
// Field 11 (selector), length 2^32 + 1, then one byte.
constexpr std::string_view wide_selector = "5a 8180808010 78";

TEST(WireWideVarint, TheValidFormsDecode) {
  // The same fields with 32-bit keys and lengths: accepted, so the rejections
  // below are about the width alone.
  EXPECT_TRUE(decode(unhex(std::string(query) + "1808")).ok());
  EXPECT_TRUE(decode(unhex(std::string(query) + "5a0178")).ok());
}

TEST(WireWideVarint, KeyOf33BitsIsRejected) {
  auto m = decode(unhex(std::string(query) + std::string(wide_flags_key) + "08"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.err().message.find("wider than 32 bits"), std::string::npos) << m.err().message;
  EXPECT_NE(m.err().message.find("byte 20"), std::string::npos) << m.err().message;
}

TEST(WireWideVarint, LengthOver32BitsIsRejected) {
  auto m = decode(unhex(std::string(query) + std::string(wide_selector)));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.err().message.find("does not fit in 32 bits"), std::string::npos) << m.err().message;
}

TEST(WireWideVarint, NestedKeysAndLengthsAreRejected) {
  // Question {name "a.b." (key 2^32 + 0x0a), type DESC}.
  auto wide_name_key = decode(unhex("0d78563412 2a0c 8a80808010 04612e622e 1006"));
  ASSERT_FALSE(wide_name_key.ok());
  EXPECT_NE(wide_name_key.err().message.find("question"), std::string::npos);
  // Question {name of length 2^32 + 4}.
  auto wide_name_len = decode(unhex("0d78563412 2a0c 0a8480808010 612e622e 1006"));
  ASSERT_FALSE(wide_name_len.ok());
  EXPECT_NE(wide_name_len.err().message.find("does not fit"), std::string::npos);
  // Answer record whose ttl key is 2^32 + 0x18.
  auto wide_ttl_key =
      decode(unhex("0d78563412 3217 0a04612e622e 1003 9880808010 901c 2206 0a047f000001"));
  ASSERT_FALSE(wide_ttl_key.ok());
  EXPECT_NE(wide_ttl_key.err().message.find("answer record 0"), std::string::npos);
  // Top-level question length 2^32 + 8.
  EXPECT_FALSE(decode(unhex("0d78563412 2a8880808010 0a04612e622e 1006")).ok());
}

TEST(WireWideVarint, RecordDataDecodersRejectThem) {
  ASSERT_TRUE(record::addr::decode(unhex("0a047f000001")).ok());
  auto wide_len = record::addr::decode(unhex("0a8480808010 7f000001"));
  ASSERT_FALSE(wide_len.ok());
  EXPECT_NE(wide_len.err().message.find("does not fit in 32 bits"), std::string::npos)
      << wide_len.err().message;
  auto wide_key = record::addr::decode(unhex("8a80808010 04 7f000001"));
  ASSERT_FALSE(wide_key.ok());
  EXPECT_NE(wide_key.err().message.find("wider than 32 bits"), std::string::npos)
      << wide_key.err().message;
}

TEST(WireWideVarint, ScanStopsQuietlyAtOtherFaults) {
  EXPECT_FALSE(find_wide_field(unhex("0d7856")));                // truncated: protozero's to report
  EXPECT_FALSE(find_wide_field(unhex("2aff")));                  // length cut short
  EXPECT_FALSE(find_wide_field(unhex("0f 9880808010")));         // unknown wire type first
  auto f = find_wide_field(unhex("1808 80808080808080808002"));  // key over 64 bits
  ASSERT_TRUE(f);
  EXPECT_EQ(f->offset, 2U);
}

TEST(WirePeekHeader, EchoesTheLastIdAsTheDecoderDoes) {
  // Two ids, then garbage: the decoder of a valid message takes the last.
  EXPECT_EQ(peek_id(unhex("0d01000000 0d02000000 2aff")), 2U);
  auto both = decode(unhex("0d01000000 0d02000000 1808 2a08 0a04612e622e 1006"));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->id, 2U);
  EXPECT_EQ(peek_id(unhex("0d01000000 0d02000000 1808 2a08 0a04612e622e 1006")), 2U);
  // An id behind an over-wide key is past the point where the bytes stop making sense.
  EXPECT_EQ(peek_id(unhex("0d01000000 9880808010 08 0d02000000")), 1U);
}

TEST(WirePeekHeader, SeesQrInMalformedMessages) {
  EXPECT_EQ(peek_header(unhex("0d01000000 1801 2aff")).flags, flag::qr);
  EXPECT_EQ(peek_header(unhex("0d01000000 1809 1808 2aff")).flags, flag::rd);  // last wins
  EXPECT_EQ(peek_header(unhex("0d01000000 2aff 1801")).flags, 0U);             // after the garbage
  EXPECT_EQ(peek_header(unhex("0d01000000 1801")).id, 1U);
}

}  // namespace
}  // namespace cidns::wire
