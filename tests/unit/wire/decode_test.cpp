// Decoder tests: golden bytes, every error path, truncation at every byte, peek_id.
#include <gtest/gtest.h>

#include <string>

#include "cidns/wire/message.hpp"
#include "test_util.hpp"

namespace cidns::wire {
namespace {

using test::hex;
using test::unhex;

// Query: id 0x12345678, flags RD, question {a.b. DESC}, max_size 1232.
//   0d 78563412          field 1 (id), fixed32 little-endian
//   18 08                field 3 (flags) varint 8
//   2a 08                field 5 (question), 8 bytes:
//     0a 04 612e622e       name "a.b."
//     10 06                type 6 (DESC)
//   48 d009              field 9 (max_size) varint 1232 = 0x4d0
constexpr std::string_view golden_query = "0d78563412 1808 2a08 0a04612e622e 1006 48d009";

// Reply: id 0x12345678, flags QR|AA|RD = 11, same question, one answer
// {a.b. ADDR 3600 data = Addr{address 127.0.0.1}}.
//   0d 78563412  18 0b  2a08 0a04612e622e 1006
//   32 13                field 6 (answer), 19 bytes:
//     0a 04 612e622e       name "a.b."
//     10 03                type 3 (ADDR)
//     18 901c              ttl 3600 = 0xe10
//     22 06 0a047f000001   data (opaque here)
constexpr std::string_view golden_reply =
    "0d78563412 180b 2a08 0a04612e622e 1006 3213 0a04612e622e 1003 18901c 2206 0a047f000001";

message query_message() {
  message m;
  m.id = 0x12345678;
  m.flags = flag::rd;
  m.question = question{test::id("a.b."), record::rtype::desc};
  m.max_size = 1232;
  return m;
}

message reply_message() {
  message m;
  m.id = 0x12345678;
  m.flags = flag::qr | flag::aa | flag::rd;
  m.question = question{test::id("a.b."), record::rtype::desc};
  m.answer.push_back(test::make_rr("a.b.", record::rtype::addr, 3600, unhex("0a047f000001")));
  return m;
}

std::string error_of(std::string_view bytes) {
  auto r = decode(bytes);
  EXPECT_FALSE(r.ok()) << "decoded: " << hex(bytes);
  return r.ok() ? std::string() : r.err().message;
}

TEST(WireDecode, GoldenQuery) {
  auto r = decode(unhex(golden_query));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, query_message());
  EXPECT_EQ(r->udp_size(), 1232U);
  EXPECT_TRUE(r->has_flag(flag::rd));
  EXPECT_FALSE(r->has_flag(flag::qr));
}

TEST(WireDecode, GoldenReply) {
  auto r = decode(unhex(golden_reply));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, reply_message());
}

TEST(WireDecode, EmptyIsDefaultMessage) {
  auto r = decode("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, message{});
  EXPECT_EQ(r->udp_size(), default_udp_size);
}

TEST(WireDecode, UdpSizeClamped) {
  message m;
  m.max_size = 100;
  EXPECT_EQ(m.udp_size(), min_udp_size);
  m.max_size = 1u << 20;
  EXPECT_EQ(m.udp_size(), max_udp_size);
  m.max_size = 4096;
  EXPECT_EQ(m.udp_size(), 4096U);
}

TEST(WireDecode, TruncatedAtEveryByteNeverCrashes) {
  for (auto golden : {golden_query, golden_reply}) {
    std::string bytes = unhex(golden);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode(std::string_view(bytes).substr(0, n));
      if (r.ok()) {
        // A prefix ending on a field boundary is a valid smaller message.
        std::string again = encode(*r);
        EXPECT_EQ(decode(again).value(), *r);
      } else {
        EXPECT_FALSE(r.err().message.empty());
      }
    }
  }
}

TEST(WireDecode, TruncatedSaysSo) {
  std::string bytes = unhex(golden_reply);
  bytes.pop_back();
  auto msg = error_of(bytes);
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 17"), std::string::npos) << msg;  // the answer field starts there
}

