// Reads a zonefile (DESIGN §3, §5: RFC 1035 master-file syntax) into contents,
// collecting every syntax error rather than stopping at the first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/util/result.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/diagnostic.hpp"

namespace cidns::zone {

inline constexpr unsigned max_include_depth = 8;

struct reader_options {
  // The zone's name (--origin / configuration). When unset, the first $ORIGIN
  // of the top file names the zone; when set, that $ORIGIN must agree.
  std::optional<name::identifier> origin;
  // $INCLUDE off (fuzzing, untrusted text): each one is an error.
  bool allow_include = true;
  // Files nested deeper than this through $INCLUDE are an error.
  unsigned include_depth = max_include_depth;
  // Reading stops after this many errors (with a note saying so).
  std::size_t max_errors = 1000;
};

struct load_result {
  contents zone;  // in reading order (call sort_canonical() or check())
  std::vector<diagnostic> diagnostics;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  bool ok() const noexcept { return errors == 0; }
};

// Reads `path` and the files it includes. Fails only if `path` itself cannot
// be read (an I/O error: message names the file); everything else, including
// unreadable included files, comes back as diagnostics. Messages name files by
// their path as given, and included files by that path's directory joined with
// the name in the $INCLUDE.
result<load_result> read_file(const std::string& path, const reader_options& options = {});

// Reads zonefile text held in memory; `file_name` names it in messages and
// anchors relative $INCLUDE paths.
load_result read_text(std::string_view text, std::string file_name,
                      const reader_options& options = {});

}  // namespace cidns::zone
