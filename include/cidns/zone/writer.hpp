// Writes a zone as canonical zonefile text that reads back to the same records.
#pragma once

#include <string>

#include "cidns/zone/contents.hpp"

namespace cidns::zone {

// "$ORIGIN <origin>" then one line per record in canonical order:
// "<owner> <ttl> <TYPE> <data>". Owners are relative to the origin ("@" for the
// apex, absolute when outside it); names inside data are absolute (as
// record::format_data writes them); TTLs in seconds. Sorts `zone` if needed.
void write_text(contents& zone, std::string& out);
std::string write_text(contents& zone);

}  // namespace cidns::zone
