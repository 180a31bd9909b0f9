// TTLs and durations in zonefiles: "3600", "30s", "5m", "1h30m", "1w" (DESIGN §3).
#pragma once

#include <cstdint>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::zone {

// Parses a TTL: a number of seconds, or one or more number+unit pairs (s m h d w,
// either case), summed. At most record::max_ttl (2^31-1). On error, err().col is
// the 1-based offset of the problem in `text`.
result<std::uint32_t> parse_ttl(std::string_view text);

}  // namespace cidns::zone
