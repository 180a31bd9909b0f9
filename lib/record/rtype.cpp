// Record type mnemonics, from the type table (plus the RESOURCE meta-type).
#include "cidns/record/rtype.hpp"

#include <fmt/format.h>
#include <charconv>

#include "field.hpp"

namespace cidns::record {
namespace {

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string type_name(rtype t) {
  if (const auto* td = detail::find_type(t)) return std::string(td->name);
  if (t == rtype::resource) return "RESOURCE";
  return fmt::format("TYPE{}", static_cast<unsigned>(t));
}

std::optional<rtype> parse_type(std::string_view text) {
  for (const auto& td : detail::all_types()) {
    if (iequal(text, td.name)) return td.type;
  }
  if (iequal(text, "RESOURCE")) return rtype::resource;
  if (text.size() > 4 && iequal(text.substr(0, 4), "TYPE")) {
    auto digits = text.substr(4);
    if (digits[0] < '1' || digits[0] > '9') return std::nullopt;  // no sign, no leading 0
    unsigned v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc{} || p != digits.data() + digits.size() || v > 65535) return std::nullopt;
    return static_cast<rtype>(v);
  }
  return std::nullopt;
}

bool is_known_data_type(rtype t) { return detail::find_type(t) != nullptr; }

}  // namespace cidns::record
