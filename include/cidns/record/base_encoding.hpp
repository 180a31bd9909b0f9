// Base64 (RFC 4648, with padding) and hex codecs for presentation text of
// keys, signatures and digests (record does not depend on OpenSSL).
#pragma once

#include <string>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::record {

void base64_append(std::string_view bytes, std::string& out);
std::string base64_encode(std::string_view bytes);
// Strict: padded to a multiple of 4, no whitespace. On error err().col is the
// 1-based offset of the offending character.
result<std::string> base64_decode(std::string_view text);

void hex_append(std::string_view bytes, std::string& out);  // lower case
std::string hex_encode(std::string_view bytes);
result<std::string> hex_decode(std::string_view text);  // either case, even length

}  // namespace cidns::record
