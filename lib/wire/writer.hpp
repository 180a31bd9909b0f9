// Internal: appends protobuf fields to a std::string. Nested messages are
// written with their length computed first (no reserve-and-move), which keeps
// encode() and reply_builder byte-identical and cheap. Every field number of
// the transport messages is below 16, so a key is always one byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <protozero/types.hpp>

#include "cidns/record/rtype.hpp"

namespace cidns::wire::detail {

constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80U) {
    v >>= 7U;
    ++n;
  }
  return n;
}

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

template <typename Field>
constexpr char key(Field f, protozero::pbf_wire_type t) noexcept {
  static_assert(sizeof(Field) <= sizeof(std::uint32_t));
  return static_cast<char>((static_cast<std::uint32_t>(f) << 3U) | static_cast<std::uint32_t>(t));
}

// Sizes of whole fields (key included); 0 when the value is the default.
constexpr std::size_t uint_field_size(std::uint64_t v) noexcept {
  return v == 0 ? 0 : 1 + varint_size(v);
}
constexpr std::size_t bytes_field_size(std::size_t n) noexcept {
  return n == 0 ? 0 : 1 + varint_size(n) + n;
}
constexpr std::size_t message_field_size(std::size_t body) noexcept {
  return 1 + varint_size(body) + body;
}
// proto3 enums are int32 and negative values are sign-extended to 64 bits.
constexpr std::uint64_t enum_bits(std::int32_t v) noexcept {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
}

template <typename Field>
void put_uint(std::string& out, Field f, std::uint64_t v) {
  if (v == 0) return;
  out.push_back(key(f, protozero::pbf_wire_type::varint));
  put_varint(out, v);
}

template <typename Field>
void put_bytes(std::string& out, Field f, std::string_view v) {
  if (v.empty()) return;
  out.push_back(key(f, protozero::pbf_wire_type::length_delimited));
  put_varint(out, v.size());
  out.append(v);
}

// Key and length of a nested message whose body follows.
template <typename Field>
void put_message_header(std::string& out, Field f, std::size_t body) {
  out.push_back(key(f, protozero::pbf_wire_type::length_delimited));
  put_varint(out, body);
}

template <typename Field>
void put_fixed32(std::string& out, Field f, std::uint32_t v) {
  if (v == 0) return;
  out.push_back(key(f, protozero::pbf_wire_type::fixed32));
  const char b[4] = {static_cast<char>(v & 0xffU), static_cast<char>((v >> 8U) & 0xffU),
                     static_cast<char>((v >> 16U) & 0xffU), static_cast<char>(v >> 24U)};
  out.append(b, 4);
}

constexpr std::size_t record_body_size(std::string_view owner, record::rtype type,
                                       std::uint32_t ttl, std::string_view data) noexcept {
  return bytes_field_size(owner.size()) + uint_field_size(static_cast<std::uint16_t>(type)) +
         uint_field_size(ttl) + bytes_field_size(data.size());
}

// Question and Record share the layout of their first two fields (name, type).
void put_record_body(std::string& out, std::string_view owner, record::rtype type,
                     std::uint32_t ttl, std::string_view data);

}  // namespace cidns::wire::detail
