// The journal value codec: round trips, golden bytes, and untrusted input (truncated,
// garbage, over the limits) coming back as errors.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "cidns/store/changeset_codec.hpp"

namespace cidns::store {
namespace {

using namespace std::string_literals;
using record::changeset;
using record::rr;
using record::rtype;

rr make_rr(std::string_view owner, rtype type, std::uint32_t ttl, std::string data) {
  return rr{*name::identifier::parse(owner), type, ttl, std::move(data)};
}

changeset sample() {
  changeset c;
  c.from = 1;
  c.to = 2;
  c.removed = {make_rr("ex.", rtype::soa, 3600, "ab")};
  c.added = {make_rr("ex.", rtype::soa, 3600, "cd"), make_rr("a.ex.", rtype::txt, 60, "")};
  return c;
}

// The bytes of sample(), written out by hand from the format in changeset_codec.hpp.
const std::string golden =
    "\x01"                              // format
    "\x00\x00\x00\x01\x00\x00\x00\x02"  // from 1, to 2
    "\x01"                              // one removed
    "\x03"
    "ex."
    "\x00\x01\x00\x00\x0e\x10\x02"
    "ab"  // SOA 3600 "ab"
    "\x02"
    "\x00"  // two added; same owner as before
    "\x00\x01\x00\x00\x0e\x10\x02"
    "cd"
    "\x05"
    "a.ex."
    "\x00\x05\x00\x00\x00\x3c\x00"s;  // TXT 60, no data

TEST(ChangesetCodec, GoldenBytes) {
  EXPECT_EQ(encode_changeset(sample()), golden);
  auto c = decode_changeset(golden);
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(*c, sample());
}

TEST(ChangesetCodec, RoundTrips) {
  changeset empty;
  auto e = decode_changeset(encode_changeset(empty));
  ASSERT_TRUE(e.ok()) << e.err().message;
  EXPECT_EQ(*e, empty);

  changeset big = sample();
  big.from = 0xffffffff;
  big.to = 1;
  for (int i = 0; i < 200; ++i) {
    big.added.push_back(make_rr(i % 3 == 0 ? "ex." : "h" + std::to_string(i / 3) + ".ex.",
                                rtype::addr, record::max_ttl, std::string(i * 7, 'x')));
  }
  big.added.push_back(make_rr(".", rtype{65535}, 0, std::string(max_record_data, '\xff')));
  const std::string bytes = encode_changeset(big);
  auto d = decode_changeset(bytes);
  ASSERT_TRUE(d.ok()) << d.err().message;
  EXPECT_EQ(*d, big);
  EXPECT_EQ(encode_changeset(*d), bytes);
  auto s = decode_changeset_serials(bytes);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->from, 0xffffffffU);
  EXPECT_EQ(s->to, 1U);
}

TEST(ChangesetCodec, EveryTruncationFails) {
  const std::string bytes = encode_changeset(sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_changeset(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(decode_changeset_serials(bytes.substr(0, changeset_header_size - 1)).ok());
  EXPECT_TRUE(decode_changeset_serials(bytes.substr(0, changeset_header_size)).ok());
}

// `golden` with bytes [pos, pos + n) replaced by `with`.
std::string patched(std::size_t pos, std::size_t n, std::string_view with) {
  std::string s = golden;
  return s.replace(pos, n, with);
}

TEST(ChangesetCodec, GarbageIsAnError) {
  const std::size_t first_owner = 11, first_type = 14, first_ttl = 16, first_len = 20;
  const std::pair<const char*, std::string> cases[] = {
      {"unknown format", patched(0, 1, "\x02")},
      {"trailing byte", golden + "\x00"s},
      {"non-minimal count", patched(9, 1, "\x81\x00")},
      {"count beyond the end", patched(9, 1, "\x7f")},
      {"count over 5 bytes", patched(9, 1, "\xff\xff\xff\xff\xff\x01")},
      {"first record repeats an owner", patched(first_owner - 1, 4, "\x00"s)},
      {"upper case owner", patched(first_owner, 3, "EX.")},
      {"relative owner", patched(first_owner - 1, 4,
                                 "\x02"
                                 "ex"s)},
      {"owner repeated in full", patched(24, 1,
                                         "\x03"
                                         "ex."s)},
      {"type 0", patched(first_type, 2, "\x00\x00"s)},
      {"ttl above max", patched(first_ttl, 4, "\x80\x00\x00\x00"s)},
      {"data length over the end", patched(first_len, 1, "\x05")},
      {"data over the limit", patched(first_len, 1, "\x80\x80\x04")},  // 65536
      {"empty", ""},
  };
  for (const auto& [what, bytes] : cases) {
    auto d = decode_changeset(bytes);
    EXPECT_FALSE(d.ok()) << what;
    if (!d) {
      EXPECT_NE(d.err().message, "") << what;
    }
  }
}

TEST(ChangesetCodec, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string base = golden;
  for (int i = 0; i < 20000; ++i) {
    std::string s = base;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) s[rng() % s.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) s.resize(rng() % (s.size() + 1));
    auto d = decode_changeset(s);
    if (d) {
      EXPECT_EQ(encode_changeset(*d), s);  // only the canonical bytes decode
    }
  }
}

TEST(ChangesetCodec, Limits) {
  EXPECT_TRUE(check_changeset_limits(sample()).ok());
  changeset c = sample();
  c.added.push_back(make_rr("ex.", rtype::txt, 1, std::string(max_record_data + 1, 'a')));
  EXPECT_FALSE(check_changeset_limits(c).ok());
  EXPECT_FALSE(decode_changeset(encode_changeset(c)).ok());

  c = sample();
  c.added.push_back(make_rr("ex.", rtype::none, 1, ""));
  EXPECT_FALSE(check_changeset_limits(c).ok());
  EXPECT_FALSE(decode_changeset(encode_changeset(c)).ok());

  c = sample();
  c.added.push_back(make_rr("ex.", rtype::txt, record::max_ttl + 1, ""));
  EXPECT_FALSE(check_changeset_limits(c).ok());
  EXPECT_FALSE(decode_changeset(encode_changeset(c)).ok());

  c = sample();
  c.added.push_back(make_rr("ex.", rtype::txt, record::max_ttl, std::string(max_record_data, 'a')));
  EXPECT_TRUE(check_changeset_limits(c).ok());
  EXPECT_TRUE(decode_changeset(encode_changeset(c)).ok());
}

}  // namespace
}  // namespace cidns::store
