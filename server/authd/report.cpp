// Control replies and metrics (report.hpp).
#include "report.hpp"

#include <chrono>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cidns/serve/control_reply.hpp"

#include "cidns/record/rtype.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::authd {

using serve::stats_block;
using serve::stats_snapshot;

namespace {

// Known types by mnemonic (from the type table), then "RESOURCE" and "OTHER".
std::string type_label(std::size_t slot) { return stats_block::type_label(slot); }

// Slot 7 counts every opcode without a slot of its own (99, -1, 2^31-1): not "OPCODE7".
std::string opcode_label(std::size_t slot) {
  if (slot == stats_block::other_opcode) return "OTHER";
  return wire::opcode_name(static_cast<wire::opcode>(slot));
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json stats_json(const daemon_view& d) {
  stats_snapshot s = d.stats.snapshot();
  nlohmann::json j;
  j["queries"] = s.queries();
  auto& op = j["opcode"] = nlohmann::json::object();
  for (std::size_t i = 0; i < s.by_opcode.size(); ++i) {
    if (s.by_opcode[i] != 0) op[opcode_label(i)] = s.by_opcode[i];
  }
  auto& ty = j["type"] = nlohmann::json::object();
  for (std::size_t i = 0; i < s.by_type.size(); ++i) {
    if (s.by_type[i] != 0) ty[type_label(i)] = s.by_type[i];
  }
  auto& rc = j["rcode"] = nlohmann::json::object();
  for (std::size_t i = 0; i < s.by_rcode.size(); ++i) {
    if (s.by_rcode[i] != 0) rc[wire::rcode_name(static_cast<wire::rcode>(i))] = s.by_rcode[i];
  }
  j["truncated"] = s.truncated;
  j["formerr"] = s.formerr;
  j["dropped"] = s.dropped;
  auto& why = j["dropped_by_reason"] = nlohmann::json::object();
  for (std::size_t i = 0; i < serve::drop_reasons; ++i) {
    why[serve::drop_reason_name(static_cast<serve::drop_reason>(i))] = s.dropped_by[i];
  }
  j["rrl"] = {{"limited", s.rrl_limited}, {"slipped", s.rrl_slipped}, {"dropped", s.rrl_dropped}};
  j["cookies"] = {{"new", s.cookie_new}, {"valid", s.cookie_valid}, {"invalid", s.cookie_invalid}};
  j["reply_bytes"] = s.reply_bytes;
  j["mean_latency_us"] = s.queries() == 0 ? 0.0
                                          : static_cast<double>(s.latency_ns_sum) / 1000.0 /
                                                static_cast<double>(s.queries());
  if (d.transport != nullptr) {
    auto n = d.transport->stats();
    j["transport"] = {{"udp_received", n.udp_received},
                      {"udp_replied", n.udp_replied},
                      {"tcp_received", n.tcp_received},
                      {"tcp_replied", n.tcp_replied},
                      {"tcp_accepted", n.tcp_accepted},
                      {"tcp_open", n.tcp_open},
                      {"dropped_oversize", n.dropped_oversize},
                      {"dropped_errors", n.dropped_errors},
                      {"dropped_conn_limit", n.dropped_conn_limit}};
  }
  j["reloads"] = d.zones.reloads();
  j["reload_failures"] = d.zones.reload_failures();
  return j;
}

nlohmann::json errors_json(const std::vector<zone_error>& errors) {
  auto out = nlohmann::json::array();
  for (const auto& e : errors) {
    out.push_back({{"zone", e.zone}, {"file", e.file}, {"messages", e.messages}});
  }
  return out;
}

// {"ok", "queued"}, and when waited for: every zone's status and the errors of
// the zones of this reload that failed ("ok": false then).
nlohmann::json reload_reply(const daemon_view& d, const std::string& zone, bool wait) {
  auto no_zone = [&zone] {
    return nlohmann::json{{"ok", false}, {"error", fmt::format("no zone {} is configured", zone)}};
  };
  const std::string queued = zone.empty() ? "all" : zone;
  if (!wait) {
    if (!d.zones.request_reload(zone)) return no_zone();
    return {{"ok", true}, {"queued", queued}};
  }
  auto errors = d.zones.reload_and_wait(zone);
  if (!errors) return no_zone();
  nlohmann::json reply{{"ok", errors->empty()}, {"queued", queued}, {"zones", d.zones.status()}};
  if (!errors->empty()) {
    reply["errors"] = errors_json(*errors);
    reply["error"] = fmt::format("{} zone(s) failed to load", errors->size());
  }
  return reply;
}

// Writes dynamic zones (the one named, or all) back to their files and trims their journals:
// {"ok": no error, "zones": every zone's status, "errors": ["ZONE: why", …]}.
nlohmann::json flush_reply(const daemon_view& d, const std::string& zone) {
  auto errors = d.zones.flush(zone);
  if (!errors) {
    return {{"ok", false}, {"error", fmt::format("no zone {} is configured", zone)}};
  }
  nlohmann::json reply{{"ok", errors->empty()}, {"errors", *errors}, {"zones", d.zones.status()}};
  if (!errors->empty()) reply["error"] = fmt::format("{} zone(s) not written back", errors->size());
  return reply;
}

}  // namespace

std::string handle_control(const daemon_view& d, std::string_view request_line) {
  return serve::control_reply(
      request_line,
      [&d](const std::string& cmd, const nlohmann::json& req) -> std::optional<nlohmann::json> {
        nlohmann::json reply;
        if (cmd == "status") {
          reply = {{"ok", true},
                   {"program", "cidns-authd"},
                   {"pid", static_cast<long>(::getpid())},
                   {"uptime", now_seconds() - d.started_at},
                   {"zones", d.zones.status().size()},
                   {"threads", d.transport != nullptr ? d.transport->thread_count() : 0u}};
          if (d.transport != nullptr) {
            auto listen = nlohmann::json::array();
            for (const auto& ep : d.transport->local_endpoints()) listen.push_back(ep.to_string());
            reply["listen"] = listen;
          }
        } else if (cmd == "zones") {
          reply = {{"ok", true}, {"zones", d.zones.status()}};
        } else if (cmd == "transfers") {
          reply = {{"ok", true},
                   {"transfers", d.transfers ? d.transfers() : nlohmann::json::object()}};
        } else if (cmd == "stats") {
          reply = {{"ok", true}, {"stats", stats_json(d)}};
        } else if (cmd == "reload") {
          reply = reload_reply(d, req.value("zone", ""), req.value("wait", false));
        } else if (cmd == "flush") {
          reply = flush_reply(d, req.value("zone", ""));
        } else {
          return std::nullopt;
        }
        return reply;
      });
}

namespace {

void counter_header(std::string& out, std::string_view name, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
}

// A bound in millionths as a short decimal: 5 -> "0.000005", 1000 -> "0.001", 2500000 -> "2.5"
// (a double scaled by 1e-6 prints as 4.9999999999999996e-06).
std::string micro_decimal(std::uint64_t millionths) {
  std::string s = fmt::format("{}.{:06}", millionths / 1'000'000, millionths % 1'000'000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// `label(i)` is the le="…" of bounds[i]; counts has one more slot, for +Inf.
template <typename Bounds, typename Counts, typename Label>
void histogram(std::string& out, std::string_view name, std::string_view help, const Bounds& bounds,
               const Counts& counts, double sum, Label label) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, label(bounds[i]), cumulative);
  }
  cumulative += counts[bounds.size()];
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, cumulative,
                     name, sum, name, cumulative);
}

