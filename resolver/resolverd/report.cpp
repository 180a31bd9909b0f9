// Control replies and metrics of cidns-resolverd (report.hpp).
#include "report.hpp"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cidns/serve/control_reply.hpp"

#include "cidns/name/identifier.hpp"

namespace cidns::resolverd {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json stats_json(const daemon_view& d) {
  const auto e = d.queries.engine_stats();
  const auto& c = d.queries.counters();
  const auto k = d.cache.stats();
  nlohmann::json j;
  j["queries"] = c.queries.load();
  j["answered"] = c.answered.load();
  j["refused"] = c.refused.load();
  j["formerr"] = c.formerr.load();
  j["notimp"] = c.notimp.load();
  j["dropped"] = c.dropped();
  j["dropped_by_reason"] = {{"undecodable", c.dropped_undecodable.load()},
                            {"reply", c.dropped_reply.load()},
                            {"empty", c.dropped_empty.load()}};
  j["cache_answers"] = e.cache_answers;
  j["upstream"] = {{"queries", e.upstream_queries},
                   {"timeouts", e.upstream_timeouts},
                   {"ignored", e.upstream_ignored},
                   {"coalesced", e.coalesced},
                   {"mean_rtt_ms", e.rtt_count == 0 ? 0.0
                                                    : static_cast<double>(e.rtt_sum_ms) /
                                                          static_cast<double>(e.rtt_count)}};
  j["validation"] = {{"secure", e.secure},
                     {"insecure", e.insecure},
                     {"bogus", e.bogus},
                     {"indeterminate", e.indeterminate}};
  j["servfail"] = e.servfail;
  j["work_cap_hits"] = e.work_cap_hits;
  j["discovery"] = {{"queries", e.discoveries},
                    {"cache_answers", e.discovery_cache_answers},
                    {"zones", e.discovery_zones},
                    {"partial", e.discovery_partial},
                    {"dropped", e.discovery_dropped}};
  j["cache"] = {{"hits", k.hits},
                {"misses", k.misses},
                {"stores", k.stores},
                {"rejected_by_rank", k.rejected_by_rank},
                {"evictions", k.evictions},
                {"dropped", k.dropped},
                {"entries", k.entries},
                {"bytes_used", k.bytes_used},
                {"bytes_limit", k.bytes_limit}};
  if (d.transport != nullptr) {
    auto n = d.transport->stats();
    j["transport"] = {{"udp_received", n.udp_received}, {"udp_replied", n.udp_replied},
                      {"tcp_received", n.tcp_received}, {"tcp_replied", n.tcp_replied},
                      {"tcp_open", n.tcp_open},         {"dropped", n.dropped()}};
  }
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
                   {"program", "cidns-resolverd"},
                   {"pid", static_cast<long>(::getpid())},
                   {"uptime", now_seconds() - d.started},
                   {"validating", d.validating},
                   {"cache_dir", d.cache_dir},
                   {"threads", d.transport != nullptr ? d.transport->thread_count() : 0u}};
          if (d.transport != nullptr) {
            auto listen = nlohmann::json::array();
            for (const auto& ep : d.transport->local_endpoints()) listen.push_back(ep.to_string());
            reply["listen"] = listen;
          }
        } else if (cmd == "stats") {
          reply = {{"ok", true}, {"stats", stats_json(d)}};
        } else if (cmd == "flush") {
          auto n = name::identifier::parse(req.value("name", "."));
          if (!n) {
            reply = {{"ok", false}, {"error", n.err().message}};
          } else {
            const bool subtree = req.value("subtree", false);
            const auto removed = d.cache.flush(*n, subtree);
            reply = {{"ok", true}, {"name", n->text()}, {"subtree", subtree}, {"removed", removed}};
          }
        } else {
          return std::nullopt;
        }
        return reply;
      });
}

