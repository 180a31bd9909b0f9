// A token of presentation text (zonefiles, CLI arguments), with its position.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/util/result.hpp"

namespace cidns::record {

// The token contract shared by every lexer (tokenize_line below, the zonefile
// lexer in lib/zone) and parse_data:
//
// - Tokens are separated by whitespace outside double quotes.
// - A token that is entirely one double-quoted string ("free text") has
//   quoted = true and `text` without the quotes, escapes not yet resolved.
// - A double-quoted section may also appear inside a token, as in
//   site="Beijing DC 3": that is ONE token with quoted = false and `text`
//   exactly as written, quotes included (the whitespace inside the quotes
//   does not split it). parse_data unquotes such `key="..."` values itself.
// - Inside quotes, \" and \\ and \DDD (a decimal byte 000-255) are escapes, and
//   a backslash escapes the next character for the purpose of finding the
//   closing quote. Outside quotes a backslash is an ordinary character
//   (so the generic form's "\#" is the two characters \ and #).
// - line and col are 1-based (col counts bytes) and point at the token's first
//   character (its opening quote for a quoted token); 0 = unknown.
struct token {
  std::string_view text;
  bool quoted = false;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
};

// Splits one line of presentation text (no parentheses, no comments) into tokens;
// used by CLIs. Zonefiles have their own lexer in lib/zone. Tokens are on line 1.
result<std::vector<token>> tokenize_line(std::string_view text);

// Resolves the escapes of a quoted token: \" \\ and \DDD (decimal byte); any
// other escaped character stands for itself. An unquoted token is returned as is.
result<std::string> unescape(const token& t);

// Resolves the escapes in `text` (the inside of a quoted string). On error,
// err().col is the 1-based offset of the bad escape in `text`.
result<std::string> unescape(std::string_view text);

}  // namespace cidns::record
