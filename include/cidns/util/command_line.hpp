// Command-line parsing shared by every cidns program: CLI11 does the parsing;
// this maps its outcome onto the exit codes scripts rely on (DESIGN §8).
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

#include "cidns/util/log.hpp"

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

// --log-level error|warning|info|debug on a daemon's command line: sets log::threshold()
// when parsed (default info).
inline CLI::Option* add_log_level_option(CLI::App& app) {
  return app
      .add_option_function<std::string>(
          "--log-level",
          [](const std::string& v) {
            log::threshold() = v == "error"     ? log::level::error
                               : v == "warning" ? log::level::warning
                               : v == "debug"   ? log::level::debug
                                                : log::level::info;
          },
          "error, warning, info (default) or debug")
      ->check(CLI::IsMember({"error", "warning", "info", "debug"}));
}

}  // namespace cidns
