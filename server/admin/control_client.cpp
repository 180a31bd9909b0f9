// Control-socket requests of cidns-admin (control_client.hpp).
#include "control_client.hpp"

#include <chrono>

#include <fmt/core.h>

#include "cidns/net/control.hpp"
#include "command.hpp"

namespace cidns::admin {

void add_control_options(CLI::App* cmd, control_options& o, std::string_view daemon) {
  cmd->add_option("--socket", o.socket,
                  fmt::format("control socket of cidns-{} (default: its default path)", daemon));
  cmd->add_flag("--json", o.json, fmt::format("print cidns-{}'s reply as JSON", daemon));
  cmd->add_option("--timeout", o.timeout_ms, "milliseconds to wait for the reply (default 5000)")
      ->check(CLI::Range(1, 600000));
}

int control_call(std::string_view daemon, const control_options& o, const nlohmann::json& req,
                 void (*print_text)(const nlohmann::json& reply)) {
  const std::string path = o.socket.empty() ? net::default_control_path(daemon) : o.socket;
  auto raw = net::control_request(path, req.dump(), std::chrono::milliseconds(o.timeout_ms));
  if (!raw) {
    fmt::print(stderr, "cidns-admin: control socket {}: {}\n", path, raw.err().message);
    return exit_usage;
  }
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(*raw);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cidns-admin: unreadable reply from {}: {}\n", path, e.what());
    return exit_usage;
  }
  if (!reply.value("ok", false)) {
    if (o.json) {
      fmt::print("{}\n", reply.dump(2));
    } else {
      fmt::print(stderr, "cidns-admin: cidns-{} says: {}\n", daemon,
                 reply.value("error", "(no reason)"));
    }
    return exit_wrong;
  }
  if (o.json) {
    fmt::print("{}\n", reply.dump(2));
  } else {
    print_text(reply);
  }
  return exit_ok;
}

}  // namespace cidns::admin
