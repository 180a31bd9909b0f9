// Times and algorithm mnemonics as presentation text writes them (DESIGN §3),
// for the tools that take them outside a zonefile (cidns-admin, cidns-authd).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/util/result.hpp"

namespace cidns::record {

// RFC 3339 "2026-11-25T10:00:00Z", YYYYMMDDHHMMSS (UTC) or unix seconds.
result<std::uint64_t> parse_time(std::string_view text);
// The SIG field form, "20261130100000" (UTC).
std::string format_sig_time(std::uint64_t unix_seconds);

// "ed25519", "p256", "sm2" (case-insensitive), from the one table that zonefile
// text uses; nullopt otherwise.
std::optional<algorithm> parse_algorithm(std::string_view text);
// The mnemonic; "ALG<n>" for numbers without one.
std::string algorithm_name(std::uint32_t alg);

}  // namespace cidns::record
