// Key encoding of the cache database (DESIGN §6). A name's storage key (identifier::key():
// labels from the root side, each followed by a zero byte) makes bytewise order canonical
// order, so a zone and everything below it is one contiguous key range. After the name come
// a zero separator (so a name sorts before its children) and a tag byte:
//   entry  name.key() 00 'E' type(2 bytes, big-endian)     one (owner, type) entry
//   nsec   zone.key() 00 'N' (owner.key() minus zone.key()) a zone's NSEC records in
//                                                           canonical order: the NSEC that
//                                                           covers a name is a cursor step
// The format-version stamp lives in its own database (schema.hpp), not among these keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"

namespace cidns::store {

enum class key_tag : char { entry = 'E', nsec = 'N' };

inline constexpr std::size_t max_key_size = 2 * name::max_name_length + 8;

void append_entry_key(std::string& out, const name::identifier& owner, record::rtype type);
std::string entry_key(const name::identifier& owner, record::rtype type);
// Every entry of `owner` (all types): name.key() 00 'E'.
std::string entry_types_prefix(const name::identifier& owner);
// `name` and everything below it, entries and NSEC ranges of zones at or below it.
std::string subtree_prefix(const name::identifier& name);

// `owner` must be `zone` or below it.
std::string nsec_key(const name::identifier& zone, const name::identifier& owner);
// All NSEC keys of `zone`.
std::string nsec_zone_prefix(const name::identifier& zone);
// The NSEC keys of `zone` whose owner is `name` or below it (`name` within `zone`).
std::string nsec_subtree_prefix(const name::identifier& zone, const name::identifier& name);

// A key taken apart. For nsec keys, `name` is the zone and `owner` the NSEC owner; for entry
// keys both are the owner.
struct decoded_key {
  key_tag tag = key_tag::entry;
  name::identifier name;
  name::identifier owner;
  record::rtype type = record::rtype::none;
};
result<decoded_key> decode_key(std::string_view key);

}  // namespace cidns::store
