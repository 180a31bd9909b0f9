// Control-socket requests of cidns-admin (control_client.hpp).
#include "control_client.hpp"

#include <chrono>

#include <fmt/core.h>

#include "cidns/net/control.hpp"
#include "command.hpp"
#include "command_line.hpp"

namespace cidns::admin {

void add_control_options(CLI::App* cmd, control_options& o, std::string_view daemon) {
  cmd->add_option("--socket", o.socket,
                  fmt::format("control socket of cidns-{} (default: its default path)", daemon));
  cmd->add_flag("--json", o.json, fmt::format("print cidns-{}'s reply as JSON", daemon));
  cmd->add_option("--timeout", o.timeout_ms, "milliseconds to wait for the reply (default 5000)")
      ->check(whole_number(1, 600000, "milliseconds"));
}

int control_call(std::string_view daemon, const control_options& o, const nlohmann::json& req,
                 void (*print_text)(const nlohmann::json& reply)) {
  const std::string path = o.socket.empty() ? net::default_control_path(daemon) : o.socket;
  auto raw = net::control_request(path, req.dump(), std::chrono::milliseconds(o.timeout_ms));
  if (!raw) {
    // The socket's errors mostly name the path already ("connect PATH: ..."); say it once.
    const std::string& why = raw.err().message;
    fmt::print(stderr, "cidns-admin: cidns-{}'s control socket{}: {}\n", daemon,
               why.find(path) == std::string::npos ? " " + path : std::string(), why);
    return exit_usage;
  }
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(*raw);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cidns-admin: unreadable reply from {}: {}\n", path, e.what());
    return exit_usage;
  }
  if (!reply.is_object()) {
    fmt::print(stderr, "cidns-admin: unreadable reply from {}: not a JSON object\n", path);
    return exit_usage;
  }
  const bool found_errors =
      reply.contains("errors") && reply["errors"].is_array() && !reply["errors"].empty();
  const bool ok = reply.value("ok", false) && !found_errors;
  if (o.json) {
    fmt::print("{}\n", reply.dump(2));
  } else if (!ok && !found_errors) {
    fmt::print(stderr, "cidns-admin: cidns-{} says: {}\n", daemon,
               reply.value("error", "(no reason)"));
  } else {
    print_text(reply);
  }
  return ok ? exit_ok : exit_wrong;
}

void print_flat(const nlohmann::json& j, const std::string& prefix) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) {
      print_flat(v, key);
    } else if (v.is_number_float()) {
      fmt::print("{}: {:.2f}\n", key, v.get<double>());
    } else if (v.is_string()) {
      fmt::print("{}: {}\n", key, v.get<std::string>());
    } else {
      fmt::print("{}: {}\n", key, v.dump());
    }
  }
}

}  // namespace cidns::admin
