// server_address: the printed and parsed forms of an upstream server ("127.0.0.2:5380",
// "[::1]:5380"), as configuration files, traces and logs write them.
#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "cidns/resolve/engine.hpp"

namespace cidns::resolve {

std::string server_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ip.size() == 4) {
    inet_ntop(AF_INET, ip.data(), buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port);
  }
  if (ip.size() == 16) {
    inet_ntop(AF_INET6, ip.data(), buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port);
  }
  return "<bad address>:" + std::to_string(port);
}

std::optional<server_address> server_address::parse(std::string_view text) {
  std::string host;
  std::string_view port_text;
  bool v6 = false;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host.assign(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
    v6 = true;
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      host.assign(text);  // bare IPv6 without a port
      v6 = true;
    } else if (colon != std::string_view::npos) {
      host.assign(text.substr(0, colon));
      port_text = text.substr(colon + 1);
    } else {
      host.assign(text);
    }
  }
  server_address out;
  if (!port_text.empty() || (text.size() > 0 && text.back() == ':')) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(p);
  }
  unsigned char buf[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), buf) != 1) return std::nullopt;
  out.ip.assign(reinterpret_cast<const char*>(buf), v6 ? 16 : 4);
  return out;
}

}  // namespace cidns::resolve
