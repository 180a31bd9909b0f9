// Printing single values (shared by text_format.cpp and json.cpp).
#pragma once

#include <string>
#include <string_view>

#include "field.hpp"

namespace cidns::record::detail {

void append_quoted(std::string_view s, std::string& out);  // always quoted, escaped
void append_string(std::string_view s, std::string& out);  // bare when safe
void append_address(std::string_view bytes, std::string& out);
void append_flags(const field_desc& f, std::uint64_t v, std::string& out);
// The presentation text of one field's value (no key).
void append_value(const values& v, const field_desc& f, std::string& out);
void format_values(const values& v, std::string& out);

}  // namespace cidns::record::detail
