// Internal: appends protobuf fields to a std::string. Nested messages are
// written with their length computed first (no reserve-and-move), which keeps
// encode() and reply_builder byte-identical and cheap: protozero's writer,
// which reserves a length and moves the body, costs 6-17 % more per built
// reply and 59-69 % more per encode() (contrib/bench/wire_bench, *Pz against
// *Cmp; README there). Keys are varints, correct for every field number 1 to 2^29 - 1
// (tests/unit/wire/writer_key_test.cpp checks them against protozero's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <protozero/types.hpp>

#include "cidns/record/rtype.hpp"
#include "cidns/util/byte_codec.hpp"
#include "cidns/wire/fields.hpp"

namespace cidns::wire::detail {

using util::varint_size;

inline void put_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80U) {
    buf[n++] = static_cast<char>((v & 0x7fU) | 0x80U);
    v >>= 7U;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

// A field key is the varint (field << 3) | wire type: one byte for fields
// 1-15, two for 16-2047, up to five for the largest, 2^29 - 1. The key's size
// depends on the field number alone.
template <typename Field>
constexpr std::uint64_t key(Field f, protozero::pbf_wire_type t) noexcept {
  static_assert(sizeof(Field) <= sizeof(std::uint32_t));
  return (static_cast<std::uint64_t>(f) << 3U) | static_cast<std::uint64_t>(t);
}
template <typename Field>
constexpr std::size_t key_size(Field f) noexcept {
  return varint_size(key(f, protozero::pbf_wire_type::varint));
}

// Out of line, so that a one-byte key (fields 1-15, every transport field)
// costs a compare on the hot path, also where the field is not a constant.
[[gnu::cold, gnu::noinline]] inline void put_long_key(std::string& out, std::uint64_t k) {
  put_varint(out, k);
}

template <typename Field>
void put_key(std::string& out, Field f, protozero::pbf_wire_type t) {
  const std::uint64_t k = key(f, t);
  if (k < 0x80U) [[likely]] {
    out.push_back(static_cast<char>(k));
  } else {
    put_long_key(out, k);
  }
}

// The one-byte key of a field below 16, for a key picked at run time from a
// table (reply_builder's sections) at the cost of a byte store; a larger field
// number does not compile.
template <typename Field>
consteval char short_key(Field f, protozero::pbf_wire_type t) {
  if (key(f, t) >= 0x80U) throw "short_key: the field number needs a longer key (put_key)";
  return static_cast<char>(key(f, t));
}

// Sizes of whole fields (key included); 0 when the value is the default.
template <typename Field>
constexpr std::size_t uint_field_size(Field f, std::uint64_t v) noexcept {
  return v == 0 ? 0 : key_size(f) + varint_size(v);
}
template <typename Field>
constexpr std::size_t bytes_field_size(Field f, std::size_t n) noexcept {
  return n == 0 ? 0 : key_size(f) + varint_size(n) + n;
}
template <typename Field>
constexpr std::size_t fixed32_field_size(Field f, std::uint32_t v) noexcept {
  return v == 0 ? 0 : key_size(f) + 4;
}
// A nested message is written even when empty.
template <typename Field>
constexpr std::size_t message_field_size(Field f, std::size_t body) noexcept {
  return key_size(f) + varint_size(body) + body;
}
// proto3 enums are int32 and negative values are sign-extended to 64 bits.
constexpr std::uint64_t enum_bits(std::int32_t v) noexcept {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
}

template <typename Field>
void put_uint(std::string& out, Field f, std::uint64_t v) {
  if (v == 0) return;
  put_key(out, f, protozero::pbf_wire_type::varint);
  put_varint(out, v);
}

template <typename Field>
void put_bytes(std::string& out, Field f, std::string_view v) {
  if (v.empty()) return;
  put_key(out, f, protozero::pbf_wire_type::length_delimited);
  put_varint(out, v.size());
  out.append(v);
}

// Key and length of a nested message whose body follows.
template <typename Field>
void put_message_header(std::string& out, Field f, std::size_t body) {
  put_key(out, f, protozero::pbf_wire_type::length_delimited);
  put_varint(out, body);
}

// The same with a key from short_key().
inline void put_short_message_header(std::string& out, char short_key, std::size_t body) {
  out.push_back(short_key);
  put_varint(out, body);
}

template <typename Field>
void put_fixed32(std::string& out, Field f, std::uint32_t v) {
  if (v == 0) return;
  put_key(out, f, protozero::pbf_wire_type::fixed32);
  const char b[4] = {static_cast<char>(v & 0xffU), static_cast<char>((v >> 8U) & 0xffU),
                     static_cast<char>((v >> 16U) & 0xffU), static_cast<char>(v >> 24U)};
  out.append(b, 4);
}

constexpr std::size_t record_body_size(std::string_view owner, record::rtype type,
                                       std::uint32_t ttl, std::string_view data) noexcept {
  return bytes_field_size(record_field::name, owner.size()) +
         uint_field_size(record_field::type, static_cast<std::uint16_t>(type)) +
         uint_field_size(record_field::ttl, ttl) +
         bytes_field_size(record_field::data, data.size());
}

constexpr std::size_t error_body_size(std::uint32_t code, std::string_view text) noexcept {
  return uint_field_size(extended_error_field::code, code) +
         bytes_field_size(extended_error_field::text, text.size());
}

// Question and Record share the layout of their first two fields (name, type).
void put_record_body(std::string& out, std::string_view owner, record::rtype type,
                     std::uint32_t ttl, std::string_view data);

}  // namespace cidns::wire::detail
