// Helpers shared by the record unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "cidns/record/base_encoding.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"

namespace record_test {

inline const cidns::name::identifier& origin() {
  static const auto o = *cidns::name::identifier::parse("provx.cn-north.");
  return o;
}

// Text -> wire data (tokenize_line + parse_data).
inline cidns::result<std::string> parse(cidns::record::rtype t, std::string_view text) {
  auto toks = cidns::record::tokenize_line(text);
  if (!toks) return toks.err();
  return cidns::record::parse_data(t, *toks, origin());
}

inline std::string wire(cidns::record::rtype t, std::string_view text) {
  auto r = parse(t, text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r ? "" : r.err().message);
  return r ? *r : std::string{};
}

inline std::string parse_error(cidns::record::rtype t, std::string_view text) {
  auto r = parse(t, text);
  EXPECT_FALSE(r.ok()) << text << " parsed, but should not";
  return r ? std::string{} : r.err().message;
}

inline std::string bytes(std::string_view hex) { return *cidns::record::hex_decode(hex); }
inline std::string hex(std::string_view b) { return cidns::record::hex_encode(b); }

}  // namespace record_test
