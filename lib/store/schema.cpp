// The format-version stamp (schema.hpp).
#include "cidns/store/schema.hpp"

#include <string>

namespace cidns::store {

std::optional<std::uint32_t> read_format_version(const txn& t, dbi meta) {
  auto v = t.get(meta, format_version_key);
  if (!v) return std::nullopt;
  if (v->size() != 4) throw lmdb_error("format-version stamp is not 4 bytes", MDB_INCOMPATIBLE);
  std::uint32_t out = 0;
  for (unsigned char c : *v) out = (out << 8) | c;
  return out;
}

void write_format_version(txn& t, dbi meta, std::uint32_t version) {
  const char bytes[4] = {static_cast<char>(version >> 24), static_cast<char>(version >> 16),
                         static_cast<char>(version >> 8), static_cast<char>(version)};
  t.put(meta, format_version_key, std::string_view(bytes, 4));
}

version_check check_format_version(txn& t, dbi meta, dbi data, std::uint32_t version) {
  std::optional<std::uint32_t> found;
  try {
    found = read_format_version(t, meta);
  } catch (const lmdb_error& e) {
    if (e.code() != MDB_INCOMPATIBLE) throw;
    return version_check::mismatch;
  }
  if (found) return *found == version ? version_check::matches : version_check::mismatch;
  if (t.stat(data).ms_entries != 0) return version_check::mismatch;
  write_format_version(t, meta, version);
  return version_check::created;
}

}  // namespace cidns::store
