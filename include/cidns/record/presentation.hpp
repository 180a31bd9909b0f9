// Presentation (text) form of record data, driven by one description per type
// (lib/record/type_table.cpp): zonefile parsing, canonical printing and JSON.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/record/token.hpp"
#include "cidns/util/result.hpp"

namespace cidns::record {

// Parses the data tokens of one record (everything after the type) into its
// wire data. Relative names get `origin` appended. Unknown types take the
// generic form "\# <length> <hex>". On error, err().line/col point at the
// offending token (or the character inside it).
result<std::string> parse_data(rtype type, std::span<const token> tokens,
                               const name::identifier& origin);

// Appends the canonical presentation text of `data` (names absolute). Data
// that does not decode as its type (or an unknown type) is written in the
// generic "\# <length> <hex>" form, which parse_data reads back.
void format_data(rtype type, std::string_view data, std::string& out);
std::string format_data(rtype type, std::string_view data);

// "owner TTL TYPE data" on one line (names absolute), as cidns-admin zone print writes.
std::string format_rr(const rr& r);

// Checks that `data` decodes as `type` and its values are valid (unknown types: always ok).
result<void> validate_data(rtype type, std::string_view data);

// The shared JSON shape of a record: {"name","type","ttl","data":{...typed fields...}}
// ("data" holds {"hex": "..."} for unknown or undecodable data).
nlohmann::json to_json(const rr& r);

}  // namespace cidns::record
