// cidns-admin server status | zones | transfers | reload [ZONE] | flush [ZONE] | stats: talk to a
// running cidns-authd over its control socket (JSON lines, docs/cidns-admin.md).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

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

// When the zone's last load failed: "when: first message" (and the other messages, one a
// line, in `more`). A server before "last_error" became an object sends the text itself.
std::string last_error(const nlohmann::json& z, std::vector<std::string>& more) {
  if (!z.contains("last_error")) return "";
  const auto& e = z["last_error"];
  if (e.is_string()) return e.get<std::string>();
  if (!e.is_object()) return "";
  std::vector<std::string> messages;
  if (e.contains("messages") && e["messages"].is_array()) {
    for (const auto& m : e["messages"]) {
      if (m.is_string()) messages.push_back(m.get<std::string>());
    }
  }
  const auto when = e.value("time", std::uint64_t{0});
  std::string first = when == 0 ? "" : record::format_sig_time(when) + " ";
  first += messages.empty() ? "failed" : messages.front();
  if (messages.size() > 1) more.assign(messages.begin() + 1, messages.end());
  return first;
}

void print_zones(const nlohmann::json& r) {
  fmt::print("{:<32} {:>12} {:>9} {:>6} {:>8} {:>15}  {}\n", "ZONE", "SERIAL", "RECORDS", "LOADS",
             "FAILURES", "SIGNED UNTIL", "LAST ERROR");
  if (!r.contains("zones") || !r["zones"].is_array()) return;
  for (const auto& z : r["zones"]) {
    std::vector<std::string> more;
    const std::string error = last_error(z, more);
    fmt::print("{:<32} {:>12} {:>9} {:>6} {:>8} {:>15}  {}\n", z.value("name", ""),
               z.value("serial", 0u), z.value("records", 0u), z.value("loads", 0u),
               z.value("failures", 0u), signed_until(z), error);
    for (const auto& m : more) fmt::print("{:89}{}\n", "", m);
  }
}

// The reload's failures, as the server read them: "zone Z: not reloaded from FILE" and the
// file:line:col messages.
void print_reload_errors(const nlohmann::json& errors) {
  for (const auto& e : errors) {
    if (!e.is_object()) continue;
    fmt::print("zone {}: not reloaded from {} (the old version stays in service)\n",
               e.value("zone", "?"), e.value("file", "?"));
    if (!e.contains("messages") || !e["messages"].is_array()) continue;
    for (const auto& m : e["messages"]) {
      if (m.is_string()) fmt::print("{}\n", m.get<std::string>());
    }
  }
}

void print_reload(const nlohmann::json& r) {
  fmt::print("reload queued: {}\n", r.value("queued", ""));
  if (r.contains("zones")) print_zones(r);
  if (r.contains("errors") && r["errors"].is_array()) {
    print_reload_errors(r["errors"]);
    if (!r["errors"].empty())
      fmt::print("reload failed: {} zone(s) with errors\n", r["errors"].size());
  }
}

// The zones after the write-back, then one line per zone that was not written back.
void print_flush(const nlohmann::json& r) {
  if (r.contains("zones")) print_zones(r);
  if (!r.contains("errors") || !r["errors"].is_array()) return;
  for (const auto& e : r["errors"]) {
    if (e.is_string()) fmt::print("not written back: {}\n", e.get<std::string>());
  }
  if (!r["errors"].empty())
    fmt::print("flush failed: {} zone(s) with errors\n", r["errors"].size());
}

// Transfers: served (a primary), NOTIFY targets, secondary zones, one line each.
void print_transfers(const nlohmann::json& r) {
  const auto t = r.value("transfers", nlohmann::json::object());
  if (t.contains("served")) {
    const auto& s = t["served"];
    fmt::print("served: {} full, {} incremental, {} up to date, {} refused\n", s.value("full", 0),
               s.value("incremental", 0), s.value("up_to_date", 0), s.value("refused", 0));
  }
  for (const auto& n : t.value("notify", nlohmann::json::array())) {
    fmt::print("notify {} {}: {} sent, {} failed, acked serial {}\n", n.value("zone", "?"),
               n.value("server", "?"), n.value("sent", 0), n.value("failures", 0),
               n.contains("acked_serial") ? n["acked_serial"].dump() : "null");
  }
  for (const auto& z : t.value("secondary", nlohmann::json::array())) {
    const auto tr = z.value("transfers", nlohmann::json::object());
    const auto when = [&z](const char* k) {
      return z.contains(k) && z[k].is_number() ? record::format_sig_time(z[k].get<std::uint64_t>())
                                               : std::string("-");
    };
    fmt::print(
        "secondary {} from {}: {}, serial {}, last success {}, expires {}, transfers {} full {} "
        "incremental {} up-to-date {} failed{}\n",
        z.value("zone", "?"), z.value("primary", "?"), z.value("state", "?"),
        z.contains("serial") ? z["serial"].dump() : "null", when("last_success"),
        when("expires_at"), tr.value("full", 0), tr.value("incremental", 0),
        tr.value("up_to_date", 0), tr.value("failed", 0),
        z.value("last_error", "").empty() ? "" : "; last error: " + z.value("last_error", ""));
  }
  if (t.empty()) fmt::print("no transfers configured\n");
}

// Every counter of the reply, whatever the server adds.
void print_stats(const nlohmann::json& r) {
  print_flat(r.value("stats", nlohmann::json::object()));
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

  CLI::App* transfers = server->add_subcommand(
      "transfers", "show zone transfers: served, NOTIFY targets, secondary zones and their timers");
  add_common(transfers, *o);
  transfers->callback([o, &selected] {
    selected = [o] { return request(*o, {{"cmd", "transfers"}}, print_transfers); };
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

  CLI::App* flush = server->add_subcommand(
      "flush",
      "write a dynamic zone (or every dynamic zone) back to its zonefile and trim its journal");
  flush->add_option("zone", o->zone, "zone to write back (default: every dynamic zone)");
  add_common(flush, *o);
  flush->callback([o, &selected] {
    selected = [o] {
      nlohmann::json req{{"cmd", "flush"}};
      if (!o->zone.empty()) req["zone"] = o->zone;
      return request(*o, req, print_flush);
    };
  });

  CLI::App* stats = server->add_subcommand("stats", "show query counters");
  add_common(stats, *o);
  stats->callback([o, &selected] {
    selected = [o] { return request(*o, {{"cmd", "stats"}}, print_stats); };
  });
}

}  // namespace cidns::admin
