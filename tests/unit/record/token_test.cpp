// Unit tests for tokenize_line and unescape.
#include "cidns/record/token.hpp"

#include <gtest/gtest.h>

using cidns::record::token;
using cidns::record::tokenize_line;
using cidns::record::unescape;

TEST(Token, SplitsOnWhitespace) {
  auto t = tokenize_line("  10 1\tgrpc  gw1 ");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 4u);
  EXPECT_EQ((*t)[0].text, "10");
  EXPECT_EQ((*t)[0].col, 3u);
  EXPECT_EQ((*t)[0].line, 1u);
  EXPECT_EQ((*t)[2].text, "grpc");
  EXPECT_EQ((*t)[3].col, 14u);
  EXPECT_FALSE((*t)[3].quoted);
}

TEST(Token, QuotedStrings) {
  auto t = tokenize_line(R"("free text; \"quoted\"" "" bare)");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 3u);
  EXPECT_TRUE((*t)[0].quoted);
  EXPECT_EQ((*t)[0].text, R"(free text; \"quoted\")");
  EXPECT_EQ(*unescape((*t)[0]), "free text; \"quoted\"");
  EXPECT_TRUE((*t)[1].quoted);
  EXPECT_EQ((*t)[1].text, "");
  EXPECT_FALSE((*t)[2].quoted);
}

TEST(Token, QuoteInsideToken) {
  auto t = tokenize_line(R"(kind=gpu site="Beijing DC 3" x-a=b)");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[1].text, R"(site="Beijing DC 3")");
  EXPECT_FALSE((*t)[1].quoted);
  EXPECT_EQ((*t)[1].col, 10u);
  // Two quoted parts glued together are one unquoted token.
  auto u = tokenize_line(R"("a" "b""c")");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->size(), 2u);
  EXPECT_TRUE((*u)[0].quoted);
  EXPECT_FALSE((*u)[1].quoted);
  EXPECT_EQ((*u)[1].text, R"("b""c")");
}

TEST(Token, Errors) {
  auto t = tokenize_line(R"(a "open)");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.err().col, 3u);
  EXPECT_FALSE(tokenize_line(R"("ends in escape\")").ok());
}

TEST(Token, Unescape) {
  EXPECT_EQ(*unescape(std::string_view(R"(a\"b\\c\065\000\255)")),
            std::string("a\"b\\cA\0\xff", 8));
  EXPECT_EQ(*unescape(std::string_view(R"(\x)")), "x");
  auto bad = unescape(std::string_view(R"(ab\256)"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().col, 3u);
  EXPECT_FALSE(unescape(std::string_view(R"(\12)")).ok());
  EXPECT_FALSE(unescape(std::string_view(R"(\1a3)")).ok());
  EXPECT_FALSE(unescape(std::string_view("a\\")).ok());
  token q{R"(x\300)", true, 4, 10};
  auto e = unescape(q);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.err().line, 4u);
  EXPECT_EQ(e.err().col, 12u);  // quote at 10, x at 11, backslash at 12
  token bare{R"(a\065)", false, 1, 1};
  EXPECT_EQ(*unescape(bare), R"(a\065)");
}
