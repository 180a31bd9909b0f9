#include "cidns/net/endpoint.hpp"

#include <algorithm>
#include <charconv>

#include <net/if.h>

#include <fmt/format.h>
#include <boost/system/error_code.hpp>

namespace cidns::net {

std::string endpoint::to_string() const {
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), port);
  return fmt::format("{}:{}", address.to_string(), port);
}

namespace {

error fail(std::string_view text, std::string_view why) {
  return make_error(fmt::format("{}: {}", text, why));
}

bool looks_like_ipv4(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

result<std::uint16_t> parse_port(std::string_view text, std::string_view port) {
  if (port.empty()) return fail(text, "missing port after ':'");
  unsigned value = 0;
  const auto* end = port.data() + port.size();
  auto [ptr, ec] = std::from_chars(port.data(), end, value);
  if (ec != std::errc{} || ptr != end || port.size() > 5 || value > 65535)
    return fail(text, fmt::format("invalid port '{}' (expected 0-65535)", port));
  return static_cast<std::uint16_t>(value);
}

// An IPv6 zone id ("fe80::1%eth0", "fe80::1%2") must be a decimal interface index below 2^31
// or the name of an existing interface: Asio would otherwise take what atoi makes of it.
bool valid_zone_id(std::string_view zone) {
  if (zone.empty()) return false;
  if (std::all_of(zone.begin(), zone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint32_t value = 0;
    auto [ptr, ec] = std::from_chars(zone.data(), zone.data() + zone.size(), value);
    return ec == std::errc{} && ptr == zone.data() + zone.size() && value <= 0x7fffffff;
  }
  if (zone.size() >= IF_NAMESIZE) return false;
  return if_nametoindex(std::string(zone).c_str()) != 0;
}

}  // namespace

result<endpoint> parse_endpoint(std::string_view text, std::uint16_t port_if_absent) {
  if (text.empty()) return make_error("empty address");
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  bool bracketed = false;

  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(text, "missing ']' after IPv6 address");
    host = text.substr(1, close - 1);
    bracketed = true;
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail(text, "expected ':PORT' after ']'");
      port = rest.substr(1);
      has_port = true;
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  }
  // More than one ':' without brackets: a bare IPv6 address, no port.

  endpoint ep;
  ep.port = port_if_absent;
  if (has_port) {
    auto p = parse_port(text, port);
    if (!p) return std::move(p).err();
    ep.port = *p;
  }
  if (host.empty()) return fail(text, "missing address");

  boost::system::error_code ec;
  const bool v6 = bracketed || host.find(':') != std::string_view::npos;
  if (v6) {
    if (const auto pct = host.find('%');
        pct != std::string_view::npos && !valid_zone_id(host.substr(pct + 1)))
      return fail(text, "invalid IPv6 zone id (expected an interface name or index)");
    auto a = boost::asio::ip::make_address_v6(host, ec);
    if (ec) return fail(text, "invalid IPv6 address");
    ep.address = a;
  } else {
    auto a = boost::asio::ip::make_address_v4(host, ec);
    if (ec) {
      if (looks_like_ipv4(host)) return fail(text, "invalid IPv4 address");
      return fail(text,
                  "not an IP address (expected IPv4, [IPv6]:PORT or IPv6; host names are "
                  "not resolved here)");
    }
    ep.address = a;
  }
  return ep;
}

result<endpoint> parse_endpoint_with_port(std::string_view text) {
  // Whether a port was written: parsed with two different fallbacks, only a missing one differs.
  auto ep = parse_endpoint(text, 0);
  if (!ep) return ep;
  if (auto again = parse_endpoint(text, 1); again && again->port != ep->port) {
    return fail(text, "a port is required (ADDR:PORT)");
  }
  return ep;
}

}  // namespace cidns::net
