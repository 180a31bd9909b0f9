// Control socket and metrics endpoint of a daemon (daemon_channels.hpp).
#include "cidns/net/daemon_channels.hpp"

#include <stdexcept>

namespace cidns::net {

daemon_channels daemon_channels::open(std::string_view daemon, const std::string& control_path,
                                      control_server::handler on_control,
                                      const std::optional<endpoint>& metrics_at,
                                      metrics_server::producer produce) {
  daemon_channels c;
  if (control_path != "off") {
    const std::string path = control_path.empty() ? default_control_path(daemon) : control_path;
    try {
      c.control = std::make_unique<control_server>(path, std::move(on_control));
      c.control->start();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("control socket: ") + e.what());
    }
  }
  if (metrics_at) {
    try {
      c.metrics = std::make_unique<metrics_server>(*metrics_at, std::move(produce));
      c.metrics->start();
    } catch (const std::exception& e) {
      c.stop();
      throw std::runtime_error(std::string("metrics: ") + e.what());
    }
  }
  return c;
}

}  // namespace cidns::net