std::string metrics_text(const daemon_view& d) {
  const auto e = d.queries.engine_stats();
  const auto& c = d.queries.counters();
  const auto k = d.cache.stats();
  std::string out;
  auto metric = [&](std::string_view type, std::string_view name, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  metric("counter", "cidns_resolver_queries_total", "Client queries received.");
  out += fmt::format("cidns_resolver_queries_total {}\n", c.queries.load());
  metric("counter", "cidns_resolver_dropped_total", "Client messages not answered, by reason.");
  out += fmt::format("cidns_resolver_dropped_total{{reason=\"undecodable\"}} {}\n",
                     c.dropped_undecodable.load());
  out +=
      fmt::format("cidns_resolver_dropped_total{{reason=\"reply\"}} {}\n", c.dropped_reply.load());
  out +=
      fmt::format("cidns_resolver_dropped_total{{reason=\"empty\"}} {}\n", c.dropped_empty.load());
  metric("counter", "cidns_resolver_refused_total", "Client queries refused by the access list.");
  out += fmt::format("cidns_resolver_refused_total {}\n", c.refused.load());
  metric("counter", "cidns_resolver_cache_total", "Cache look-ups by outcome.");
  out += fmt::format("cidns_resolver_cache_total{{result=\"hit\"}} {}\n", k.hits);
  out += fmt::format("cidns_resolver_cache_total{{result=\"miss\"}} {}\n", k.misses);
  metric("counter", "cidns_resolver_cache_answers_total", "Client queries answered from cache.");
  out += fmt::format("cidns_resolver_cache_answers_total {}\n", e.cache_answers);
  metric("counter", "cidns_resolver_upstream_queries_total",
         "Queries sent to authoritative servers.");
  out += fmt::format("cidns_resolver_upstream_queries_total {}\n", e.upstream_queries);
  metric("counter", "cidns_resolver_upstream_timeouts_total", "Upstream exchanges that failed.");
  out += fmt::format("cidns_resolver_upstream_timeouts_total {}\n", e.upstream_timeouts);
  metric("counter", "cidns_resolver_upstream_ignored_total",
         "Upstream replies ignored (wrong id, question or source; garbage).");
  out += fmt::format("cidns_resolver_upstream_ignored_total {}\n", e.upstream_ignored);
  metric("counter", "cidns_resolver_upstream_rtt_ms_sum", "Sum of upstream round-trip times.");
  out += fmt::format("cidns_resolver_upstream_rtt_ms_sum {}\n", e.rtt_sum_ms);
  metric("counter", "cidns_resolver_upstream_rtt_count", "Upstream round trips measured.");
  out += fmt::format("cidns_resolver_upstream_rtt_count {}\n", e.rtt_count);
  metric("counter", "cidns_resolver_answers_total", "Answers by validation state.");
  out += fmt::format("cidns_resolver_answers_total{{state=\"secure\"}} {}\n", e.secure);
  out += fmt::format("cidns_resolver_answers_total{{state=\"insecure\"}} {}\n", e.insecure);
  out += fmt::format("cidns_resolver_answers_total{{state=\"bogus\"}} {}\n", e.bogus);
  out +=
      fmt::format("cidns_resolver_answers_total{{state=\"indeterminate\"}} {}\n", e.indeterminate);
  metric("counter", "cidns_resolver_discover_total", "DISCOVER queries by how they ended.");
  out += fmt::format("cidns_resolver_discover_total{{result=\"cache\"}} {}\n",
                     e.discovery_cache_answers);
  out +=
      fmt::format("cidns_resolver_discover_total{{result=\"partial\"}} {}\n", e.discovery_partial);
  out += fmt::format("cidns_resolver_discover_total{{result=\"all\"}} {}\n", e.discoveries);
  metric("counter", "cidns_resolver_discover_zones_total", "Zones asked for DISCOVER results.");
  out += fmt::format("cidns_resolver_discover_zones_total {}\n", e.discovery_zones);
  metric("counter", "cidns_resolver_discover_dropped_total",
         "DISCOVER results dropped: bogus, or not matching the selector.");
  out += fmt::format("cidns_resolver_discover_dropped_total {}\n", e.discovery_dropped);
  metric("counter", "cidns_resolver_servfail_total", "Answers with SERVFAIL.");
  out += fmt::format("cidns_resolver_servfail_total {}\n", e.servfail);
  metric("counter", "cidns_resolver_cache_evictions_total", "Cache entries evicted.");
  out += fmt::format("cidns_resolver_cache_evictions_total {}\n", k.evictions);
  metric("gauge", "cidns_resolver_cache_bytes", "Cache map bytes in use.");
  out += fmt::format("cidns_resolver_cache_bytes {}\n", k.bytes_used);
  metric("gauge", "cidns_resolver_cache_limit_bytes", "Cache map size.");
  out += fmt::format("cidns_resolver_cache_limit_bytes {}\n", k.bytes_limit);
  metric("gauge", "cidns_resolver_cache_entries", "Cache entries at the last count.");
  out += fmt::format("cidns_resolver_cache_entries {}\n", k.entries);
  return out;
}

}  // namespace cidns::resolverd
