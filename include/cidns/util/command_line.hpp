// Command-line parsing shared by every cidns program: CLI11 does the parsing;
// this maps its outcome onto the exit codes scripts rely on (DESIGN §8); the
// helpers below give daemons the same --version, range checks and message prefix.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cidns/util/log.hpp"

namespace cidns {

inline constexpr int exit_usage_error = 2;

// Parses argv into `app`. Returns nullopt when the program should go on, or the
// code to exit with: 0 after --help or --version (printed), 2 after a usage error
// (printed), never CLI11's own 105-109.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage_error;
  }
  return std::nullopt;
}

// Usage errors printed as "PROGRAM: message" and a hint at --help (set before parsing, and
// before adding subcommands, which copy it).
inline void set_program_failure_message(CLI::App& app, std::string program) {
  app.failure_message([program = std::move(program)](const CLI::App*, const CLI::Error& e) {
    return fmt::format("{}: {}\nRun with --help for more information.\n", program, e.what());
  });
}

// A whole number within [min, max] (of `unit`, when given), checked as its config key is:
// "--threads: '-1' is out of range (expected 0..1024)", "--timeout: 'abc' is not a whole
// number (expected 1..60000 milliseconds)". CLI11 puts the flag's name in front.
inline CLI::Validator whole_number(long long min, long long max, std::string_view unit = {}) {
  const std::string range =
      unit.empty() ? fmt::format("{}..{}", min, max) : fmt::format("{}..{} {}", min, max, unit);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        long long n = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, n);
        if (ec == std::errc::result_out_of_range ||
            (ec == std::errc{} && p == end && (n < min || n > max))) {
          return fmt::format("'{}' is out of range (expected {})", text, range);
        }
        if (ec != std::errc{} || p != end) {
          return fmt::format("'{}' is not a whole number (expected {})", text, range);
        }
        return {};
      },
      range);
}

// --version: prints "PROGRAM VERSION" and exits 0.
inline CLI::Option* add_version_flag(CLI::App& app, std::string_view program,
                                     std::string_view version) {
  return app.set_version_flag("--version", fmt::format("{} {}", program, version),
                              "print the program's name and version, and exit");
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
