// --allow prefixes: IPv4 and IPv6, lengths, mapped addresses, errors.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <string>

#include "access_list.hpp"

namespace cidns::resolverd {
namespace {

std::string ip(const char* text) {
  unsigned char b[16] = {};
  if (inet_pton(AF_INET, text, b) == 1) return {reinterpret_cast<char*>(b), 4};
  EXPECT_EQ(inet_pton(AF_INET6, text, b), 1) << text;
  return {reinterpret_cast<char*>(b), 16};
}

TEST(AccessList, LoopbackByDefault) {
  const auto a = access_list::loopback();
  EXPECT_TRUE(a.allows(ip("127.0.0.1")));
  EXPECT_TRUE(a.allows(ip("127.200.3.4")));
  EXPECT_TRUE(a.allows(ip("::1")));
  EXPECT_TRUE(a.allows(ip("::ffff:127.0.0.9"))) << "IPv4-mapped counts as IPv4";
  EXPECT_FALSE(a.allows(ip("10.0.0.1")));
  EXPECT_FALSE(a.allows(ip("::2")));
  EXPECT_FALSE(a.allows("abc")) << "neither 4 nor 16 bytes";
  EXPECT_EQ(a.to_string(), "127.0.0.0/8 ::1/128");
}

TEST(AccessList, PrefixLengths) {
  access_list a;
  ASSERT_TRUE(a.add("192.0.2.0/25"));
  ASSERT_TRUE(a.add("2001:db8::/33"));
  ASSERT_TRUE(a.add("198.51.100.7"));
  EXPECT_TRUE(a.allows(ip("192.0.2.127")));
  EXPECT_FALSE(a.allows(ip("192.0.2.128")));
  EXPECT_TRUE(a.allows(ip("2001:db8:7fff::1")));
  EXPECT_FALSE(a.allows(ip("2001:db8:8000::1")));
  EXPECT_TRUE(a.allows(ip("198.51.100.7")));
  EXPECT_FALSE(a.allows(ip("198.51.100.8")));
}

TEST(AccessList, AnyAndErrors) {
  access_list a;
  ASSERT_TRUE(a.add("any"));
  EXPECT_TRUE(a.allows(ip("203.0.113.1")));
  EXPECT_TRUE(a.allows(ip("2001:db8::1")));
  for (const char* bad :
       {"10.0.0.0/33", "::/129", "10.0.0.0/x", "10.0.0.0/", "host.example", "300.1.1.1"}) {
    auto r = a.add(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.err().message.find(bad), std::string::npos) << r.err().message;
  }
}

}  // namespace
}  // namespace cidns::resolverd
