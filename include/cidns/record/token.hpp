// A token of presentation text (zonefiles, CLI arguments), with its position.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cidns/util/result.hpp"

namespace cidns::record {

// `text` is the token as written, without surrounding quotes; `quoted` tells
// that it was a double-quoted string (escapes \" \\ \DDD not yet resolved).
struct token {
  std::string_view text;
  bool quoted = false;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
};

// Splits one line of presentation text (no parentheses, no comments) into tokens;
// used by CLIs. Zonefiles have their own lexer in lib/zone.
result<std::vector<token>> tokenize_line(std::string_view text);

// Resolves the escapes of a quoted token: \" \\ and \DDD (decimal byte).
result<std::string> unescape(const token& t);

}  // namespace cidns::record
