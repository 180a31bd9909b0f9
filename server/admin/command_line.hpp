// cidns-admin's command line beyond what CLI11 does by itself: --version at every level,
// messages that start with the program's name, numeric flags checked with a message that
// names the flag and the allowed range, and unknown or missing commands named with the
// valid ones (CLI11 says only "A subcommand is required").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cidns/util/command_line.hpp"
#include "cidns/util/version.hpp"

namespace cidns::admin {

// --version on `app` and every subcommand below it (call after they are all added).
void add_version_flags(CLI::App& app);

// Walks the command words of argv down the command tree before CLI11 parses: an unknown
// command ("cidns-admin: unknown command 'bogus' (expected one of: keygen, zone, server,
// resolver)"), an option where a command is expected, or a missing command is printed
// here. Returns the exit code to end with, or nullopt to let CLI11 parse (--help and
// --version included).
std::optional<int> check_command_words(CLI::App& app, int argc, char** argv);

}  // namespace cidns::admin
