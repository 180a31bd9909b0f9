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
    // control_server's errors already read "control socket PATH: …".
    c.control = std::make_unique<control_server>(path, std::move(on_control));
    c.control->start();
  }
  if (metrics_at) {
    try {
      c.metrics = std::make_unique<metrics_server>(*metrics_at, std::move(produce));
      c.metrics->start();
    } catch (...) {
      c.stop();
      throw;  // metrics_server's errors already read "cannot listen on ADDR (metrics): …"
    }
  }
  return c;
}

}  // namespace cidns::net
