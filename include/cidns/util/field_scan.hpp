// A strict look at one level of protobuf bytes before protozero reads them.
// protozero keeps only the low 32 bits of a field key and of a length, so a key
// of 33 bits or a length of 2^32+n would be read as another, valid field;
// libprotobuf rejects both, and so must every cidns decoder (PROTOCOL §11).
// Header-only and in util, so that lib/record and lib/wire (above it) can both use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cidns::util {

// What is wrong with the bytes, and the byte offset of the field it is in.
struct field_fault {
  std::size_t offset = 0;
  const char* what = "";
};

namespace detail {

// A varint at `pos` (at most 10 bytes; one over 64 bits reads as 2^64-1); nullopt when the bytes
// end first or it is longer: protozero reports those itself, with its own words.
inline std::optional<std::uint64_t> scan_varint(std::string_view b, std::size_t& pos) noexcept {
  std::uint64_t v = 0;
  for (unsigned shift = 0; shift < 70 && pos < b.size(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(b[pos++]);
    if (shift == 63 && (byte & 0x7eU) != 0) v = ~std::uint64_t{0};  // over 64 bits: saturate
    if (shift < 64) v |= static_cast<std::uint64_t>(byte & 0x7fU) << shift;
    if ((byte & 0x80U) == 0) return v;
  }
  return std::nullopt;
}

}  // namespace detail

// Walks the fields of `bytes` (one message level: sub-messages are checked
// when their decoder reads them) and returns the first key wider than 32 bits
// or length that does not fit in the bytes left. Stops quietly, returning
// nullopt, at anything else that is wrong (truncation, an unknown wire type),
// which protozero then reports.
inline std::optional<field_fault> find_wide_field(std::string_view bytes) noexcept {
  constexpr std::uint64_t max_key = 0xffffffffU;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t start = pos;
    const auto key = detail::scan_varint(bytes, pos);
    if (!key) return std::nullopt;
    if (*key > max_key) return field_fault{start, "field key wider than 32 bits"};
    switch (*key & 7U) {
      case 0:  // varint
        if (!detail::scan_varint(bytes, pos)) return std::nullopt;
        break;
      case 1:  // fixed64
        pos += 8;
        break;
      case 2: {  // length-delimited
        const auto len = detail::scan_varint(bytes, pos);
        if (!len) return std::nullopt;
        if (*len > max_key) return field_fault{start, "length does not fit in 32 bits"};
        if (*len > bytes.size() - pos) return std::nullopt;
        pos += static_cast<std::size_t>(*len);
        break;
      }
      case 5:  // fixed32
        pos += 4;
        break;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace cidns::util
