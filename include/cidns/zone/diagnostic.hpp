// Problems found while reading or checking a zone, reported as
// "file:line:col: error: message" (or "warning:"), like a compiler does.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace cidns::zone {

enum class severity : std::uint8_t { error, warning };

// `file` indexes the zone's file table (contents::files); line and col are
// 1-based (col counts bytes). Zone-wide problems point at the top file, 1:1.
struct diagnostic {
  severity level = severity::error;
  std::uint32_t file = 0;
  std::uint32_t line = 1;
  std::uint32_t col = 1;
  std::string message;
};

// "file:line:col: error: message"
std::string format_diagnostic(const diagnostic& d, std::span<const std::string> files);

}  // namespace cidns::zone
