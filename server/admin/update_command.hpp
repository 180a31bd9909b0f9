// cidns-admin update: sends UPDATE messages (RFC 2136 semantics, docs/PROTOCOL.md) built
// from nsupdate-style commands (update_script.hpp), signed with a shared key, over TCP, and
// reports the server's answer (docs/cidns-admin.md).
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "update_script.hpp"

namespace cidns::admin {

// "update --server ADDR[:PORT] --zone Z --key FILE [--json] [--timeout SECONDS] [COMMAND...]".
// Exit 0 every message applied, 1 the server refused one (any rcode but NOERROR; the
// messages after it are not sent), 2 usage, key, parse or network failure, or a reply that
// is not signed with the key.
void add_update_command(CLI::App& app, action& selected);

}  // namespace cidns::admin
