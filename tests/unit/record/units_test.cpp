// Unit tests for numbers with units (lib/record/units.hpp) and base64/hex.
#include <gtest/gtest.h>

#include "../../../lib/record/units.hpp"
#include "cidns/record/base_encoding.hpp"

using namespace cidns::record::detail;
using cidns::record::base64_decode;
using cidns::record::base64_encode;
using cidns::record::hex_decode;

namespace {
constexpr std::uint64_t u64max = ~std::uint64_t{0};

std::string size_text(std::uint64_t v, unsigned shift) {
  std::string s;
  format_size(v, shift, s);
  return s;
}
std::string fixed(std::uint64_t v, unsigned scale) {
  std::string s;
  format_fixed(v, scale, s);
  return s;
}
}  // namespace

TEST(Units, Sizes) {
  EXPECT_EQ(*parse_size("80GiB", 20, u64max), 81920u);
  EXPECT_EQ(*parse_size("1.5TiB", 20, u64max), 1572864u);
  EXPECT_EQ(*parse_size("512", 20, u64max), 512u);
  EXPECT_EQ(*parse_size("2048KiB", 20, u64max), 2u);
  EXPECT_FALSE(parse_size("0.5KiB", 10, u64max).ok());
}

TEST(Units, SizeErrors) {
  auto e = parse_size("1.5KiB", 20, u64max);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.err().message, "\"1.5KiB\" is not a whole number of MiB");
  EXPECT_FALSE(parse_size("1.5", 20, u64max).ok());
  EXPECT_FALSE(parse_size("1GB", 20, u64max).ok());
  EXPECT_FALSE(parse_size("GiB", 20, u64max).ok());
  EXPECT_FALSE(parse_size("1..5GiB", 20, u64max).ok());
  EXPECT_FALSE(parse_size("-1GiB", 20, u64max).ok());
  EXPECT_FALSE(parse_size("99999999999PiB", 20, u64max).ok());
  EXPECT_FALSE(parse_size("99999999999TiB", 20, (std::uint64_t{1} << 53) - 1).ok());
  EXPECT_FALSE(parse_size("99999999999999999999999", 20, u64max).ok());
  EXPECT_EQ(*parse_size("16EiB", 60, u64max), 16u);
  EXPECT_FALSE(parse_size("16EiB", 0, u64max).ok());
}

TEST(Units, SizePrinting) {
  EXPECT_EQ(size_text(81920, 20), "80GiB");
  EXPECT_EQ(size_text(1572864, 20), "1536GiB");
  EXPECT_EQ(size_text(1048576, 20), "1TiB");
  EXPECT_EQ(size_text(100, 20), "100MiB");
  EXPECT_EQ(size_text(0, 30), "0GiB");
  EXPECT_EQ(size_text(2048, 30), "2TiB");
  for (std::uint64_t v : {1ull, 1023ull, 1024ull, 81920ull, 1ull << 40, (1ull << 53) - 1}) {
    EXPECT_EQ(*parse_size(size_text(v, 20), 20, u64max), v);
  }
}

TEST(Units, Fixed) {
  EXPECT_EQ(*parse_fixed("2.5", 3, u64max), 2500u);
  EXPECT_EQ(*parse_fixed("0.001", 3, u64max), 1u);
  EXPECT_EQ(*parse_fixed("1.5000", 3, u64max), 1500u);
  EXPECT_EQ(*parse_fixed("7", 3, u64max), 7000u);
  auto e = parse_fixed("1.0005", 3, u64max);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.err().message, "\"1.0005\" has more than 3 decimals");
  EXPECT_FALSE(parse_fixed(".5", 3, u64max).ok());
  EXPECT_FALSE(parse_fixed("5.", 3, u64max).ok());
  EXPECT_FALSE(parse_fixed("18446744073709552", 3, u64max).ok());
  EXPECT_EQ(fixed(2500, 3), "2.5");
  EXPECT_EQ(fixed(1, 3), "0.001");
  EXPECT_EQ(fixed(2000, 3), "2");
  EXPECT_EQ(fixed(999500, 4), "99.95");
}

TEST(Units, Durations) {
  EXPECT_EQ(*parse_duration("3600", 0xffffffff), 3600u);
  EXPECT_EQ(*parse_duration("30s", 0xffffffff), 30u);
  EXPECT_EQ(*parse_duration("5m", 0xffffffff), 300u);
  EXPECT_EQ(*parse_duration("1h", 0xffffffff), 3600u);
  EXPECT_EQ(*parse_duration("1d", 0xffffffff), 86400u);
  EXPECT_EQ(*parse_duration("1w", 0xffffffff), 604800u);
  EXPECT_EQ(*parse_duration("1h30m", 0xffffffff), 5400u);
  EXPECT_EQ(*parse_duration("14D", 0xffffffff), 1209600u);
  EXPECT_FALSE(parse_duration("1x", 0xffffffff).ok());
  EXPECT_FALSE(parse_duration("h", 0xffffffff).ok());
  EXPECT_FALSE(parse_duration("5", 4).ok());
  EXPECT_FALSE(parse_duration("8000w", 0xffffffff).ok());
  EXPECT_FALSE(parse_duration("99999999999999999999999s", 0xffffffff).ok());
}

TEST(Units, Times) {
  constexpr std::uint64_t max = 253402300799;
  EXPECT_EQ(*parse_time("2026-11-25T10:00:00Z", max), 1795600800u);
  EXPECT_EQ(*parse_time("20261125100000", max), 1795600800u);
  EXPECT_EQ(*parse_time("1795600800", max), 1795600800u);
  EXPECT_EQ(*parse_time("1970-01-01T00:00:00Z", max), 0u);
  EXPECT_EQ(*parse_time("99991231235959", max), max);
  EXPECT_EQ(*parse_time("2024-02-29T00:00:00Z", max), 1709164800u);
  EXPECT_FALSE(parse_time("2023-02-29T00:00:00Z", max).ok());
  EXPECT_FALSE(parse_time("2026-13-01T00:00:00Z", max).ok());
  EXPECT_FALSE(parse_time("2026-11-25T24:00:00Z", max).ok());
  EXPECT_FALSE(parse_time("2026-11-25T10:00:00+01:00", max).ok());
  EXPECT_FALSE(parse_time("19691231235959", max).ok());
  EXPECT_FALSE(parse_time("253402300800", max).ok());
  std::string s;
  format_rfc3339(1795600800, s);
  EXPECT_EQ(s, "2026-11-25T10:00:00Z");
  s.clear();
  format_dnssec_time(max, s);
  EXPECT_EQ(s, "99991231235959");
}

TEST(Units, Base64AndHex) {
  for (std::string_view in : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(*base64_decode(base64_encode(in)), in);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8").ok());
  EXPECT_FALSE(base64_decode("Zm9=").ok());  // non-zero padding bits
  EXPECT_FALSE(base64_decode("Z=8=").ok());
  EXPECT_FALSE(base64_decode("Zm*v").ok());
  EXPECT_FALSE(base64_decode("====").ok());
  EXPECT_EQ(*hex_decode("00FFab"), std::string("\x00\xff\xab", 3));
  EXPECT_FALSE(hex_decode("abc").ok());
  EXPECT_FALSE(hex_decode("zz").ok());
}
