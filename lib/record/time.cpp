// Public forms of presentation times and algorithm mnemonics (time.hpp).
#include "cidns/record/time.hpp"

#include <fmt/format.h>

#include "field.hpp"
#include "units.hpp"

namespace cidns::record {

result<std::uint64_t> parse_time(std::string_view text) {
  return detail::parse_time(text, detail::max_time);
}

std::string format_sig_time(std::uint64_t unix_seconds) {
  std::string out;
  detail::format_dnssec_time(unix_seconds, out);
  return out;
}

std::optional<algorithm> parse_algorithm(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& e : detail::algorithm_names()) {
    if (lower == e.name) return static_cast<algorithm>(e.value);
  }
  return std::nullopt;
}

std::string algorithm_name(std::uint32_t alg) {
  auto name = detail::enum_text(detail::algorithm_names(), alg);
  return name.empty() ? fmt::format("ALG{}", alg) : std::string(name);
}

}  // namespace cidns::record
