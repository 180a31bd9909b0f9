// Unit tests for cidns::name::identifier: parsing, errors, ordering, keys, URIs.
#include "cidns/name/identifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using cidns::name::canonical_compare;
using cidns::name::canonical_less;
using cidns::name::identifier;

namespace {

identifier id(std::string_view s) {
  auto r = identifier::parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r ? "" : r.err().message);
  return r ? *r : identifier{};
}

}  // namespace

TEST(Identifier, ParsesAbsoluteAndBareForms) {
  EXPECT_EQ(id("h100-8x.pool1.provx.cn-north").text(), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(id("h100-8x.pool1.provx.cn-north.").text(), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(id(".").text(), ".");
  EXPECT_TRUE(id(".").is_root());
  EXPECT_EQ(id("A_B-C.Example").text(), "a_b-c.example.");
}

TEST(Identifier, RelativeToOrigin) {
  identifier origin = id("provx.cn-north.");
  EXPECT_EQ(identifier::parse("ns1", origin)->text(), "ns1.provx.cn-north.");
  EXPECT_EQ(identifier::parse("@", origin)->text(), "provx.cn-north.");
  EXPECT_EQ(identifier::parse("other.", origin)->text(), "other.");
  EXPECT_EQ(identifier::parse("a", identifier{})->text(), "a.");
  EXPECT_FALSE(identifier::parse("@").ok());
}

TEST(Identifier, RejectsWithPreciseErrors) {
  auto r = identifier::parse("abc.d@f.x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().col, 6u);
  EXPECT_NE(r.err().message.find("label 2"), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("'@'"), std::string::npos) << r.err().message;

  EXPECT_FALSE(identifier::parse("").ok());
  EXPECT_FALSE(identifier::parse("a..b").ok());
  EXPECT_EQ(identifier::parse("a..b").err().col, 3u);
  EXPECT_FALSE(identifier::parse(".a").ok());
  EXPECT_FALSE(identifier::parse("a.b..").ok());
  EXPECT_FALSE(identifier::parse("a\\.b").ok());
  EXPECT_FALSE(identifier::parse("caf\xc3\xa9").ok());
  EXPECT_NE(identifier::parse("caf\xc3\xa9").err().message.find("punycode"), std::string::npos);
  EXPECT_FALSE(identifier::parse("a b").ok());
  EXPECT_FALSE(identifier::parse(std::string(64, 'a')).ok());
  EXPECT_TRUE(identifier::parse(std::string(63, 'a')).ok());
}

TEST(Identifier, LengthLimitIs253Characters) {
  std::string ok = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
                   "." + std::string(61, 'd');
  ASSERT_EQ(ok.size(), 253u);
  EXPECT_TRUE(identifier::parse(ok).ok());
  EXPECT_TRUE(identifier::parse(ok + ".").ok());
  EXPECT_FALSE(identifier::parse(ok + "d").ok());
  // Appending the origin may push a name over the limit.
  identifier origin = id(std::string(63, 'x') + "." + std::string(63, 'y'));
  EXPECT_FALSE(identifier::parse(std::string(63, 'a') + "." + std::string(63, 'b'), origin).ok());
}

TEST(Identifier, WildcardOnlyLeftmost) {
  EXPECT_TRUE(id("*.spot.provx").is_wildcard());
  EXPECT_FALSE(identifier::parse("a.*.b").ok());
  EXPECT_FALSE(identifier::parse("a*.b").ok());
  EXPECT_FALSE(id("a.spot").is_wildcard());
  EXPECT_EQ(id("spot.provx").wildcard_child()->text(), "*.spot.provx.");
}

TEST(Identifier, Labels) {
  identifier n = id("a.bb.ccc.");
  EXPECT_EQ(n.label_count(), 3u);
  EXPECT_EQ(n.label(0), "a");
  EXPECT_EQ(n.label(1), "bb");
  EXPECT_EQ(n.label(2), "ccc");
  EXPECT_EQ(n.label(3), "");
  EXPECT_EQ(identifier{}.label_count(), 0u);
  EXPECT_EQ(n.parent().text(), "bb.ccc.");
  EXPECT_EQ(n.parent().parent().parent().text(), ".");
  EXPECT_EQ(identifier{}.parent().text(), ".");
  EXPECT_EQ(n.strip_left(2).text(), "ccc.");
  EXPECT_EQ(n.strip_left(3).text(), ".");
  EXPECT_EQ(n.text_no_dot(), "a.bb.ccc");
  EXPECT_EQ(n.child("X")->text(), "x.a.bb.ccc.");
  EXPECT_FALSE(n.child("a.b").ok());
}

TEST(Identifier, IsPartOfAndRelative) {
  identifier zone = id("provx.cn-north");
  EXPECT_TRUE(id("a.provx.cn-north").is_part_of(zone));
  EXPECT_TRUE(zone.is_part_of(zone));
  EXPECT_FALSE(id("aprovx.cn-north").is_part_of(zone));
  EXPECT_FALSE(id("cn-north").is_part_of(zone));
  EXPECT_TRUE(zone.is_part_of(identifier{}));
  EXPECT_EQ(id("a.b.provx.cn-north").make_relative(zone), "a.b");
  EXPECT_EQ(zone.make_relative(zone), "@");
  EXPECT_EQ(id("other.").make_relative(zone), "other.");
  EXPECT_EQ(id("a.b.").make_relative(identifier{}), "a.b");
}

TEST(Identifier, CanonicalOrderMatchesRfc4034Example) {
  // RFC 4034 §6.1's example, in our alphabet.
  std::vector<identifier> expected = {
      id("example"),     id("a.example"),      id("yljkjljk.a.example"),
      id("z.a.example"), id("zabc.a.example"), id("z.example"),
      id("*.z.example"), id("a-b.z.example"),  id("a_b.z.example")};
  std::vector<identifier> shuffled = expected;
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::sort(shuffled.begin(), shuffled.end(), canonical_less{});
  EXPECT_EQ(shuffled, expected);
  EXPECT_TRUE(canonical_compare(identifier{}, id("a")) < 0);
  EXPECT_TRUE(canonical_compare(id("a.b"), id("A.B.")) == 0);
}

TEST(Identifier, KeyOrderEqualsCanonicalOrder) {
  std::vector<std::string> texts = {"a",     "b",     "a.a", "ab",   "a.ab",  "z.a", "*.a",
                                    "-.a",   "_.a",   "0.a", "aa.a", "a.b.c", "c",   "b.c",
                                    "x.b.c", "b.b.c", "a-b", "a_b",  "a0",    "9"};
  std::vector<identifier> names;
  for (auto& t : texts) names.push_back(id(t));
  names.push_back(identifier{});
  for (auto& a : names) {
    for (auto& b : names) {
      auto by_name = canonical_compare(a, b);
      auto by_key = a.key() <=> b.key();
      EXPECT_TRUE(by_name == by_key) << a.text() << " vs " << b.text();
    }
    auto back = identifier::from_key(a.key());
    ASSERT_TRUE(back.ok()) << a.text();
    EXPECT_EQ(*back, a);
  }
  EXPECT_EQ(id("a.bb.c").key(), std::string("c\0bb\0a\0", 7));
  EXPECT_FALSE(identifier::from_key(std::string("c\0\0", 3)).ok());
  EXPECT_FALSE(identifier::from_key("c").ok());
  EXPECT_FALSE(identifier::from_key(std::string("C\0", 2)).ok());
  EXPECT_FALSE(identifier::from_key(std::string("a.b\0", 4)).ok());
}

TEST(Identifier, Uri) {
  EXPECT_EQ(id("h100-8x.pool1.provx.cn-north").uri(), "cid://h100-8x.pool1.provx.cn-north");
  auto p = cidns::name::parse_uri("cid://H100-8x.pool1.provx.cn-north/node/3");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->id.text(), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(p->path, "/node/3");
  EXPECT_TRUE(cidns::name::parse_uri("CID://a.b").ok());
  EXPECT_FALSE(cidns::name::parse_uri("http://a.b").ok());
  EXPECT_FALSE(cidns::name::parse_uri("cid://a.b?x=1").ok());
  EXPECT_FALSE(cidns::name::parse_uri("cid://").ok());
  EXPECT_EQ(identifier{}.uri(), "cid://.");
  EXPECT_TRUE(cidns::name::parse_uri(identifier{}.uri())->id.is_root());
  auto bad = cidns::name::parse_uri("cid://a.b@c");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().col, 10u);
}
