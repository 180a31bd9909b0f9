// Canonical zonefile text (see writer.hpp).
#include "cidns/zone/writer.hpp"

#include <fmt/format.h>

#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::zone {

void write_text(contents& zone, std::string& out) {
  if (!zone.is_sorted()) zone.sort_canonical();
  out += "$ORIGIN ";
  out += zone.origin.text();
  out += '\n';
  const name::identifier* last = nullptr;
  std::string owner;
  for (const auto& r : zone.records) {
    if (last == nullptr || r.owner != *last) {
      owner = r.owner.make_relative(zone.origin);
      last = &r.owner;
    }
    out += owner;
    out += ' ';
    fmt::format_to(std::back_inserter(out), "{}", r.ttl);
    out += ' ';
    out += record::type_name(r.type);
    const std::size_t before = out.size();
    out += ' ';
    record::format_data(r.type, r.data, out);
    if (out.size() == before + 1) out.pop_back();  // empty data: no trailing space
    out += '\n';
  }
}

std::string write_text(contents& zone) {
  std::string out;
  out.reserve(zone.records.size() * 96 + 64);
  write_text(zone, out);
  return out;
}

}  // namespace cidns::zone
