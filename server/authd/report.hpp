// What cidns-authd tells its operator: the control-socket commands (JSON lines)
// and the Prometheus metrics text, built from the same counters.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cidns/net/server.hpp"
#include "cidns/serve/query_stats.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {

struct daemon_view {
  zone_manager& zones;
  const serve::query_stats& stats;
  const net::server* transport = nullptr;  // may be null before start
  std::int64_t started_at = 0;             // unix seconds
  // Zone transfers: {"served": {...}, "notify": [...], "secondary": [...]}; null: none.
  std::function<nlohmann::json()> transfers;
};

// Handles one control request line:
// {"cmd":"status"|"zones"|"stats"|"transfers"|"reload"|"flush"[,"zone":NAME]}. Replies
// {"ok":true,...} or
// {"ok":false,"error":"..."}.
std::string handle_control(const daemon_view& d, std::string_view request_line);

// Prometheus text exposition of the counters.
std::string metrics_text(const daemon_view& d);

}  // namespace cidns::authd
