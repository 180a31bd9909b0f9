// Command-line parsing shared by every cidns program: CLI11 does the parsing;
// this maps its outcome onto the exit codes scripts rely on (DESIGN §8).
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

namespace cidns {

inline constexpr int exit_usage_error = 2;

// Parses argv into `app`. Returns nullopt when the program should go on, or the
// code to exit with: 0 after --help (printed), 2 after a usage error (printed),
// never CLI11's own 105-109.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage_error;
  }
  return std::nullopt;
}

}  // namespace cidns
