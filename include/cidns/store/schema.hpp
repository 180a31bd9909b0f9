// The format-version stamp of a database (Knot Resolver's VERS key): one key in a small
// "meta" database, a big-endian u32. Checked on open; a mismatch means the file was written
// by another format and must not be read.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "cidns/store/txn.hpp"

namespace cidns::store {

inline constexpr std::string_view format_version_key = "format-version";

// nullopt when absent; throws lmdb_error on a value that is not 4 bytes (a foreign file).
std::optional<std::uint32_t> read_format_version(const txn& t, dbi meta);
void write_format_version(txn& t, dbi meta, std::uint32_t version);

enum class version_check { created, matches, mismatch };
// Writes `version` when the stamp is absent and `data` is empty; mismatch when the stamp
// differs, or is absent while `data` holds entries. Read-write transaction.
version_check check_format_version(txn& t, dbi meta, dbi data, std::uint32_t version);

}  // namespace cidns::store
