// cidns-admin update (update_command.hpp): the messages of an nsupdate-style script, each
// signed with the key, sent over TCP, its reply verified with the same key and reported.
#include "update_command.hpp"

#include <chrono>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cidns/hmac/key.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/net/client.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/data.hpp"
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

// What the server said of one message (a reply that passed the checks in exchange()).
struct outcome {
  wire::rcode rcode = wire::rcode::noerror;
  std::optional<std::uint32_t> serial;  // of the zone's SOA in the answer
  std::string error;                    // the ExtendedError text, if any
};

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

const char* status_text(hmac::status s) {
  switch (s) {
    case hmac::status::ok:
      return "ok";
    case hmac::status::unsigned_message:
      return "the reply is not signed";
    case hmac::status::bad_key:
      return "the reply is signed with another key";
    case hmac::status::bad_sig:
      return "the reply's MAC does not match";
    case hmac::status::bad_time:
      return "the reply's time is outside the allowed skew";
  }
  return "the reply's signature is not valid";
}

outcome outcome_of(const wire::message& reply, const name::identifier& zone) {
  outcome o{reply.rcode, std::nullopt, reply.error ? reply.error->text : std::string()};
  for (const auto& r : reply.answer) {
    if (r.type != record::rtype::soa || r.owner != zone) continue;
    if (auto soa = record::soa::decode(r.data)) o.serial = soa->serial;
  }
  return o;
}

// Signs and sends `request` (a fresh id), reads and checks the reply. A failure reply that
// is not signed (the server could not check ours, or could not read the request) still
// says why; every other reply must carry a valid MAC over it and our request's MAC, since
// only a signed reply may say that an update was applied.
result<outcome> exchange(const net::endpoint& server, wire::message request, const hmac::key& key,
                         std::chrono::milliseconds timeout) {
  request.id = std::random_device{}();
  hmac::sign(request, key, unix_now());
  const std::string bytes = wire::encode(request);
  auto raw = net::tcp_exchange(server, as_bytes(bytes), timeout);
  if (!raw) {
    const std::string& why = raw.err().message;  // mostly names the address already
    const std::string at = server.to_string();
    return make_error(why.find(at) == std::string::npos ? at + ": " + why : why);
  }
  auto reply = wire::decode(*raw);
  if (!reply) {
    return make_error(
        fmt::format("{}: unreadable reply: {}", server.to_string(), reply.err().message));
  }
  if (reply->id != request.id || !reply->has_flag(wire::flag::qr)) {
    return make_error(fmt::format("{}: the reply does not answer the request (id {}, expected {})",
                                  server.to_string(), reply->id, request.id));
  }
  if (!reply->auth && reply->rcode != wire::rcode::noerror) {
    outcome o = outcome_of(*reply, request.question->name);
    o.serial.reset();
    o.error = o.error.empty() ? "unsigned reply" : o.error + " (unsigned reply)";
    return o;
  }
  hmac::keyring ring;
  ring.add(key);
  const auto v = hmac::verify(*reply, ring, unix_now(), request.auth->mac);
  if (v.status != hmac::status::ok) {
    return make_error(fmt::format("{}: {}{}", server.to_string(), status_text(v.status),
                                  v.reason.empty() ? std::string() : " (" + v.reason + ")"));
  }
  return outcome_of(*reply, request.question->name);
}

void print_outcome(const update_options& o, const outcome& r) {
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
    auto r = exchange(*server, std::move(m), *key, timeout);
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
