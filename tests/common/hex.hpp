// Hex text for test fixtures and golden bytes ("0d 78 56", one file per case):
// white space is ignored; anything else that is not hex fails the test loudly.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "cidns/record/base_encoding.hpp"

namespace cidns::test {

inline std::string hex(std::string_view bytes) { return record::hex_encode(bytes); }

inline std::string unhex(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') digits.push_back(c);
  }
  auto bytes = record::hex_decode(digits);
  if (!bytes) throw std::invalid_argument("bad hex in a test fixture: " + bytes.err().message);
  return std::move(*bytes);
}

}  // namespace cidns::test
