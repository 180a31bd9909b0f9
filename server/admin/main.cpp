// cidns-admin: administration of cidns zones and servers (docs/cidns-admin.md).
#include <exception>

#include <fmt/core.h>

#include "command.hpp"

int main(int argc, char** argv) {
  using namespace cidns::admin;
  CLI::App app{"cidns-admin: manage cidns zones and servers", "cidns-admin"};
  app.require_subcommand(1);
  action selected;
  add_zone_commands(app, selected);
  add_server_commands(app, selected);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --help-all exit 0; every other parse error is a usage error (2),
    // not CLI11's own 105-109.
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }
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
