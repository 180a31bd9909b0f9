// Record type numbers (cidns.proto RecordType) and their mnemonics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cidns::record {

// Any value 1..65535 may travel; these are the ones cidns knows.
enum class rtype : std::uint16_t {
  none = 0,
  soa = 1,
  ns = 2,
  addr = 3,
  cname = 4,
  txt = 5,
  desc = 6,
  state = 7,
  ep = 8,
  key = 9,
  ds = 10,
  sig = 11,
  nsec = 12,
  resource = 255,  // query meta-type: DESC + STATE + EP (+ CNAME)
};

// "SOA", "DESC", ...; unknown types as "TYPE<n>".
std::string type_name(rtype t);
// Case-insensitive mnemonic or "TYPE<n>" (1..65535); nullopt otherwise.
std::optional<rtype> parse_type(std::string_view text);
// True for the types cidns knows (has a data description for), not meta-types.
bool is_known_data_type(rtype t);

// At most this many known data types: fixed-size per-type counters are sized
// by it (type_table.cpp checks at compile time that the table fits).
inline constexpr std::size_t max_known_types = 32;
// The known data types in the order of the type table (lib/record/type_table.cpp),
// which is ascending by number; meta-types are not in it.
std::span<const rtype> known_types() noexcept;
// The position of `t` in known_types(); nullopt for meta-types and unknown types.
std::optional<std::size_t> known_type_index(rtype t) noexcept;

}  // namespace cidns::record
