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

std::string type_label(std::size_t slot) {
  if (slot <= 12) return record::type_name(static_cast<record::rtype>(slot));
  return slot == 13 ? "RESOURCE" : "OTHER";
}

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
        } else if (cmd == "stats") {
          reply = {{"ok", true}, {"stats", stats_json(d)}};
        } else if (cmd == "reload") {
          std::string zone = req.value("zone", "");
          if (!d.zones.request_reload(zone)) {
            reply = {{"ok", false}, {"error", fmt::format("no zone {} is configured", zone)}};
          } else {
            if (req.value("wait", false)) d.zones.wait_idle();
            reply = {{"ok", true}, {"queued", zone.empty() ? "all" : zone}};
            if (req.value("wait", false)) reply["zones"] = d.zones.status();
          }
        } else {
          return std::nullopt;
        }
        return reply;
      });
}

std::string metrics_text(const daemon_view& d) {
  stats_snapshot s = d.stats.snapshot();
  std::string out;
  auto counter = [&](std::string_view name, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  };
  counter("cidns_queries_total", "Queries answered, by opcode.");
  for (std::size_t i = 0; i < s.by_opcode.size(); ++i) {
    if (s.by_opcode[i] == 0) continue;
    out +=
        fmt::format("cidns_queries_total{{opcode=\"{}\"}} {}\n", opcode_label(i), s.by_opcode[i]);
  }
  counter("cidns_query_types_total", "Queries by question type.");
  for (std::size_t i = 0; i < s.by_type.size(); ++i) {
    if (s.by_type[i] != 0) {
      out +=
          fmt::format("cidns_query_types_total{{type=\"{}\"}} {}\n", type_label(i), s.by_type[i]);
    }
  }
  counter("cidns_responses_total", "Replies by rcode.");
  for (std::size_t i = 0; i < s.by_rcode.size(); ++i) {
    if (s.by_rcode[i] != 0) {
      out += fmt::format("cidns_responses_total{{rcode=\"{}\"}} {}\n",
                         wire::rcode_name(static_cast<wire::rcode>(i)), s.by_rcode[i]);
    }
  }
  auto histogram = [&](std::string_view name, std::string_view help, const auto& bounds,
                       const auto& counts, double sum, double scale) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += counts[i];
      out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name,
                         static_cast<double>(bounds[i]) * scale, cumulative);
    }
    cumulative += counts[bounds.size()];
    out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, cumulative,
                       name, sum, name, cumulative);
  };
  histogram("cidns_reply_size_bytes", "Reply sizes.", stats_block::size_bounds, s.reply_size,
            static_cast<double>(s.reply_bytes), 1.0);
  histogram("cidns_query_duration_seconds", "Time to answer a query inside the server.",
            stats_block::latency_bounds_us, s.latency, static_cast<double>(s.latency_ns_sum) / 1e9,
            1e-6);
  counter("cidns_truncated_total", "Replies cut to the UDP size limit (TC set).");
  out += fmt::format("cidns_truncated_total {}\n", s.truncated);
  counter("cidns_dropped_total", "Messages not answered, by reason.");
  out += fmt::format("cidns_dropped_total{{reason=\"undecodable\"}} {}\n", s.dropped);
  if (d.transport != nullptr) {
    auto n = d.transport->stats();
    out += fmt::format("cidns_dropped_total{{reason=\"oversize\"}} {}\n", n.dropped_oversize);
    out += fmt::format("cidns_dropped_total{{reason=\"error\"}} {}\n", n.dropped_errors);
    out += fmt::format("cidns_dropped_total{{reason=\"connection_limit\"}} {}\n",
                       n.dropped_conn_limit);
  }
  counter("cidns_rrl_total", "UDP replies over the response-rate limit, by what was done.");
  out += fmt::format("cidns_rrl_total{{action=\"slip\"}} {}\n", s.rrl_slipped);
  out += fmt::format("cidns_rrl_total{{action=\"drop\"}} {}\n", s.rrl_dropped);
  counter("cidns_cookies_total", "Queries with a cookie, by what it held.");
  out += fmt::format("cidns_cookies_total{{result=\"new\"}} {}\n", s.cookie_new);
  out += fmt::format("cidns_cookies_total{{result=\"valid\"}} {}\n", s.cookie_valid);
  out += fmt::format("cidns_cookies_total{{result=\"invalid\"}} {}\n", s.cookie_invalid);
  out +=
      "# HELP cidns_zone_serial Serial of the zone version in service.\n# TYPE cidns_zone_serial "
      "gauge\n";
  auto zones = d.zones.status();
  for (const auto& z : zones) {
    out += fmt::format("cidns_zone_serial{{zone=\"{}\"}} {}\n", z["name"].get<std::string>(),
                       z["serial"].get<std::uint32_t>());
  }
  counter("cidns_zone_loads_total", "Zone loads and reloads that succeeded.");
  out += fmt::format("cidns_zone_loads_total {}\n", d.zones.reloads());
  counter("cidns_zone_load_failures_total", "Zone loads and reloads refused for errors.");
  out += fmt::format("cidns_zone_load_failures_total {}\n", d.zones.reload_failures());
  return out;
}

}  // namespace cidns::authd
