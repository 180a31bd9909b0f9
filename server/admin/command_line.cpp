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

void add_version_flags(CLI::App& app) {
  add_version_flag(app, program, project_version);
  for (auto* sub : commands_of(app)) add_version_flags(*sub);
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
