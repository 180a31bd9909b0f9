// The side channels every daemon opens the same way: its control socket (unless "off") and its
// Prometheus endpoint (when configured), started, or an error naming which one failed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cidns/net/control.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/net/metrics_http.hpp"

namespace cidns::net {

struct daemon_channels {
  std::unique_ptr<control_server> control;  // null when "off"
  std::unique_ptr<metrics_server> metrics;  // null when not configured

  // `control_path`: "" = default_control_path(daemon), "off" = none. Throws
  // std::runtime_error "control socket PATH: …" or "cannot listen on ADDR (metrics): …".
  static daemon_channels open(std::string_view daemon, const std::string& control_path,
                              control_server::handler on_control,
                              const std::optional<endpoint>& metrics_at,
                              metrics_server::producer produce);

  void stop() {
    if (metrics) metrics->stop();
    if (control) control->stop();
  }
};

}  // namespace cidns::net
