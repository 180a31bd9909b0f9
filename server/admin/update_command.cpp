// cidns-admin update (update_command.hpp): the messages of an nsupdate-style script, each
// signed with the key, sent over TCP and its reply verified (stub::send_update), reported.
#include "update_command.hpp"

#include <chrono>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cidns/hmac/key.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/stub/update.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::admin {
namespace {

struct update_options {
  std::string server;
  std::string zone;
  std::string key_file;
  bool json = false;
  int timeout_s = 5;
  std::vector<std::string> commands;
};

void print_outcome(const update_options& o, const stub::update_outcome& r) {
  const bool ok = r.rcode == wire::rcode::noerror;
  if (o.json) {
    nlohmann::json j{{"ok", ok}, {"rcode", wire::rcode_name(r.rcode)}};
    if (r.serial) j["serial"] = *r.serial;
    if (!r.error.empty()) j["error"] = r.error;
    fmt::print("{}\n", j.dump());
    return;
  }
  std::string line = "update: " + wire::rcode_name(r.rcode);
  if (r.serial) line += fmt::format(", serial {}", *r.serial);
  if (!r.error.empty()) line += ": " + r.error;
  fmt::print("{}\n", line);
}

// A failure before or instead of a reply: stderr, and the JSON object when asked for.
int fail(const update_options& o, const std::string& why) {
  fmt::print(stderr, "cidns-admin: update: {}\n", why);
  if (o.json) fmt::print("{}\n", nlohmann::json{{"ok", false}, {"error", why}}.dump());
  return exit_usage;
}

std::string script_text(const update_options& o) {
  if (o.commands.empty()) {
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::string text;
  for (const auto& c : o.commands) text += c + "\n";
  return text;
}

int run_update(const update_options& o) {
  auto server = net::parse_endpoint(o.server);
  if (!server) return fail(o, fmt::format("--server: {}", server.err().message));
  auto zone = name::identifier::parse(o.zone);
  if (!zone) return fail(o, fmt::format("--zone '{}': {}", o.zone, zone.err().message));
  auto key = hmac::read_key_file(o.key_file);
  if (!key) return fail(o, key.err().message);
  auto messages = parse_update_script(script_text(o), *zone);
  if (!messages) return fail(o, messages.err().message);
  if (messages->empty()) {
    fmt::print(stderr, "cidns-admin: update: nothing to send\n");
    return exit_ok;
  }
  const std::chrono::milliseconds timeout(std::chrono::seconds(o.timeout_s));
  for (auto& m : *messages) {
    auto r = stub::send_update(*server, std::move(m), *key, timeout);
    if (!r) return fail(o, r.err().message);
    print_outcome(o, *r);
    if (r->rcode != wire::rcode::noerror) return exit_wrong;
  }
  return exit_ok;
}

}  // namespace

void add_update_command(CLI::App& app, action& selected) {
  auto o = std::make_shared<update_options>();
  auto* cmd = app.add_subcommand(
      "update", "send a signed dynamic update (add/del/require/send commands, nsupdate style)");
  cmd->add_option("--server", o->server, "the zone's primary server, ADDR[:PORT]")->required();
  cmd->add_option("--zone", o->zone, "the zone to update")->required();
  cmd->add_option("--key", o->key_file, "HMAC key file (cidns-admin keygen --hmac)")->required();
  cmd->add_flag("--json", o->json, "print the outcome as JSON");
  cmd->add_option("--timeout", o->timeout_s, "seconds to wait for each reply (default 5)")
      ->check(whole_number(1, 600, "seconds"));
  cmd->add_option("COMMAND", o->commands,
                  "commands, one an argument (default: read from stdin, one a line)");
  cmd->callback([o, &selected] { selected = [o] { return run_update(*o); }; });
}

}  // namespace cidns::admin
