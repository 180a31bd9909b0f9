// Splits zonefile text into entries (one record or directive each) of tokens.
// Tokens are views into the caller's buffer; nothing is allocated per token.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cidns/record/token.hpp"
#include "cidns/util/result.hpp"

namespace cidns::zone {

// RFC 1035 master-file lexing: whitespace separates tokens, ';' starts a
// comment, "( ... )" continues an entry over several lines, a token that
// starts with '"' is a quoted string (escapes \" \\ \DDD left for
// record::unescape, no line breaks inside), and a double-quoted section inside
// a bare token (site="Beijing DC 3") belongs to that token. Outside quotes a
// backslash is an ordinary character. Token positions follow the contract in
// record/token.hpp: the token's first character (a quoted token's opening quote).
class lexer {
 public:
  enum class status : std::uint8_t { entry, end, error };

  explicit lexer(std::string_view text) noexcept;

  // Reads the next non-empty entry into `tokens` (cleared first). `blank_owner`
  // tells that its first line starts with white space (the owner is omitted).
  // On status::error, last_error() says what and where; the rest of the broken
  // entry is skipped, and the next call continues after it.
  status next(std::vector<record::token>& tokens, bool& blank_owner);

  const error& last_error() const noexcept { return m_error; }
  std::uint32_t line() const noexcept { return m_line; }
  // Where the next entry's text begins: what lies before it has been read.
  const char* position() const noexcept { return m_p; }

 private:
  std::uint32_t col_of(const char* p) const noexcept {
    return static_cast<std::uint32_t>(p - m_line_start + 1);
  }
  status fail(const char* at, std::uint32_t line, std::string message);
  void skip_broken_entry();
  void newline(const char* p) noexcept {
    ++m_line;
    m_line_start = p + 1;
  }

  const char* m_p;
  const char* m_end;
  const char* m_line_start;
  std::uint32_t m_line = 1;
  bool m_in_parens = false;
  error m_error;
};

}  // namespace cidns::zone
