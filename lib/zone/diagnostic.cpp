// Formatting of zone diagnostics.
#include "cidns/zone/diagnostic.hpp"

#include <fmt/format.h>

namespace cidns::zone {

std::string format_diagnostic(const diagnostic& d, std::span<const std::string> files) {
  std::string_view file = d.file < files.size() ? std::string_view(files[d.file]) : "<zone>";
  return fmt::format("{}:{}:{}: {}: {}", file, d.line, d.col,
                     d.level == severity::error ? "error" : "warning", d.message);
}

}  // namespace cidns::zone
