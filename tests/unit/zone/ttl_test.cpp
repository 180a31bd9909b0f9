// TTL syntax: seconds, units and combinations, limits.
#include "cidns/zone/ttl.hpp"

#include <gtest/gtest.h>

namespace cidns::zone {
namespace {

TEST(Ttl, Units) {
  EXPECT_EQ(*parse_ttl("0"), 0U);
  EXPECT_EQ(*parse_ttl("3600"), 3600U);
  EXPECT_EQ(*parse_ttl("30s"), 30U);
  EXPECT_EQ(*parse_ttl("5m"), 300U);
  EXPECT_EQ(*parse_ttl("1h"), 3600U);
  EXPECT_EQ(*parse_ttl("1d"), 86400U);
  EXPECT_EQ(*parse_ttl("1w"), 604800U);
  EXPECT_EQ(*parse_ttl("1H30M"), 5400U);
  EXPECT_EQ(*parse_ttl("1w2d3h4m5s"), 604800U + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(*parse_ttl("2147483647"), 2147483647U);
}

TEST(Ttl, Errors) {
  EXPECT_FALSE(parse_ttl(""));
  EXPECT_FALSE(parse_ttl("h"));
  EXPECT_FALSE(parse_ttl("1x"));
  EXPECT_EQ(parse_ttl("1x").err().col, 2U);
  EXPECT_FALSE(parse_ttl("1h30"));
  EXPECT_FALSE(parse_ttl("2147483648"));
  EXPECT_FALSE(parse_ttl("99999999999999999999"));
  EXPECT_FALSE(parse_ttl("4000w"));
  EXPECT_FALSE(parse_ttl("-1"));
}

}  // namespace
}  // namespace cidns::zone
