// The age index of lmdb_cache (private): for every entry, a key in the "age" database made
// of the time it was stored (big-endian, so the oldest come first) and the entry's key, with
// its expiry time as the value. Eviction walks it from the oldest.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cidns::resolve::detail {

inline std::string age_key(std::uint32_t stored, std::string_view entry_key) {
  std::string out;
  out.reserve(4 + entry_key.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(stored >> shift));
  out += entry_key;
  return out;
}

inline std::uint32_t be32(std::string_view b) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4 && i < b.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

inline std::string age_value(std::uint64_t expiry) {
  const auto e = static_cast<std::uint32_t>(std::min<std::uint64_t>(expiry, UINT32_MAX));
  return age_key(e, {});
}

}  // namespace cidns::resolve::detail
