// cidns-admin server status | zones | reload [ZONE] | stats: talk to a running
// cidns-authd over its control socket (JSON lines, docs/cidns-admin.md).
#include <chrono>
#include <memory>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cidns/record/time.hpp"
#include "command.hpp"
#include "control_client.hpp"

namespace cidns::admin {
namespace {

struct server_options : control_options {
  std::string zone;
  bool wait = false;
};

int request(const server_options& o, const nlohmann::json& req,
            void (*print_text)(const nlohmann::json& reply)) {
  return control_call("authd", o, req, print_text);
}

void print_status(const nlohmann::json& r) {
  fmt::print("program: {}\npid: {}\nuptime: {} s\nzones: {}\nthreads: {}\n",
             r.value("program", "?"), r.value("pid", 0), r.value("uptime", 0), r.value("zones", 0),
             r.value("threads", 0));
  if (r.contains("listen")) {
    for (const auto& l : r["listen"]) fmt::print("listen: {}\n", l.get<std::string>());
  }
}

// "-" for an unsigned zone, else the earliest signature expiration, "+" when
// the server signs the zone itself (and re-signs before that time).
std::string signed_until(const nlohmann::json& z) {
  const auto expires = z.value("sig_expiration", std::uint64_t{0});
  if (expires == 0) return "-";
  return record::format_sig_time(expires) + (z.value("signed_online", false) ? "+" : "");
}

void print_zones(const nlohmann::json& r) {
  fmt::print("{:<32} {:>12} {:>9} {:>6} {:>8} {:>15}  {}\n", "ZONE", "SERIAL", "RECORDS", "LOADS",
             "FAILURES", "SIGNED UNTIL", "LAST ERROR");
  for (const auto& z : r["zones"]) {
    fmt::print("{:<32} {:>12} {:>9} {:>6} {:>8} {:>15}  {}\n", z.value("name", ""),
               z.value("serial", 0u), z.value("records", 0u), z.value("loads", 0u),
               z.value("failures", 0u), signed_until(z), z.value("last_error", ""));
  }
}

void print_reload(const nlohmann::json& r) {
  fmt::print("reload queued: {}\n", r.value("queued", ""));
  if (r.contains("zones")) print_zones(r);
}

void print_stats(const nlohmann::json& r) {
  const auto& s = r["stats"];
  fmt::print("queries: {}\n", s.value("queries", 0u));
  for (const char* group : {"opcode", "type", "rcode"}) {
    if (!s.contains(group)) continue;
    for (const auto& [k, v] : s[group].items())
      fmt::print("{}.{}: {}\n", group, k, v.get<std::uint64_t>());
  }
  fmt::print("truncated: {}\nformerr: {}\ndropped: {}\nmean_latency_us: {:.2f}\n",
             s.value("truncated", 0u), s.value("formerr", 0u), s.value("dropped", 0u),
             s.value("mean_latency_us", 0.0));
  if (s.contains("transport")) {
    for (const auto& [k, v] : s["transport"].items())
      fmt::print("transport.{}: {}\n", k, v.get<std::uint64_t>());
  }
  fmt::print("reloads: {}\nreload_failures: {}\n", s.value("reloads", 0u),
             s.value("reload_failures", 0u));
}

void add_common(CLI::App* cmd, server_options& o) { add_control_options(cmd, o, "authd"); }

}  // namespace

void add_server_commands(CLI::App& app, action& selected) {
  auto o = std::make_shared<server_options>();
  CLI::App* server =
      app.add_subcommand("server", "talk to a running cidns-authd over its control socket");
  server->require_subcommand(1);

  CLI::App* status =
      server->add_subcommand("status", "show the server's process, addresses and zone count");
  add_common(status, *o);
  status->callback([o, &selected] {
    selected = [o] { return request(*o, {{"cmd", "status"}}, print_status); };
  });

  CLI::App* zones =
      server->add_subcommand("zones", "list the zones served, their serials and load results");
  add_common(zones, *o);
  zones->callback([o, &selected] {
    selected = [o] { return request(*o, {{"cmd", "zones"}}, print_zones); };
  });

  CLI::App* reload = server->add_subcommand(
      "reload",
      "re-read a zone (or every zone) in the background; a broken file keeps the old zone");
  reload->add_option("zone", o->zone, "zone to reload (default: all)");
  reload->add_flag("--wait", o->wait, "wait until the reload is done and show the zones");
  add_common(reload, *o);
  reload->callback([o, &selected] {
    selected = [o] {
      return request(*o, {{"cmd", "reload"}, {"zone", o->zone}, {"wait", o->wait}}, print_reload);
    };
  });

  CLI::App* stats = server->add_subcommand("stats", "show query counters");
  add_common(stats, *o);
  stats->callback([o, &selected] {
    selected = [o] { return request(*o, {{"cmd", "stats"}}, print_stats); };
  });
}

}  // namespace cidns::admin
