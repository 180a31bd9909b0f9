// Test helpers for lib/select: resources written as zonefile DESC/STATE text.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"

namespace cidns::select::test {

template <typename T>
T parse_record(record::rtype type, std::string_view text) {
  auto toks = record::tokenize_line(text);
  if (!toks) throw std::runtime_error(toks.err().message);
  auto wire = record::parse_data(type, *toks, {});
  if (!wire) throw std::runtime_error(std::string(text) + ": " + wire.err().message);
  auto v = T::decode(*wire);
  if (!v) throw std::runtime_error(v.err().message);
  return std::move(v).value();
}

inline record::desc desc_of(std::string_view text) {
  return parse_record<record::desc>(record::rtype::desc, text);
}
inline record::state state_of(std::string_view text) {
  return parse_record<record::state>(record::rtype::state, text);
}

}  // namespace cidns::select::test
