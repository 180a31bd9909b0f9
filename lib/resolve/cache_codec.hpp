// The value format of a cache entry (private to the LMDB cache; its version is the cache's
// format-version stamp). A value is untrusted bytes: another process, an older build or a
// damaged file may have written it, so decoding never throws and fails as nullopt.
//
//   header  u8 format (1), u32 stored, u32 ttl (little-endian), u8 rank, u8 kind, u8 state
//   body    varint reason length, reason; varint record count, records; varint proof count,
//           proof records. A record: u8 owner length (0: the entry's owner) and owner text,
//           u16 type, u32 ttl (little-endian), varint data length, data (as received).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cidns/resolve/cache.hpp"

namespace cidns::resolve::detail {

inline constexpr std::uint8_t value_format = 1;
inline constexpr std::size_t header_size = 12;

struct entry_header {
  std::uint32_t stored = 0, ttl = 0;
  resolve::rank rank = resolve::rank::bogus;
  entry_kind kind = entry_kind::rrset;
  resolve::security state = resolve::security::indeterminate;

  bool expired(std::uint32_t now) const noexcept { return now >= std::uint64_t{stored} + ttl; }
};

// `owner`: the entry's owner; records with that owner are stored without it.
void encode_entry(std::string& out, const cache_entry& e, const name::identifier& owner);
std::optional<entry_header> decode_header(std::string_view value) noexcept;
std::optional<cache_entry> decode_entry(std::string_view value, const name::identifier& owner);

}  // namespace cidns::resolve::detail