TEST(WireDecode, WrongWireTypes) {
  EXPECT_NE(error_of(unhex("0801")).find("field 1 (id) has wire type varint, expected fixed32"),
            std::string::npos);
  EXPECT_NE(error_of(unhex("1d01000000")).find("wire type"), std::string::npos);  // opcode fixed32
  EXPECT_NE(error_of(unhex("1a0101")).find("flags"), std::string::npos);          // flags as bytes
  EXPECT_NE(error_of(unhex("2801")).find("question"), std::string::npos);         // question varint
  EXPECT_NE(error_of(unhex("2a020801")).find("name"), std::string::npos);         // q.name varint
  EXPECT_NE(error_of(unhex("2a04 0a00 1200")).find("type"), std::string::npos);   // q.type bytes
  EXPECT_NE(error_of(unhex("3001")).find("answer"), std::string::npos);
  EXPECT_NE(error_of(unhex("3207 0a02612e 1d0000")).find("wire type"), std::string::npos);
  EXPECT_NE(error_of(unhex("3a06 0a02612e 1a00")).find("authority record 0"), std::string::npos);
  EXPECT_NE(error_of(unhex("4a0100")).find("max_size"), std::string::npos);
  EXPECT_NE(error_of(unhex("5001")).find("cookie"), std::string::npos);
  EXPECT_NE(error_of(unhex("5801")).find("selector"), std::string::npos);
  EXPECT_NE(error_of(unhex("6001")).find("auth"), std::string::npos);
  EXPECT_NE(error_of(unhex("6202 0801")).find("key"), std::string::npos);
  EXPECT_NE(error_of(unhex("6801")).find("error"), std::string::npos);
  EXPECT_NE(error_of(unhex("6a02 0a00")).find("code"), std::string::npos);
}

TEST(WireDecode, BadStructure) {
  EXPECT_NE(error_of(unhex("0b")).find("wire type"), std::string::npos);  // group start
  EXPECT_NE(error_of(unhex("00")).find("invalid field number"), std::string::npos);
  EXPECT_NE(error_of(unhex("18ffffffffffffffffffff01")).find("varint"), std::string::npos);
  EXPECT_NE(error_of(unhex("18ffffffffffffffffffff")).find(""), std::string::npos);
  EXPECT_NE(error_of(unhex("2aff")).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(unhex("2a05 0a04")).find("truncated"), std::string::npos);
  // A length far beyond the buffer.
  EXPECT_NE(error_of(unhex("32ffffffff0f")).find("truncated"), std::string::npos);
}

TEST(WireDecode, UnknownFieldsSkipped) {
  // Fields 20 (varint), 21 (bytes), 23 (fixed64), 17 (fixed32) at top level, and
  // field 9 (fixed32) inside the question and field 5 inside a record.
  std::string bytes =
      unhex(golden_query) + unhex("a00105 aa0103616263 b901 0102030405060708 8d01 01020304");
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, query_message());
  auto q = decode(unhex("2a0d 0a04612e622e 1006 4d01020304"));
  ASSERT_TRUE(q.ok()) << q.err().message;
  EXPECT_EQ(q->question->type, record::rtype::desc);
  auto a = decode(unhex("320a 0a02612e 1001 2a02 6869"));
  ASSERT_TRUE(a.ok()) << a.err().message;
  EXPECT_EQ(a->answer.size(), 1U);
}

TEST(WireDecode, NamesNormalised) {
  auto r = decode(unhex("2a07 0a03412e42 1006"));  // "A.B" -> "a.b."
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->question->name.text(), "a.b.");
  auto root = decode(unhex("2a05 0a012e 1001"));  // "."
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->question->name.is_root());
}

