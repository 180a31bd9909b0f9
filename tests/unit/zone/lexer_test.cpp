// The zonefile lexer: tokens, positions, comments, parentheses, quotes, errors.
#include "cidns/zone/lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cidns::zone {
namespace {

struct lexed {
  std::vector<std::vector<record::token>> entries;
  std::vector<bool> blanks;
  std::vector<error> errors;
};

lexed lex_all(std::string_view text) {
  lexed out;
  lexer lx(text);
  std::vector<record::token> t;
  bool blank = false;
  for (int guard = 0; guard < 1000; ++guard) {
    auto s = lx.next(t, blank);
    if (s == lexer::status::end) break;
    if (s == lexer::status::error) {
      out.errors.push_back(lx.last_error());
      continue;
    }
    out.entries.push_back(t);
    out.blanks.push_back(blank);
  }
  return out;
}

std::vector<std::string> texts(const std::vector<record::token>& t) {
  std::vector<std::string> out;
  for (const auto& x : t) out.emplace_back(x.quoted ? "\"" + std::string(x.text) + "\"" : x.text);
  return out;
}

using strings = std::vector<std::string>;

TEST(Lexer, SplitsEntriesAndTracksPositions) {
  auto r = lex_all("a 1h TXT x\n\n  b\tc ; comment\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.entries.size(), 2U);
  EXPECT_EQ(texts(r.entries[0]), (strings{"a", "1h", "TXT", "x"}));
  EXPECT_FALSE(r.blanks[0]);
  EXPECT_EQ(texts(r.entries[1]), (strings{"b", "c"}));
  EXPECT_TRUE(r.blanks[1]);
  EXPECT_EQ(r.entries[0][2].line, 1U);
  EXPECT_EQ(r.entries[0][2].col, 6U);
  EXPECT_EQ(r.entries[1][1].line, 3U);
  EXPECT_EQ(r.entries[1][1].col, 5U);
}

TEST(Lexer, NoTrailingNewlineAndCrLf) {
  auto r = lex_all("a TXT x\r\nb TXT y");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.entries.size(), 2U);
  EXPECT_EQ(texts(r.entries[0]), (strings{"a", "TXT", "x"}));
  EXPECT_EQ(texts(r.entries[1]), (strings{"b", "TXT", "y"}));
}

TEST(Lexer, ParenthesesContinueAcrossLinesWithComments) {
  auto r = lex_all("a DESC ( kind=gpu ; one\n   vcpu=4 ; two ( ) ignored\n )\nb TXT z\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.entries.size(), 2U);
  EXPECT_EQ(texts(r.entries[0]), (strings{"a", "DESC", "kind=gpu", "vcpu=4"}));
  EXPECT_EQ(r.entries[0][3].line, 2U);
  EXPECT_EQ(r.entries[0][3].col, 4U);
  EXPECT_FALSE(r.blanks[1]);
}

TEST(Lexer, ParenthesesAreDelimiters) {
  auto r = lex_all("a DESC (kind=gpu)\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(texts(r.entries[0]), (strings{"a", "DESC", "kind=gpu"}));
}

TEST(Lexer, QuotedStrings) {
  auto r = lex_all(R"z(a TXT "free text; \"quoted\"" "" "(x)")z"
                   "\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.entries[0].size(), 5U);
  EXPECT_TRUE(r.entries[0][2].quoted);
  EXPECT_EQ(r.entries[0][2].text, R"(free text; \"quoted\")");
  EXPECT_EQ(r.entries[0][2].col, 7U);  // the opening quote
  EXPECT_EQ(r.entries[0][3].text, "");
  EXPECT_EQ(r.entries[0][4].text, "(x)");
}

TEST(Lexer, QuotedSectionInsideBareToken) {
  auto r = lex_all("a DESC site=\"Beijing DC 3\" x-note=\"a \\\"b\\\" ; c\" k=v\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(texts(r.entries[0]),
            (strings{"a", "DESC", "site=\"Beijing DC 3\"", "x-note=\"a \\\"b\\\" ; c\"", "k=v"}));
  EXPECT_FALSE(r.entries[0][2].quoted);
}

TEST(Lexer, BackslashIsOrdinaryOutsideQuotes) {
  auto r = lex_all("a TXT x\\ y \\# 1 \"\\\" ;\"\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(texts(r.entries[0]), (strings{"a", "TXT", "x\\", "y", "\\#", "1", "\"\\\" ;\""}));
}

TEST(Lexer, UnterminatedQuoteIsAnErrorAndLexingContinues) {
  auto r = lex_all("a TXT \"open\nb TXT ok\n");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].line, 1U);
  EXPECT_EQ(r.errors[0].col, 7U);
  ASSERT_EQ(r.entries.size(), 1U);
  EXPECT_EQ(texts(r.entries[0]), (strings{"b", "TXT", "ok"}));
}

TEST(Lexer, JunkAfterClosingQuote) {
  auto r = lex_all("a TXT \"x\"y\nb TXT ok\n");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].col, 10U);
  ASSERT_EQ(r.entries.size(), 1U);
}

TEST(Lexer, UnbalancedParentheses) {
  auto r = lex_all("a TXT x )\nb DESC ( k=v (\n  more )\nc TXT ok\nd DESC ( k=v\n");
  ASSERT_EQ(r.errors.size(), 3U);
  EXPECT_EQ(r.errors[0].line, 1U);
  EXPECT_EQ(r.errors[0].col, 9U);
  EXPECT_EQ(r.errors[1].line, 2U);
  EXPECT_EQ(r.errors[1].col, 14U);
  EXPECT_EQ(r.errors[2].line, 5U);  // the '(' that is never closed
  EXPECT_EQ(r.errors[2].col, 8U);
  ASSERT_EQ(r.entries.size(), 1U);
  EXPECT_EQ(texts(r.entries[0]), (strings{"c", "TXT", "ok"}));
}

TEST(Lexer, EmptyAndCommentOnlyInput) {
  EXPECT_TRUE(lex_all("").entries.empty());
  EXPECT_TRUE(lex_all("; only\n   \n\t; more").entries.empty());
}

}  // namespace
}  // namespace cidns::zone