void query_metrics(std::string& out, const stats_snapshot& s) {
  counter_header(out, "cidns_queries_total", "Queries answered, by opcode.");
  for (std::size_t i = 0; i < s.by_opcode.size(); ++i) {
    if (s.by_opcode[i] == 0) continue;
    out +=
        fmt::format("cidns_queries_total{{opcode=\"{}\"}} {}\n", opcode_label(i), s.by_opcode[i]);
  }
  counter_header(out, "cidns_query_types_total", "Queries by question type.");
  for (std::size_t i = 0; i < s.by_type.size(); ++i) {
    if (s.by_type[i] == 0) continue;
    out += fmt::format("cidns_query_types_total{{type=\"{}\"}} {}\n", type_label(i), s.by_type[i]);
  }
  counter_header(out, "cidns_responses_total", "Replies by rcode.");
  for (std::size_t i = 0; i < s.by_rcode.size(); ++i) {
    if (s.by_rcode[i] == 0) continue;
    out += fmt::format("cidns_responses_total{{rcode=\"{}\"}} {}\n",
                       wire::rcode_name(static_cast<wire::rcode>(i)), s.by_rcode[i]);
  }
  histogram(out, "cidns_reply_size_bytes", "Reply sizes.", stats_block::size_bounds, s.reply_size,
            static_cast<double>(s.reply_bytes),
            [](std::uint32_t b) { return fmt::format("{}", b); });
  histogram(out, "cidns_query_duration_seconds", "Time to answer a query inside the server.",
            stats_block::latency_bounds_us, s.latency, static_cast<double>(s.latency_ns_sum) / 1e9,
            [](std::uint32_t us) { return micro_decimal(us); });
  counter_header(out, "cidns_truncated_total", "Replies cut to the UDP size limit (TC set).");
  out += fmt::format("cidns_truncated_total {}\n", s.truncated);
}