TEST(WireDecode, InvalidNames) {
  auto bad_q = [](std::string_view name) {
    std::string body = "\x0a" + std::string(1, static_cast<char>(name.size())) + std::string(name) +
                       std::string("\x10\x06", 2);
    std::string msg = "\x2a" + std::string(1, static_cast<char>(body.size())) + body;
    return error_of(msg);
  };
  EXPECT_NE(bad_q("a..b.").find("invalid name"), std::string::npos);
  EXPECT_NE(bad_q("a b.").find("invalid name"), std::string::npos);
  EXPECT_NE(bad_q("a\xff.").find("\\xff"), std::string::npos);
  EXPECT_NE(bad_q("@").find("invalid name"), std::string::npos);
  EXPECT_NE(bad_q("a.*.").find("invalid name"), std::string::npos);
  EXPECT_NE(bad_q(std::string(64, 'a') + ".").find("invalid name"), std::string::npos);
  EXPECT_NE(error_of(unhex("2a02 1006")).find("missing name"), std::string::npos);
  EXPECT_NE(error_of(unhex("3202 1006")).find("answer record 0"), std::string::npos);
  // Over 253 characters: rejected before parsing.
  std::string longname;
  for (int i = 0; i < 64; ++i) longname += "abc.";
  std::string body = "\x0a" + std::string("\x80\x02", 2) + longname + std::string("\x10\x06", 2);
  std::string msg = "\x2a" + std::string("\x85\x02", 2) + body;
  EXPECT_NE(error_of(msg).find("at most 253"), std::string::npos) << error_of(msg);
}

TEST(WireDecode, TypesAndTtls) {
  EXPECT_NE(error_of(unhex("2a06 0a04612e622e")).find("missing type"), std::string::npos);
  EXPECT_NE(error_of(unhex("2a0a 0a04612e622e 10808004")).find("type 65536 out of range"),
            std::string::npos);
  ASSERT_TRUE(decode(unhex("2a0a 0a04612e622e 10ffff03")).ok());  // 65535
  EXPECT_NE(error_of(unhex("320c 0a02612e 1001 1880808080 08")).find("ttl 2147483648"),
            std::string::npos);
  auto ok = decode(unhex("320c 0a02612e 1001 18ffffffff07"));
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  EXPECT_EQ(ok->answer[0].ttl, record::max_ttl);
  // A 64-bit value that would truncate to a small TTL is still rejected.
  EXPECT_FALSE(decode(unhex("320f 0a02612e 1001 1885808080 808080 01")).ok());
  EXPECT_NE(error_of(unhex("1880808080 10")).find("does not fit"), std::string::npos);
}

TEST(WireDecode, TooManyRecords) {
  std::string rec = unhex("3206 0a02612e 1001");
  std::string bytes;
  for (std::size_t i = 0; i < max_records_per_section; ++i) bytes += rec;
  auto ok = decode(bytes);
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  EXPECT_EQ(ok->answer.size(), max_records_per_section);
  bytes += rec;
  EXPECT_NE(error_of(bytes).find("answer record 1024"), std::string::npos) << error_of(bytes);
  EXPECT_NE(error_of(bytes).find("more than 1024 records"), std::string::npos);
  // The limit is per section.
  std::string mixed;
  for (std::size_t i = 0; i < max_records_per_section; ++i) mixed += rec;
  for (std::size_t i = 0; i < max_records_per_section; ++i) mixed += unhex("3a06 0a02612e 1001");
  EXPECT_TRUE(decode(mixed).ok());
}

TEST(WireDecode, Oversize) {
  std::string big(max_message_size + 1, '\0');
  EXPECT_NE(error_of(big).find("65536 bytes"), std::string::npos);
  std::string sel(max_string_size + 1, 'x');
  std::string msg = "\x5a" + std::string("\x81\x20", 2) + sel;  // 4097 = 0x1001
  EXPECT_NE(error_of(msg).find("selector is 4097 bytes"), std::string::npos) << error_of(msg);
  sel.pop_back();
  msg = "\x5a" + std::string("\x80\x20", 2) + sel;
  EXPECT_TRUE(decode(msg).ok());
}

