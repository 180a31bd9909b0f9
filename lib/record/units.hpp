// Numbers with units in presentation text: integers, fixed-point decimals,
// binary sizes, durations, times. Errors are messages without the field
// prefix; err().col is the 1-based offset inside the value where known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::record::detail {

// Plain decimal digits, at most `max`.
result<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max);
// Decimal with at most `scale` fraction digits, times 10^scale ("2.5", 3 -> 2500).
result<std::uint64_t> parse_fixed(std::string_view text, unsigned scale, std::uint64_t max);
void format_fixed(std::uint64_t v, unsigned scale, std::string& out);

// Binary sizes: a number with an optional KiB MiB GiB TiB PiB EiB suffix, stored
// in the unit 2^shift bytes; a bare number is in that unit. Must be exact.
result<std::uint64_t> parse_size(std::string_view text, unsigned shift, std::uint64_t max);
void format_size(std::uint64_t v, unsigned shift, std::string& out);  // largest exact unit
std::string_view unit_name(unsigned shift) noexcept;

// 30s 5m 1h 1d 1w (combinable: 1h30m) or plain seconds.
result<std::uint64_t> parse_duration(std::string_view text, std::uint64_t max);

// RFC 3339 "2026-11-25T10:00:00Z", YYYYMMDDHHMMSS (UTC) or unix seconds.
result<std::uint64_t> parse_time(std::string_view text, std::uint64_t max);
void format_rfc3339(std::uint64_t t, std::string& out);
void format_dnssec_time(std::uint64_t t, std::string& out);

void format_uint(std::uint64_t v, std::string& out);

}  // namespace cidns::record::detail
