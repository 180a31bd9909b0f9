// cidns-lookup's command line beyond what CLI11 does by itself: --version, messages that start
// with the program's name, numeric flags checked with a message that names the flag and the
// allowed range, server addresses without port 0, and dig habits (@SERVER, +short, +dnssec)
// answered with the equivalent flag instead of being taken as a name or a type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cidns/net/endpoint.hpp"
#include "cidns/util/result.hpp"

namespace cidns::lookup {

// The first word of argv (not an option's value) written as dig takes it, with the flag to
// use instead: "'@127.0.0.1' is dig's syntax: use --server 127.0.0.1". nullopt when none.
std::optional<std::string> dig_habit(CLI::App& app, int argc, char** argv);

// ADDR[:PORT] given to `flag` (--server, --root), port 0 refused: errors read
// "--server 127.0.0.1:0: port 0 is not a server port (allowed: 1 to 65535)".
result<net::endpoint> parse_server_flag(std::string_view flag, std::string_view text);

}  // namespace cidns::lookup
