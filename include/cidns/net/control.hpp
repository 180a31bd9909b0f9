// The local control channel (cidns-admin): a Unix stream socket, mode 0600, carrying one
// request line and one reply line at a time. The line format (JSON) is the caller's business.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "cidns/util/result.hpp"

namespace cidns::net {

// /run/cidns/NAME.sock as root, else $XDG_RUNTIME_DIR/cidns/NAME.sock, else
// /tmp/cidns-UID/NAME.sock. NAME is e.g. "authd" or "resolverd".
std::string default_control_path(std::string_view name = "authd");

// Serves the socket on its own thread. The handler gets a request line without its newline
// and returns the reply line (a newline is added); it runs on that one thread only.
class control_server {
 public:
  using handler = std::function<std::string(std::string_view request_line)>;

  // Creates the parent directory (0700) if missing, refuses a parent writable by others or
  // owned by another user, removes a stale socket (but not a live one: another server
  // answering there is an error), binds, chmods 0600. Throws std::runtime_error.
  control_server(std::string path, handler on_request);
  ~control_server();  // stop()
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  void start();
  void stop();  // closes the listener and open connections, joins, unlinks the socket
  const std::string& path() const { return m_path; }

  struct impl;

 private:
  std::string m_path;
  std::unique_ptr<impl> m_impl;
  std::thread m_thread;
};

// Sends one line (a newline is added if missing) and returns the reply line without newline.
result<std::string> control_request(const std::string& path, std::string_view line,
                                    std::chrono::milliseconds timeout);

}  // namespace cidns::net
