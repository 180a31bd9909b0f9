// Zonefile lexer: one pass over the bytes, tokens as views (see lexer.hpp).
#include "cidns/zone/lexer.hpp"

#include <array>

namespace cidns::zone {
namespace {

// Characters that end a bare token.
// One table lookup per byte on the hot path (the lexer scans every byte of a zone).
constexpr std::array<bool, 256> delimiter_table = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\r', '\n', ';', '(', ')'}) t[c] = true;
  return t;
}();

constexpr bool is_delimiter(char c) noexcept {
  return delimiter_table[static_cast<unsigned char>(c)];
}

// Scans a double-quoted section starting after its opening quote; returns the
// position of the closing quote, or nullptr when the line or text ends first.
const char* find_closing_quote(const char* q, const char* end) noexcept {
  while (q < end) {
    char c = *q;
    if (c == '"') return q;
    if (c == '\n') return nullptr;
    if (c == '\\' && q + 1 < end && q[1] != '\n') ++q;
    ++q;
  }
  return nullptr;
}

}  // namespace

lexer::lexer(std::string_view text) noexcept
    : m_p(text.data()), m_end(text.data() + text.size()), m_line_start(text.data()) {}

lexer::status lexer::fail(const char* at, std::uint32_t line, std::string message) {
  m_error =
      error{std::move(message), line, line == m_line ? col_of(at) : static_cast<std::uint32_t>(1)};
  skip_broken_entry();
  return status::error;
}

// Inside parentheses: skip to the closing one (comments ignored) and then to
// the end of that line; otherwise to the end of the current line.
void lexer::skip_broken_entry() {
  if (m_in_parens) {
    while (m_p < m_end && *m_p != ')') {
      if (*m_p == ';') {
        while (m_p < m_end && *m_p != '\n') ++m_p;
        continue;
      }
      if (*m_p == '\n') newline(m_p);
      ++m_p;
    }
    m_in_parens = false;
  }
  while (m_p < m_end && *m_p != '\n') ++m_p;
  if (m_p < m_end) {
    newline(m_p);
    ++m_p;
  }
}

lexer::status lexer::next(std::vector<record::token>& tokens, bool& blank_owner) {
  tokens.clear();
  blank_owner = m_p < m_end && (*m_p == ' ' || *m_p == '\t');
  const char* paren_at = nullptr;
  std::uint32_t paren_line = 0;
  std::uint32_t paren_col = 0;

  while (m_p < m_end) {
    const char c = *m_p;
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        ++m_p;
        continue;
      case '\n':
        newline(m_p);
        ++m_p;
        if (!m_in_parens) {
          if (!tokens.empty()) return status::entry;
          blank_owner = m_p < m_end && (*m_p == ' ' || *m_p == '\t');
        }
        continue;
      case ';':
        while (m_p < m_end && *m_p != '\n') ++m_p;
        continue;
      case '(':
        if (m_in_parens) return fail(m_p, m_line, "nested '(': the entry is already continued");
        m_in_parens = true;
        paren_at = m_p;
        paren_line = m_line;
        paren_col = col_of(m_p);
        ++m_p;
        continue;
      case ')':
        if (!m_in_parens) return fail(m_p, m_line, "')' without a matching '('");
        m_in_parens = false;
        ++m_p;
        continue;
      case '"': {
        const char* close = find_closing_quote(m_p + 1, m_end);
        if (close == nullptr) {
          return fail(m_p, m_line, "unterminated quoted string (a string must end on its line)");
        }
        tokens.push_back(
            record::token{std::string_view(m_p + 1, static_cast<std::size_t>(close - m_p - 1)),
                          true, m_line, col_of(m_p)});
        m_p = close + 1;
        if (m_p < m_end && !is_delimiter(*m_p)) {
          return fail(m_p, m_line, "expected white space after the closing quote");
        }
        continue;
      }
      default: {
        const char* start = m_p;
        const char* q = m_p;
        while (q < m_end && !is_delimiter(*q)) {
          if (*q == '"') {
            const char* close = find_closing_quote(q + 1, m_end);
            if (close == nullptr) {
              return fail(q, m_line, "unterminated quoted string (a string must end on its line)");
            }
            q = close + 1;
          } else {
            ++q;
          }
        }
        tokens.push_back(record::token{std::string_view(start, static_cast<std::size_t>(q - start)),
                                       false, m_line, col_of(start)});
        m_p = q;
        continue;
      }
    }
  }
  if (m_in_parens) {
    m_in_parens = false;
    m_error = error{"'(' without a matching ')' before the end of the file", paren_line, paren_col};
    (void)paren_at;
    return status::error;
  }
  return tokens.empty() ? status::end : status::entry;
}

}  // namespace cidns::zone
