// Parsing of ADDR[:PORT] as operators write it.
#include <gtest/gtest.h>

#include "cidns/net/endpoint.hpp"

namespace cidns::net {
namespace {

endpoint must_parse(std::string_view text) {
  auto r = parse_endpoint(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.err().message);
  return r.ok() ? *r : endpoint{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_endpoint(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  return r.ok() ? "" : r.err().message;
}

TEST(Endpoint, Ipv4WithAndWithoutPort) {
  auto a = must_parse("127.0.0.1");
  EXPECT_EQ(a.address.to_string(), "127.0.0.1");
  EXPECT_EQ(a.port, 5380);
  auto b = must_parse("10.1.2.3:53");
  EXPECT_EQ(b.address.to_string(), "10.1.2.3");
  EXPECT_EQ(b.port, 53);
  EXPECT_EQ(must_parse("0.0.0.0:0").port, 0);
  EXPECT_EQ(must_parse("1.2.3.4:65535").port, 65535);
}

TEST(Endpoint, Ipv6Forms) {
  auto a = must_parse("[::1]:53");
  EXPECT_TRUE(a.address.is_v6());
  EXPECT_EQ(a.address.to_string(), "::1");
  EXPECT_EQ(a.port, 53);
  auto b = must_parse("[2001:db8::1]");
  EXPECT_EQ(b.address.to_string(), "2001:db8::1");
  EXPECT_EQ(b.port, 5380);
  auto c = must_parse("::1");
  EXPECT_TRUE(c.address.is_v6());
  EXPECT_EQ(c.port, 5380);
  auto d = must_parse("fe80::1:2");  // bare IPv6: the last group is not a port
  EXPECT_EQ(d.address.to_string(), "fe80::1:2");
  EXPECT_EQ(d.port, 5380);
}

TEST(Endpoint, DefaultPortIsTheCallers) {
  auto r = parse_endpoint("127.0.0.1", 9100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->port, 9100);
}

TEST(Endpoint, ToStringRoundTrips) {
  EXPECT_EQ(must_parse("127.0.0.2").to_string(), "127.0.0.2:5380");
  EXPECT_EQ(must_parse("::1").to_string(), "[::1]:5380");
  for (const char* text : {"127.0.0.2:5380", "[::1]:53", "[2001:db8::5]:0"})
    EXPECT_EQ(must_parse(text).to_string(), text);
}

TEST(Endpoint, Errors) {
  EXPECT_EQ(parse_error("127.0.0.300"), "127.0.0.300: invalid IPv4 address");
  EXPECT_EQ(parse_error("127.0.0.300:53"), "127.0.0.300:53: invalid IPv4 address");
  EXPECT_EQ(parse_error("1.2.3"), "1.2.3: invalid IPv4 address");
  EXPECT_EQ(parse_error("[::1"), "[::1: missing ']' after IPv6 address");
  EXPECT_EQ(parse_error("[::g]:53"), "[::g]:53: invalid IPv6 address");
  EXPECT_EQ(parse_error("[1.2.3.4]:53"), "[1.2.3.4]:53: invalid IPv6 address");
  EXPECT_EQ(parse_error("[::1]53"), "[::1]53: expected ':PORT' after ']'");
  EXPECT_EQ(parse_error("1.2.3.4:"), "1.2.3.4:: missing port after ':'");
  EXPECT_EQ(parse_error("1.2.3.4:65536"), "1.2.3.4:65536: invalid port '65536' (expected 0-65535)");
  EXPECT_EQ(parse_error("1.2.3.4:-1"), "1.2.3.4:-1: invalid port '-1' (expected 0-65535)");
  EXPECT_EQ(parse_error("1.2.3.4:53x"), "1.2.3.4:53x: invalid port '53x' (expected 0-65535)");
  EXPECT_EQ(parse_error("1.2.3.4:000053"),
            "1.2.3.4:000053: invalid port '000053' (expected 0-65535)");
  EXPECT_EQ(parse_error(":53"), ":53: missing address");
  EXPECT_EQ(parse_error("[]:53"), "[]:53: missing address");
  EXPECT_EQ(parse_error(""), "empty address");
  EXPECT_NE(parse_error("localhost:53").find("not an IP address"), std::string::npos);
  EXPECT_NE(parse_error("1.2.3.4 :53").find("not an IP address"), std::string::npos);
}

// Found by fuzz_resolv_conf: a zone id Asio would have read with atoi did not print back.
TEST(Endpoint, Ipv6ZoneIds) {
  auto numeric = parse_endpoint("[fe80::1%2]:53");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->address.to_v6().scope_id(), 2u);
  auto named = parse_endpoint("[::1%lo]:53");
  ASSERT_TRUE(named.ok());
  auto back = parse_endpoint(named->to_string());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *named);
  for (const char* bad : {"::%", "::%6666666666r6", "::%99999999999",
                          "::000%00000000000002503069473", "[::1%nosuchif0]:53"})
    EXPECT_NE(parse_error(bad).find("invalid IPv6 zone id"), std::string::npos) << bad;
}

}  // namespace
}  // namespace cidns::net
