// cidns-admin: administration of cidns zones and servers (docs/cidns-admin.md).
#include <exception>

#include <fmt/core.h>

#include "cidns/util/command_line.hpp"
#include "command.hpp"
#include "command_line.hpp"
#include "update_command.hpp"

int main(int argc, char** argv) {
  using namespace cidns::admin;
  CLI::App app{"cidns-admin: manage cidns zones and servers", "cidns-admin"};
  cidns::set_program_failure_message(app, "cidns-admin");
  app.require_subcommand(1);
  action selected;
  add_zone_commands(app, selected);
  add_dnssec_commands(app, selected);
  add_server_commands(app, selected);
  add_resolver_commands(app, selected);
  add_update_command(app, selected);
  add_version_flags(app);
  if (auto code = check_command_words(app, argc, argv)) return *code;
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  if (!selected) {
    fmt::print(stderr, "cidns-admin: no command given (see --help)\n");
    return exit_usage;
  }
  try {
    return selected();
  } catch (const std::exception& e) {
    fmt::print(stderr, "cidns-admin: {}\n", e.what());
    return exit_usage;
  }
}
