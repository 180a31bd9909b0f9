// TTL and duration parsing for zonefiles.
#include "cidns/zone/ttl.hpp"

#include "cidns/record/rr.hpp"

namespace cidns::zone {

result<std::uint32_t> parse_ttl(std::string_view text) {
  if (text.empty()) return make_error("empty TTL", 0, 1);
  std::uint64_t total = 0;
  std::size_t i = 0;
  bool units = false;
  while (i < text.size()) {
    const std::size_t start = i;
    std::uint64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (n > record::max_ttl) {
        return make_error("TTL too large (at most 2147483647 seconds)", 0,
                          static_cast<std::uint32_t>(start + 1));
      }
      ++i;
    }
    if (i == start) {
      return make_error("expected a number, e.g. 3600, 30s, 5m, 1h30m, 1d, 1w", 0,
                        static_cast<std::uint32_t>(i + 1));
    }
    std::uint64_t mult = 1;
    if (i == text.size()) {
      if (units)
        return make_error("missing unit after the number", 0, static_cast<std::uint32_t>(i));
    } else {
      switch (text[i]) {
        case 's':
        case 'S':
          mult = 1;
          break;
        case 'm':
        case 'M':
          mult = 60;
          break;
        case 'h':
        case 'H':
          mult = 3600;
          break;
        case 'd':
        case 'D':
          mult = 86400;
          break;
        case 'w':
        case 'W':
          mult = 604800;
          break;
        default:
          return make_error("unknown time unit (use s, m, h, d or w)", 0,
                            static_cast<std::uint32_t>(i + 1));
      }
      ++i;
      units = true;
    }
    total += n * mult;
    if (total > record::max_ttl) {
      return make_error("TTL too large (at most 2147483647 seconds)", 0, 1);
    }
  }
  return static_cast<std::uint32_t>(total);
}

}  // namespace cidns::zone
