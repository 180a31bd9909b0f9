// Cache key encoding (keys.hpp).
#include "cidns/store/keys.hpp"

#include <algorithm>
#include <cstdint>

namespace cidns::store {
namespace {

void append_tag(std::string& out, key_tag tag) {
  out.push_back('\0');
  out.push_back(static_cast<char>(tag));
}

// The owner's key below the zone's: owner.key() without its leading zone.key().
std::string relative_key(const name::identifier& zone, const name::identifier& owner) {
  std::string o = owner.key();
  return o.substr(std::min(o.size(), zone.key().size()));
}

// The length of the name part of a key: up to (not including) the separator zero byte that
// follows the last label's terminator. npos when there is no separator.
std::size_t name_part_length(std::string_view key) {
  std::size_t pos = 0;
  while (pos < key.size()) {
    if (key[pos] == '\0') return pos;  // an empty label: the separator
    std::size_t end = key.find('\0', pos);
    if (end == std::string_view::npos) return std::string_view::npos;
    pos = end + 1;
  }
  return std::string_view::npos;
}

}  // namespace

void append_entry_key(std::string& out, const name::identifier& owner, record::rtype type) {
  owner.append_key(out);
  append_tag(out, key_tag::entry);
  const auto t = static_cast<std::uint16_t>(type);
  out.push_back(static_cast<char>(t >> 8));
  out.push_back(static_cast<char>(t & 0xff));
}

std::string entry_key(const name::identifier& owner, record::rtype type) {
  std::string out;
  out.reserve(owner.text().size() + 5);
  append_entry_key(out, owner, type);
  return out;
}

std::string entry_types_prefix(const name::identifier& owner) {
  std::string out = owner.key();
  append_tag(out, key_tag::entry);
  return out;
}

std::string subtree_prefix(const name::identifier& name) { return name.key(); }

std::string nsec_key(const name::identifier& zone, const name::identifier& owner) {
  std::string out = nsec_zone_prefix(zone);
  out += relative_key(zone, owner);
  return out;
}

std::string nsec_zone_prefix(const name::identifier& zone) {
  std::string out = zone.key();
  append_tag(out, key_tag::nsec);
  return out;
}

std::string nsec_subtree_prefix(const name::identifier& zone, const name::identifier& name) {
  return nsec_key(zone, name);
}

result<decoded_key> decode_key(std::string_view key) {
  const std::size_t n = name_part_length(key);
  if (n == std::string_view::npos || n + 2 > key.size()) {
    return make_error("cache key has no tag");
  }
  auto name = name::identifier::from_key(key.substr(0, n));
  if (!name) return std::move(name).err();
  const char tag = key[n + 1];
  std::string_view rest = key.substr(n + 2);
  if (tag == static_cast<char>(key_tag::entry)) {
    if (rest.size() != 2) return make_error("entry key: type is not 2 bytes");
    const auto t = static_cast<std::uint16_t>((static_cast<unsigned char>(rest[0]) << 8) |
                                              static_cast<unsigned char>(rest[1]));
    return decoded_key{key_tag::entry, *name, *name, static_cast<record::rtype>(t)};
  }
  if (tag == static_cast<char>(key_tag::nsec)) {
    std::string owner_key(key.substr(0, n));
    owner_key += rest;
    auto owner = name::identifier::from_key(owner_key);
    if (!owner) return std::move(owner).err();
    return decoded_key{key_tag::nsec, *name, *owner, record::rtype::nsec};
  }
  return make_error("cache key has an unknown tag");
}

}  // namespace cidns::store