TEST(WireDecode, Utf8Strings) {
  EXPECT_TRUE(decode(unhex("5a02 c3a9")).ok());  // é
  EXPECT_NE(error_of(unhex("5a01 ff")).find("UTF-8"), std::string::npos);
  EXPECT_FALSE(decode(unhex("5a02 c0af")).ok());    // overlong
  EXPECT_FALSE(decode(unhex("5a03 eda080")).ok());  // surrogate
  EXPECT_FALSE(decode(unhex("5a02 e282")).ok());    // cut sequence
  EXPECT_FALSE(decode(unhex("6a03 1201ff")).ok());  // error text
  EXPECT_FALSE(decode(unhex("6203 0a01ff")).ok());  // auth key
  EXPECT_TRUE(decode(unhex("6203 2201ff")).ok());   // auth mac is bytes
}

TEST(WireDecode, CookieLengths) {
  for (std::size_t n : {1, 7, 9, 15, 41}) {
    std::string msg = "\x52" + std::string(1, static_cast<char>(n)) + std::string(n, 'c');
    EXPECT_NE(error_of(msg).find("cookie is"), std::string::npos) << n;
  }
  for (std::size_t n : {0, 8, 16, 24, 40}) {
    std::string msg = "\x52" + std::string(1, static_cast<char>(n)) + std::string(n, 'c');
    auto r = decode(msg);
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_EQ(r->cookie.size(), n);
  }
}

TEST(WireDecode, RepeatedSingularFields) {
  // Scalars: last wins. Question: merged (name from the first, type from the second).
  auto r = decode(unhex("0d01000000 0d02000000 2a06 0a04612e622e 2a02 1007"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->id, 2U);
  EXPECT_EQ(r->question->name.text(), "a.b.");
  EXPECT_EQ(r->question->type, record::rtype::state);
  auto e = decode(unhex("6a02 0807 6a03 12016b"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->error->code, 7U);
  EXPECT_EQ(e->error->text, "k");
}

TEST(WireDecode, OpenEnums) {
  auto r = decode(unhex("1063 20ffffffffffffffffff01"));  // opcode 99, rcode -1
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(static_cast<int>(r->opcode), 99);
  EXPECT_EQ(static_cast<int>(r->rcode), -1);
  EXPECT_EQ(opcode_name(r->opcode), "OPCODE99");
  EXPECT_EQ(decode(encode(*r)).value(), *r);
  EXPECT_EQ(hex(encode(*r)),
            "1063"
            "20ffffffffffffffffff01");
}

TEST(WireDecode, DataIsOpaque) {
  // Garbage data of a known type is carried unchanged.
  auto r = decode(unhex("320b 0a02612e 1006 2203ffffff"));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->answer[0].data, unhex("ffffff"));
  // Unknown type numbers too.
  auto u = decode(unhex("320b 0a02612e 10e807 2202abcd"));
  ASSERT_TRUE(u.ok()) << u.err().message;
  EXPECT_EQ(static_cast<int>(u->answer[0].type), 1000);
}

TEST(WireDecode, ReusesMessage) {
  message m = test::sample_reply();
  ASSERT_TRUE(decode(unhex(golden_query), m).ok());
  EXPECT_EQ(m, query_message());
}

TEST(WirePeekId, Cases) {
  EXPECT_EQ(peek_id(unhex(golden_query)), 0x12345678U);
  EXPECT_EQ(peek_id(unhex("0d78563412 ffffffff")), 0x12345678U);   // rest is garbage
  EXPECT_EQ(peek_id(unhex("1808 0d78563412 2aff")), 0x12345678U);  // id later, then garbage
  EXPECT_EQ(peek_id(unhex("1808")), 0U);                           // well formed, no id
  EXPECT_EQ(peek_id(""), std::nullopt);
  EXPECT_EQ(peek_id(unhex("ff")), std::nullopt);
  EXPECT_EQ(peek_id(unhex("2aff 0d78563412")), std::nullopt);  // garbage before the id
  EXPECT_EQ(peek_id(unhex("0d7856")), std::nullopt);           // id cut short
  EXPECT_EQ(peek_id(unhex("0b")), std::nullopt);
}

}  // namespace
}  // namespace cidns::wire
