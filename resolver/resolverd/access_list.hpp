// Which client addresses a resolver answers (--allow PREFIX): a list of IPv4/IPv6 prefixes.
// Others get REFUSED. Checked once per query, so a linear scan of a short list.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/util/result.hpp"

namespace cidns::resolverd {

class access_list {
 public:
  // 127.0.0.0/8 and ::1/128.
  static access_list loopback();

  // "10.0.0.0/8", "192.0.2.1" (a /32), "2001:db8::/32", "::1"; "any" allows everything.
  result<void> add(std::string_view prefix);
  void clear() { m_prefixes.clear(); }

  // `ip` is 4 or 16 bytes in network order (an IPv4-mapped IPv6 address counts as IPv4).
  bool allows(std::string_view ip) const noexcept;
  std::string to_string() const;  // "127.0.0.0/8 ::1/128"

 private:
  struct prefix {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t length = 0;  // bits
    bool v6 = false;
  };
  std::vector<prefix> m_prefixes;
};

}  // namespace cidns::resolverd
