// Record type numbers (cidns.proto RecordType) and their mnemonics.
#pragma once

#include <cstdint>
#include <optional>
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

}  // namespace cidns::record