void drop_metrics(std::string& out, const stats_snapshot& s, const net::server* transport) {
  counter_header(out, "cidns_dropped_total", "Messages not answered, by reason.");
  for (std::size_t i = 0; i < serve::drop_reasons; ++i) {
    out +=
        fmt::format("cidns_dropped_total{{reason=\"{}\"}} {}\n",
                    serve::drop_reason_name(static_cast<serve::drop_reason>(i)), s.dropped_by[i]);
  }
  if (transport == nullptr) return;
  auto n = transport->stats();
  out += fmt::format("cidns_dropped_total{{reason=\"oversize\"}} {}\n", n.dropped_oversize);
  out += fmt::format("cidns_dropped_total{{reason=\"error\"}} {}\n", n.dropped_errors);
  out +=
      fmt::format("cidns_dropped_total{{reason=\"connection_limit\"}} {}\n", n.dropped_conn_limit);
}

void defence_metrics(std::string& out, const stats_snapshot& s) {
  counter_header(out, "cidns_rrl_total",
                 "UDP replies over the response-rate limit, by what was done.");
  out += fmt::format("cidns_rrl_total{{action=\"slip\"}} {}\n", s.rrl_slipped);
  out += fmt::format("cidns_rrl_total{{action=\"drop\"}} {}\n", s.rrl_dropped);
  counter_header(out, "cidns_cookies_total", "Queries with a cookie, by what it held.");
  out += fmt::format("cidns_cookies_total{{result=\"new\"}} {}\n", s.cookie_new);
  out += fmt::format("cidns_cookies_total{{result=\"valid\"}} {}\n", s.cookie_valid);
  out += fmt::format("cidns_cookies_total{{result=\"invalid\"}} {}\n", s.cookie_invalid);
}

// Per zone: the serial in service, loads that succeeded and loads refused for errors.
void zone_metrics(std::string& out, const nlohmann::json& zones) {
  auto per_zone = [&](std::string_view metric, const char* field) {
    for (const auto& z : zones) {
      out += fmt::format("{}{{zone=\"{}\"}} {}\n", metric, z["name"].get<std::string>(),
                         z[field].get<std::uint64_t>());
    }
  };
  out += "# HELP cidns_zone_serial Serial of the zone version in service.\n";
  out += "# TYPE cidns_zone_serial gauge\n";
  per_zone("cidns_zone_serial", "serial");
  counter_header(out, "cidns_zone_loads_total", "Zone loads and reloads that succeeded.");
  per_zone("cidns_zone_loads_total", "loads");
  counter_header(out, "cidns_zone_load_failures_total",
                 "Zone loads and reloads refused for errors.");
  per_zone("cidns_zone_load_failures_total", "failures");
}

// Transfers served by kind, and per secondary zone the transfers received and whether it is
// served.
void transfer_metrics(std::string& out, const nlohmann::json& t) {
  if (t.contains("served")) {
    counter_header(out, "cidns_xfr_served_total",
                   "Zone transfers answered, by kind (full, incremental, up_to_date, refused).");
    for (const auto& [kind, n] : t["served"].items()) {
      if (kind == "records" || kind == "messages") continue;
      out += fmt::format("cidns_xfr_served_total{{kind=\"{}\"}} {}\n", kind, n.dump());
    }
  }
  if (!t.contains("secondary")) return;
  counter_header(out, "cidns_xfr_received_total",
                 "Transfers of secondary zones, by zone and result (full, incremental, "
                 "up_to_date, failed).");
  for (const auto& z : t["secondary"]) {
    for (const auto& [kind, n] : z.value("transfers", nlohmann::json::object()).items()) {
      out += fmt::format("cidns_xfr_received_total{{zone=\"{}\",result=\"{}\"}} {}\n",
                         z.value("zone", ""), kind, n.dump());
    }
  }
  out +=
      "# HELP cidns_secondary_expired Whether a secondary zone is past its expire time.\n"
      "# TYPE cidns_secondary_expired gauge\n";
  for (const auto& z : t["secondary"]) {
    out += fmt::format("cidns_secondary_expired{{zone=\"{}\"}} {}\n", z.value("zone", ""),
                       z.value("state", "") == "expired" ? 1 : 0);
  }
}

}  // namespace

std::string metrics_text(const daemon_view& d) {
  const stats_snapshot s = d.stats.snapshot();
  std::string out;
  query_metrics(out, s);
  drop_metrics(out, s, d.transport);
  defence_metrics(out, s);
  zone_metrics(out, d.zones.status());
  if (d.transfers) transfer_metrics(out, d.transfers());
  return out;
}

}  // namespace cidns::authd
