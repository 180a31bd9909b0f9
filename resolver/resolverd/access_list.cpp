// Client access prefixes (access_list.hpp).
#include "access_list.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace cidns::resolverd {

access_list access_list::loopback() {
  access_list a;
  (void)a.add("127.0.0.0/8");
  (void)a.add("::1/128");
  return a;
}

result<void> access_list::add(std::string_view text) {
  if (text == "any") {
    (void)add("0.0.0.0/0");
    return add("::/0");
  }
  std::string_view addr = text;
  int length = -1;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    auto len = text.substr(slash + 1);
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), length);
    if (ec != std::errc{} || p != len.data() + len.size() || len.empty()) {
      return error{fmt::format("{}: the prefix length is not a number", text)};
    }
  }
  prefix p;
  std::string a(addr);
  if (inet_pton(AF_INET, a.c_str(), p.bytes.data()) == 1) {
    if (length < 0) length = 32;
    if (length > 32) return error{fmt::format("{}: an IPv4 prefix is at most /32", text)};
  } else if (inet_pton(AF_INET6, a.c_str(), p.bytes.data()) == 1) {
    p.v6 = true;
    if (length < 0) length = 128;
    if (length > 128) return error{fmt::format("{}: an IPv6 prefix is at most /128", text)};
  } else {
    return error{fmt::format("{}: not an IP address or prefix", text)};
  }
  p.length = static_cast<std::uint8_t>(length);
  m_prefixes.push_back(p);
  return {};
}

bool access_list::allows(std::string_view ip) const noexcept {
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip.size() == 16 && std::memcmp(ip.data(), mapped, 12) == 0) ip.remove_prefix(12);
  const bool v6 = ip.size() == 16;
  if (!v6 && ip.size() != 4) return false;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(ip.data());
  for (const auto& p : m_prefixes) {
    if (p.v6 != v6) continue;
    const unsigned whole = p.length / 8, rest = p.length % 8;
    if (std::memcmp(bytes, p.bytes.data(), whole) != 0) continue;
    if (rest != 0) {
      const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if ((bytes[whole] & mask) != (p.bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string access_list::to_string() const {
  std::string out;
  for (const auto& p : m_prefixes) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.bytes.data(), buf, sizeof buf);
    if (!out.empty()) out += ' ';
    out += fmt::format("{}/{}", buf, p.length);
  }
  return out;
}

}  // namespace cidns::resolverd
