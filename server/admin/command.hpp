// How cidns-admin's command groups plug in: each group (zone, keygen, server, ...)
// lives in its own file and registers its subcommands on the top-level app; the
// subcommand that CLI11 selects stores the action main() then runs.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace cidns::admin {

// DESIGN §8 exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_wrong = 1;  // the checked thing is wrong (errors found, bad signature)
inline constexpr int exit_usage = 2;  // usage or I/O error

// FILE (the zonefile, required) and --origin, as every "zone" subcommand takes them
// (zone_commands.cpp).
void add_zone_file_options(CLI::App* cmd, std::string& file, std::string& origin);

// Set by the selected subcommand's CLI11 callback; returns the exit code.
using action = std::function<int()>;

// zone_commands.cpp: "zone check", "zone print".
void add_zone_commands(CLI::App& app, action& selected);

// dnssec_commands.cpp: "keygen", "zone sign|verify|ds" (after add_zone_commands).
void add_dnssec_commands(CLI::App& app, action& selected);

// server_commands.cpp: "server status|zones|reload|stats".
void add_server_commands(CLI::App& app, action& selected);

// resolver_commands.cpp: "resolver status|stats|flush".
void add_resolver_commands(CLI::App& app, action& selected);

}  // namespace cidns::admin
