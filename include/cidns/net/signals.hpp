// SIGINT/SIGTERM/SIGHUP wiring for the daemons, via asio::signal_set (the callbacks run as
// ordinary handlers on the given io_context, never in signal context).
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace cidns::net {

class signal_watcher {
 public:
  struct callbacks {
    std::function<void(int signo)> on_stop;  // SIGINT, SIGTERM
    std::function<void()> on_reload;         // SIGHUP
  };

  // Installs the handlers at once. After the first stop signal SIGINT and SIGTERM get their
  // default action back, so a second Ctrl-C ends a stuck shutdown.
  signal_watcher(boost::asio::io_context& io, callbacks cb);
  ~signal_watcher();
  signal_watcher(const signal_watcher&) = delete;
  signal_watcher& operator=(const signal_watcher&) = delete;

 private:
  void arm();

  boost::asio::signal_set m_signals;
  callbacks m_cb;
};

// Blocks the calling thread until SIGINT or SIGTERM (calling on_reload for each SIGHUP) and
// returns the signal number. Typical main: server.start(); wait_for_stop_signal(...);
// server.stop().
int wait_for_stop_signal(const std::function<void()>& on_reload);

}  // namespace cidns::net
