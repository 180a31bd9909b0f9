// Helpers shared by the zone tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cidns/zone/checker.hpp"
#include "cidns/zone/reader.hpp"

namespace cidns::zone::testing {

inline std::string zones_dir() { return std::string(CIDNS_SOURCE_DIR) + "/tests/data/zones/"; }

inline reader_options with_origin(std::string_view origin) {
  reader_options o;
  o.origin = name::identifier::parse(origin).value();
  return o;
}

// Every diagnostic, formatted; file names as given to the reader.
inline std::vector<std::string> messages(const std::vector<diagnostic>& ds, const contents& z) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(format_diagnostic(d, z.files));
  return out;
}

// Reads and, when that succeeded, checks; returns all messages.
inline std::vector<std::string> read_and_check(load_result& r) {
  std::vector<diagnostic> ds = r.diagnostics;
  if (r.ok()) (void)check(r.zone, ds);
  return messages(ds, r.zone);
}

}  // namespace cidns::zone::testing
