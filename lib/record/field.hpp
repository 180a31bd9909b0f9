// The description of record types (PowerDNS dnsrecords.cc idea): each type is a
// list of field descriptors, and one set of generic engines reads text, writes
// wire data, decodes and checks wire data, prints text and JSON from it.
// The tables live in type_table.cpp. Adding a type touches: its message and
// RecordType number in cidns.proto, its enumerator in rtype.hpp, and its entry
// in type_table.cpp, nothing else. Text, wire, JSON, validation, the fuzzers'
// type choice and the servers' per-type counters (serve::stats_block) all follow
// from the table. A typed struct in data.hpp is optional; its fields are found
// in the table by key, not by a second list of numbers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"
#include "cidns/util/text.hpp"

namespace cidns::record::detail {

inline constexpr std::size_t max_string = 4096;
inline constexpr std::size_t max_list = 64;
inline constexpr std::size_t max_desc_keys = 64;
inline constexpr std::uint64_t max_json_exact = (std::uint64_t{1} << 53) - 1;
inline constexpr std::uint64_t max_time = 253402300799;  // 9999-12-31T23:59:59Z

// How a field's value is written in text and stored on the wire.
enum class field_kind : std::uint8_t {
  name,         // identifier (string); relative names get the origin
  number,       // decimal integer (varint)
  duration,     // seconds: 30s 5m 1h 1d 1w or plain seconds (varint)
  time_rfc,     // unix seconds (int64), printed RFC 3339 "2026-11-25T10:00:00Z"
  time_dnssec,  // unix seconds (uint64), printed YYYYMMDDHHMMSS
  string,       // opaque string, bare or quoted (UTF-8)
  region,       // hierarchical token "cn-north.beijing" (string)
  currency,     // "CNY" (string)
  base64,       // bytes, base64 over the remaining tokens
  hex,          // bytes, hex over the remaining tokens
  ip,           // bytes: 4 (IPv4) or 16 (IPv6), printed as an address
  enumeration,  // varint named by `names` (a number is accepted too)
  flags,        // varint bits named by `names`, joined by '|'
  type,         // varint record type mnemonic
  string_list,  // repeated string, comma-separated in one token
  text_list,    // repeated string, one per remaining token (TXT)
  type_list,    // repeated record type, packed, one per remaining token
  size,         // uint64 in a binary unit (aux = log2 bytes of the unit)
  ppm,          // parts per million, written "99.95%" or bare ppm
  milli,        // x1000, written as a decimal "1.25"
  money,        // milli-units; "2.5CNY" also sets field `aux` (the currency)
  key_list,     // DESC mandatory: comma list of keys of this type
  extensions,   // map<string,string> of x-* keys
};

enum class field_form : std::uint8_t {
  positional,           // next token, required
  positional_optional,  // next token if any, else the default
  rest,                 // all remaining tokens
  keyvalue,             // key=value, any order
};

struct enum_name {
  std::uint32_t value;
  std::string_view name;
};

struct field_desc {
  std::string_view key;  // text key, error and JSON name ("accel.mem", "port")
  std::uint8_t number;   // proto field number
  field_kind kind;
  field_form form;
  bool presence = false;  // proto3 `optional`: written when set, even if 0
  std::uint64_t min = 0, max = 0xffffffff;
  std::uint64_t dflt = 0;  // value when absent (non-presence fields); not written
  std::uint8_t aux = 0;    // size: unit shift; money: currency field number
  std::span<const enum_name> names = {};
};

struct type_desc {
  rtype type;
  std::string_view name;               // mnemonic
  std::span<const field_desc> fields;  // ascending by field number
};

// All known types (not meta-types); nullptr if `t` has no description.
const type_desc* find_type(rtype t) noexcept;
// The table's types, then any register_types() added, in that order (the order
// of record::known_types()).
std::span<const type_desc> all_types() noexcept;
// Adds types described outside the table (tests: a test-only type shows that a
// table entry is all a type needs). `extra` must outlive every use. Call it
// before any other thread uses lib/record. False, adding nothing, when a type
// is a meta-type, already known, badly ordered, or record::max_known_types
// would be exceeded.
bool register_types(std::span<const type_desc> extra);
const field_desc* find_field(const type_desc& td, std::uint32_t number) noexcept;
const field_desc* find_key(const type_desc& td, std::string_view key) noexcept;
std::string_view enum_text(std::span<const enum_name> names, std::uint64_t v) noexcept;
// The mnemonics of record::algorithm (type_table.cpp), shared with time.hpp.
std::span<const enum_name> algorithm_names() noexcept;

inline constexpr std::size_t max_fields = 32;

// One field's value, between text and wire. Views point into the input (token
// text or wire data), the caller's struct, or the owning values' arena.
struct slot {
  bool set = false;
  std::uint64_t num = 0;
  std::string_view bytes;
  std::vector<std::string_view> items;
  std::vector<std::uint64_t> nums;
  std::vector<std::pair<std::string_view, std::string_view>> map;
};

struct values {
  const type_desc* td = nullptr;
  std::array<slot, max_fields> slots;
  std::forward_list<std::string> arena;  // stable storage for converted text

  std::string_view keep(std::string s) {
    arena.push_front(std::move(s));
    return arena.front();
  }
  // Starts values of `type`: empty slots, non-presence scalars at their defaults.
  void reset(const type_desc& type);
  slot& operator[](std::uint32_t number) { return slots[number]; }
  const slot& operator[](std::uint32_t number) const { return slots[number]; }
};

// Wire data -> values. `strict` adds the value checks of text (ranges, enum
// names for keys, mandatory keys ...) on top of the structural ones (wire
// types, widths, limits, names). Never throws. `canonical` (if given) is set
// to whether `data` is exactly the deterministic encoding of the values.
result<void> decode_values(std::string_view data, values& v, bool strict,
                           bool* canonical = nullptr);
// Values -> deterministic wire data, appended to `out`.
void encode_values(const values& v, std::string& out);
// The same as a string of exactly its size (records are kept by the million: zones as read,
// signed, amended); `expected` sizes the buffer it is written in.
std::string encoded_values(const values& v, std::size_t expected);
// Checks that apply to both text and wire (DESC key count, mandatory keys).
result<void> check_values(const values& v);

bool is_extension_key(std::string_view key) noexcept;
// Syntax of region, currency and extension-key text; empty when fine, else why not.
std::string_view check_syntax(field_kind kind, std::string_view text) noexcept;
// "DESC accel.mem: " for messages.
std::string field_prefix(const type_desc& td, const field_desc& f);
bool is_set(const values& v, const field_desc& f) noexcept;

}  // namespace cidns::record::detail
