#include "cidns/net/signals.hpp"

#include <csignal>

namespace cidns::net {

signal_watcher::signal_watcher(boost::asio::io_context& io, callbacks cb)
    : m_signals(io, SIGINT, SIGTERM, SIGHUP), m_cb(std::move(cb)) {
  arm();
}

signal_watcher::~signal_watcher() {
  boost::system::error_code ec;
  m_signals.cancel(ec);
}

void signal_watcher::arm() {
  m_signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (m_cb.on_reload) m_cb.on_reload();
    } else {
      boost::system::error_code ignored;
      m_signals.remove(SIGINT, ignored);
      m_signals.remove(SIGTERM, ignored);
      if (m_cb.on_stop) m_cb.on_stop(signo);
    }
    arm();
  });
}

int wait_for_stop_signal(const std::function<void()>& on_reload) {
  boost::asio::io_context io{1};
  int stopped_by = 0;
  signal_watcher watcher(io, {[&](int signo) {
                                stopped_by = signo;
                                io.stop();  // this private context only; nothing else runs on it
                              },
                              on_reload});
  io.run();
  return stopped_by;
}

}  // namespace cidns::net
