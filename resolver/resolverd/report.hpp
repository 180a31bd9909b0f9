// cidns-resolverd's control replies (cidns-admin resolver stats|flush|status, JSON lines) and
// its Prometheus metrics text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/net/server.hpp"
#include "cidns/resolve/cache.hpp"
#include "service.hpp"

namespace cidns::resolverd {

// What the control channel and the metrics endpoint read.
struct daemon_view {
  service& queries;
  resolve::cache& cache;
  const net::server* transport = nullptr;
  std::int64_t started = 0;  // unix seconds
  bool validating = false;
  std::string cache_dir;
};

// Request {"cmd": "status" | "stats" | "flush", "name": N, "subtree": bool}; reply one JSON
// object with "ok" and the data, or "ok": false and "error".
std::string handle_control(const daemon_view& d, std::string_view request_line);

std::string metrics_text(const daemon_view& d);

}  // namespace cidns::resolverd
