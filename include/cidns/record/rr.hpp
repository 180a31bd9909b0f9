// A resource record: owner, type, TTL and the type's data in its wire encoding.
#pragma once

#include <cstdint>
#include <string>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::record {

inline constexpr std::uint32_t max_ttl = 0x7fffffff;

// The data is kept as the deterministic encoding of the type's data message
// (cidns.proto): it is what travels in Record.data, what signatures cover and
// what caches store. Typed views (data.hpp) decode it on demand.
struct rr {
  name::identifier owner;
  rtype type = rtype::none;
  std::uint32_t ttl = 0;
  std::string data;

  friend bool operator==(const rr&, const rr&) = default;
};

}  // namespace cidns::record
