// The zone journal's value: a compact, versioned, deterministic byte encoding of a
// record::changeset. Journal values are untrusted bytes (a damaged file, another build), so
// decoding never throws and accepts exactly the bytes encode produces: decode(x) succeeding
// means encode(decode(x)) == x. Needs no LMDB (the fuzz build compiles it alone).
//
//   value  := version(u8 = 1) from(u32) to(u32) list(removed) list(added)   nothing after
//   list   := count(varint) record*
//   record := owner_len(u8) owner[owner_len] type(u16) ttl(u32) data_len(varint) data
//
// Integers are big-endian; varints are LEB128 in their shortest form. owner is the owner's
// canonical text (trailing dot, 1..254 bytes); owner_len 0 means "the owner of the previous
// record of the value" (removed then added), and the encoder uses it whenever it can.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/record/changeset.hpp"
#include "cidns/util/result.hpp"

namespace cidns::store {

inline constexpr std::uint8_t changeset_format = 1;
// Limits that decode enforces (and check_changeset_limits reports for a changeset to store).
inline constexpr std::size_t max_changeset_records = std::size_t{1} << 22;  // both lists
inline constexpr std::size_t max_record_data = 65535;                       // a message's size
inline constexpr std::size_t max_changeset_value = std::size_t{1} << 30;    // encoded bytes
// version, from, to: the bytes decode_changeset_serials reads.
inline constexpr std::size_t changeset_header_size = 9;

std::string encode_changeset(const record::changeset& c);
result<record::changeset> decode_changeset(std::string_view bytes);

// Only the serials of an encoded changeset (the journal walks them without decoding records).
struct changeset_serials {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
};
result<changeset_serials> decode_changeset_serials(std::string_view bytes);

// Whether `c` encodes to bytes that decode_changeset accepts: record counts and data sizes
// within the limits above, types not 0, TTLs at most record::max_ttl.
result<void> check_changeset_limits(const record::changeset& c);

}  // namespace cidns::store
