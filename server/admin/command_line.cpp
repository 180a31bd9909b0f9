// cidns-admin's command-line checks (command_line.hpp).
#include "command_line.hpp"

#include <charconv>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command.hpp"

namespace cidns::admin {
namespace {

constexpr std::string_view program = "cidns-admin";

std::vector<CLI::App*> commands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

std::string command_names(CLI::App& app) {
  std::string names;
  for (const auto* sub : commands_of(app)) {
    if (!names.empty()) names += ", ";
    names += sub->get_name();
  }
  return names;
}

CLI::App* find_command(CLI::App& app, std::string_view word) {
  for (auto* sub : commands_of(app)) {
    if (sub->get_name() == word) return sub;
  }
  return nullptr;
}

}  // namespace

std::string version_text() { return fmt::format("{} {}", program, CIDNS_VERSION); }

void prefix_failure_messages(CLI::App& app) {
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("{}: {}\nRun with --help for more information.\n", program, e.what());
  });
}

void add_version_flags(CLI::App& app) {
  app.set_version_flag("--version", version_text(), "print the program's version and exit");
  for (auto* sub : commands_of(app)) add_version_flags(*sub);
}

CLI::Validator whole_number(std::int64_t low, std::int64_t high, const std::string& unit) {
  auto check = [low, high, unit](std::string& text) -> std::string {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
      return fmt::format("'{}' is not a whole number of {} (allowed: {} to {})", text, unit, low,
                         high);
    }
    if (ec == std::errc::result_out_of_range || value < low || value > high)
      return fmt::format("{} {} is out of range (allowed: {} to {})", text, unit, low, high);
    return {};
  };
  return {check, fmt::format("{}..{}", low, high)};
}

std::optional<int> check_command_words(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path(program);
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "-h" || word == "--help" || word == "--version") return std::nullopt;
    if (commands_of(*level).empty()) return std::nullopt;  // a command's own options follow
    if (word.starts_with('-')) {
      fmt::print(stderr, "{}: unknown option '{}' (expected a command: {})\n", path, word,
                 command_names(*level));
      return exit_usage;
    }
    CLI::App* next = find_command(*level, word);
    if (next == nullptr) {
      fmt::print(stderr, "{}: unknown command '{}' (expected one of: {})\n", path, word,
                 command_names(*level));
      return exit_usage;
    }
    level = next;
    path += fmt::format(" {}", word);
  }
  if (commands_of(*level).empty()) return std::nullopt;
  fmt::print(stderr, "{}: a command is required (one of: {}; see --help)\n", path,
             command_names(*level));
  return exit_usage;
}

}  // namespace cidns::admin
