// Nearest-keyword suggestions (record/suggest.hpp) and their use in DESC keys.
#include "cidns/record/suggest.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "test_util.hpp"

namespace {

using cidns::record::edit_distance;
using cidns::record::nearest;
using cidns::record::rtype;
using record_test::parse_error;

constexpr std::array<std::string_view, 5> keys{"accel.count", "accel.mem", "mem", "vcpu",
                                               "price.unit"};

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0U);
  EXPECT_EQ(edit_distance("abc", ""), 3U);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
  EXPECT_EQ(edit_distance("accel.cont", "accel.count"), 1U);
}

TEST(Suggest, NearestWithinTwoEdits) {
  EXPECT_EQ(nearest("accel.cont", keys), "accel.count");
  EXPECT_EQ(nearest("acel.mem", keys), "accel.mem");
  EXPECT_EQ(nearest("price.unt", keys), "price.unit");
  EXPECT_EQ(nearest("vcpus", keys), "vcpu");
}

TEST(Suggest, NothingWhenFarOrShort) {
  EXPECT_EQ(nearest("colour", keys), std::nullopt);
  EXPECT_EQ(nearest("me", keys), std::nullopt);  // 1 edit of 2 letters: not a typo
  EXPECT_EQ(nearest("", keys), std::nullopt);
  EXPECT_EQ(nearest(std::string(100, 'a'), keys), std::nullopt);
  EXPECT_EQ(nearest("accel.cont", {}), std::nullopt);
}

TEST(Suggest, TiesGoToTheEarlierCandidate) {
  constexpr std::array<std::string_view, 2> two{"abcd", "abce"};
  EXPECT_EQ(nearest("abcf", two), "abcd");
}

TEST(Suggest, UnknownKeysOfEveryKeyValueType) {
  EXPECT_EQ(parse_error(rtype::desc, "kind=gpu accel.cont=8"),
            "unknown DESC key \"accel.cont\" (did you mean \"accel.count\"?)");
  EXPECT_EQ(parse_error(rtype::state, "fre=3"),
            "unknown STATE key \"fre\" (did you mean \"free\"?)");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw 443 pth=/v1"),
            "unknown EP key \"pth\" (did you mean \"path\"?)");
  EXPECT_EQ(parse_error(rtype::desc, "colour=red"), "unknown DESC key \"colour\"");
}

}  // namespace
