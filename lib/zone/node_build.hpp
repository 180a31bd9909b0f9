// Filling a compiled zone's RRsets: a record or a SIG with its pre-encoded Record body.
// compiled_zone.cpp (compile) and patch.cpp (patched) both build nodes with these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/zone/compiled_zone.hpp"

namespace cidns::zone {

// Appends `data` to `set` (owner `owner`, the set's type and TTL) with its Record body.
void add_data(std::string_view owner, rrset& set, std::string data);
// Appends a SIG over `set` with its Record body.
void add_sig(std::string_view owner, rrset& set, std::string data, std::uint32_t ttl);

}  // namespace cidns::zone
