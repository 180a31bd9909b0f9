// A minimal Prometheus endpoint: GET /metrics answers with the text a callback produces,
// anything else 404 (405 for other methods on /metrics). One connection at a time, on its own
// thread: scrapes are rare and small.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "cidns/net/endpoint.hpp"

namespace cidns::net {

class metrics_server {
 public:
  using producer = std::function<std::string()>;

  // Binds (port 0 picks one); throws std::runtime_error naming the address on failure.
  metrics_server(const endpoint& listen, producer produce);
  ~metrics_server();  // stop()
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  void start();
  void stop();
  endpoint local_endpoint() const;

  struct impl;

 private:
  std::unique_ptr<impl> m_impl;
  std::thread m_thread;
};

}  // namespace cidns::net
