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
// wire data (the deterministic encoding, equal to the typed struct's encode()).
// Relative names get `origin` appended. Any type may take the generic form
// "\# <length> <hex>" (bytes taken as they are, not checked: use
// validate_data); unknown types must. Tokens follow the contract in token.hpp;
// key=value tokens may quote their value (site="Beijing DC 3"). On error,
// err().message names the type and key/field ("DESC accel.mem: ...") and
// err().line/col point at the offending token (or the character inside it).
result<std::string> parse_data(rtype type, std::span<const token> tokens,
                               const name::identifier& origin);

// Appends the canonical presentation text of `data` (names absolute). Data
// that does not pass validate_data, is not in the deterministic encoding
// (unknown fields, fields out of order, defaults written) or is of an unknown
// type is written in the generic "\# <length> <hex>" form, so that
// parse_data(format_data(d)) == d for every d (signatures stay valid).
void format_data(rtype type, std::string_view data, std::string& out);
std::string format_data(rtype type, std::string_view data);

// "owner TTL TYPE data" on one line (names absolute), as cidns-admin zone print writes.
std::string format_rr(const rr& r);

// Checks that `data` decodes as `type` and its values are valid (unknown types: always ok).
result<void> validate_data(rtype type, std::string_view data);

// The shared JSON shape of a record: {"name","type","ttl","data":{...typed fields...}}
// ("data" holds {"hex": "..."} for unknown or undecodable data). Field names are
// the presentation keys ("accel.mem", "x-rack"; positional fields by their
// proto name: "priority", "public_key"); numbers are in the schema's fixed units
// (accel.mem in MiB, price in milli-units, sla.avail in ppm), enumerations and
// flags as their text, times as RFC 3339 strings, bytes as base64 (hex for DS
// digests), lists as arrays.
nlohmann::json to_json(const rr& r);

}  // namespace cidns::record
