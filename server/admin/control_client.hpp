// The control-socket client shared by "cidns-admin server …" (cidns-authd) and "cidns-admin
// resolver …" (cidns-resolverd): one JSON request line, one JSON reply line, printed as text or
// JSON, mapped to DESIGN §8 exit codes.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace cidns::admin {

struct control_options {
  std::string socket;  // "" : the daemon's default path
  bool json = false;
  int timeout_ms = 5000;
};

// --socket, --json, --timeout on `cmd`; `daemon` is "authd" or "resolverd".
void add_control_options(CLI::App* cmd, control_options& o, std::string_view daemon);

// Sends `req` to cidns-<daemon>'s socket and prints the reply (JSON, or text by `print_text`).
// 0 ok; 1 the daemon refused ("ok": false with an "error": printed as such) or did it and
// found something wrong ("ok": false, or a non-empty "errors" list, as a reload of a broken
// zone: printed by `print_text`); 2 no socket or an unreadable reply.
int control_call(std::string_view daemon, const control_options& o, const nlohmann::json& req,
                 void (*print_text)(const nlohmann::json& reply));

// Every member of a reply's object as "key: value" lines, nested objects flattened to
// "a.b: value", so a counter the daemon adds shows up without a change here.
void print_flat(const nlohmann::json& j, const std::string& prefix = "");

}  // namespace cidns::admin
