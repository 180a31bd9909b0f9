// Record type mnemonics, from the type table (plus the RESOURCE meta-type).
#include "cidns/record/rtype.hpp"

#include "cidns/util/text.hpp"

#include <fmt/format.h>
#include <charconv>

#include "field.hpp"

namespace cidns::record {

std::string type_name(rtype t) {
  if (const auto* td = detail::find_type(t)) return std::string(td->name);
  if (t == rtype::resource) return "RESOURCE";
  return fmt::format("TYPE{}", static_cast<unsigned>(t));
}

std::optional<rtype> parse_type(std::string_view text) {
  for (const auto& td : detail::all_types()) {
    if (equals_upper(text, td.name)) return td.type;
  }
  if (equals_upper(text, "RESOURCE")) return rtype::resource;
  if (text.size() > 4 && equals_upper(text.substr(0, 4), "TYPE")) {
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
