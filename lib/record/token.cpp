// Tokenizing one line of presentation text, and resolving escapes.
#include "cidns/record/token.hpp"

#include <fmt/format.h>

namespace cidns::record {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

result<std::vector<token>> tokenize_line(std::string_view text) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    bool in_quote = false;
    std::size_t quote_open = 0;
    while (i < text.size() && (in_quote || !is_space(text[i]))) {
      char c = text[i];
      if (in_quote && c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"') {
        in_quote = !in_quote;
        quote_open = i;
      }
      ++i;
    }
    if (in_quote || i > text.size()) {
      return make_error("unterminated quoted string", 1,
                        static_cast<std::uint32_t>(quote_open + 1));
    }
    std::string_view tok = text.substr(start, i - start);
    token t{tok, false, 1, static_cast<std::uint32_t>(start + 1)};
    // Entirely one quoted string: "..." with its closing quote at the end.
    if (tok.size() >= 2 && tok.front() == '"' && quote_open == start + tok.size() - 1) {
      bool single = true;
      for (std::size_t k = 1; k + 1 < tok.size(); ++k) {
        if (tok[k] == '\\') {
          ++k;
        } else if (tok[k] == '"') {
          single = false;
          break;
        }
      }
      if (single) t = token{tok.substr(1, tok.size() - 2), true, 1, t.col};
    }
    out.push_back(t);
  }
  return out;
}

result<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    auto col = static_cast<std::uint32_t>(i + 1);
    if (i + 1 >= text.size()) return make_error("backslash at the end of the string", 0, col);
    char n = text[i + 1];
    if (n >= '0' && n <= '9') {
      unsigned v = 0;
      for (std::size_t k = 1; k <= 3; ++k) {
        if (i + k >= text.size() || text[i + k] < '0' || text[i + k] > '9') {
          return make_error("\\DDD escape needs exactly three decimal digits", 0, col);
        }
        v = v * 10 + static_cast<unsigned>(text[i + k] - '0');
      }
      if (v > 255) return make_error(fmt::format("\\{} is not a byte (000-255)", v), 0, col);
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(n);
      ++i;
    }
  }
  return out;
}

result<std::string> unescape(const token& t) {
  if (!t.quoted) return std::string(t.text);
  auto r = unescape(t.text);
  if (!r) {
    // +1 for the opening quote.
    return make_error(r.err().message, t.line, t.col + r.err().col);
  }
  return r;
}

}  // namespace cidns::record
