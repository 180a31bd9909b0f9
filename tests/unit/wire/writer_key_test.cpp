// lib/wire's hand-rolled writer (issue 9 point 10): keys are varints for every
// field number, from 1 to 2^29 - 1, and every size helper counts the key's real
// size. Each field is checked against protozero's writer (the same bytes) and
// read back with protozero's reader.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include <protozero/pbf_reader.hpp>
#include <protozero/pbf_writer.hpp>

#include "test_util.hpp"
#include "writer.hpp"

namespace cidns::wire::detail {
namespace {

using protozero::pbf_wire_type;

constexpr std::uint32_t max_field = (1U << 29U) - 1;
constexpr std::array<std::uint32_t, 6> fields = {1, 15, 16, 2047, 2048, max_field};
constexpr std::array<std::size_t, 6> key_sizes = {1, 1, 2, 2, 3, 5};

TEST(WireWriterKey, KeySizeGrowsWithTheFieldNumber) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(key_size(fields[i]), key_sizes[i]) << "field " << fields[i];
  }
  // Field 16, varint: (16 << 3) | 0 = 128, two bytes; one byte would be 0x80,
  // a truncated varint (what the one-byte key wrote before).
  std::string out;
  put_uint(out, 16U, 1);
  EXPECT_EQ(out, test::unhex("8001 01"));
  out.clear();
  put_bytes(out, max_field, "x");
  EXPECT_EQ(out, test::unhex("faffffff0f 01 78"));
}

TEST(WireWriterKey, ShortKeysAreTheOneByteKeys) {
  // short_key() exists for fields 1-15 only (16 and above do not compile).
  static_assert(short_key(1U, pbf_wire_type::varint) == 0x08);
  static_assert(short_key(15U, pbf_wire_type::length_delimited) == 0x7a);
  std::string ours;
  put_short_message_header(ours, short_key(15U, pbf_wire_type::length_delimited), 200);
  std::string theirs;
  put_message_header(theirs, 15U, 200);
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours, test::unhex("7a c801"));
}

TEST(WireWriterKey, EveryFieldMatchesProtozerosWriter) {
  for (const auto f : fields) {
    SCOPED_TRACE(f);
    std::string ours;
    std::string theirs;
    protozero::pbf_writer w(theirs);

    put_uint(ours, f, 300);
    w.add_uint64(f, 300);
    EXPECT_EQ(ours.size(), uint_field_size(f, 300));
    const std::size_t after_uint = ours.size();

    put_bytes(ours, f, "abc");
    w.add_bytes(f, "abc");
    EXPECT_EQ(ours.size() - after_uint, bytes_field_size(f, 3));
    const std::size_t after_bytes = ours.size();

    put_fixed32(ours, f, 0xdeadbeef);
    w.add_fixed32(f, 0xdeadbeef);
    EXPECT_EQ(ours.size() - after_bytes, fixed32_field_size(f, 0xdeadbeef));
    const std::size_t after_fixed = ours.size();

    const std::string body(200, 'b');  // a two-byte length
    put_message_header(ours, f, body.size());
    ours += body;
    w.add_message(f, body);
    EXPECT_EQ(ours.size() - after_fixed, message_field_size(f, body.size()));

    EXPECT_EQ(ours, theirs);
  }
}

TEST(WireWriterKey, EveryFieldReadsBackWithProtozerosReader) {
  std::string out;
  for (const auto f : fields) {
    put_uint(out, f, f);
    put_bytes(out, f, std::to_string(f));
    put_fixed32(out, f, f);
  }
  protozero::pbf_reader r(out);
  for (const auto f : fields) {
    SCOPED_TRACE(f);
    ASSERT_TRUE(r.next());
    EXPECT_EQ(r.tag(), f);
    EXPECT_EQ(r.wire_type(), pbf_wire_type::varint);
    EXPECT_EQ(r.get_uint64(), f);
    ASSERT_TRUE(r.next());
    EXPECT_EQ(r.tag(), f);
    EXPECT_EQ(r.wire_type(), pbf_wire_type::length_delimited);
    EXPECT_EQ(r.get_string(), std::to_string(f));
    ASSERT_TRUE(r.next());
    EXPECT_EQ(r.tag(), f);
    EXPECT_EQ(r.wire_type(), pbf_wire_type::fixed32);
    EXPECT_EQ(r.get_fixed32(), f);
  }
  EXPECT_FALSE(r.next());
}

TEST(WireWriterKey, DefaultsAreOmittedAndSizedZero) {
  std::string out;
  for (const auto f : fields) {
    put_uint(out, f, 0);
    put_bytes(out, f, "");
    put_fixed32(out, f, 0);
    EXPECT_EQ(uint_field_size(f, 0), 0U);
    EXPECT_EQ(bytes_field_size(f, 0), 0U);
    EXPECT_EQ(fixed32_field_size(f, 0), 0U);
    // An empty nested message is still written: key and a zero length.
    EXPECT_EQ(message_field_size(f, 0), key_size(f) + 1);
  }
  EXPECT_TRUE(out.empty());
}

TEST(WireWriterKey, RecordBodySizeIsWhatIsWritten) {
  std::string out;
  const std::string data(300, 'd');
  put_record_body(out, "a.b.", record::rtype::desc, 86400, data);
  EXPECT_EQ(out.size(), record_body_size("a.b.", record::rtype::desc, 86400, data));
  out.clear();
  put_record_body(out, "", record::rtype::none, 0, {});
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(record_body_size("", record::rtype::none, 0, {}), 0U);
}

}  // namespace
}  // namespace cidns::wire::detail
