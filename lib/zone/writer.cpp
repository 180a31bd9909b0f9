// Canonical zonefile text (see writer.hpp).
#include "cidns/zone/writer.hpp"

#include <fmt/format.h>

#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::zone {
namespace {

// An upper estimate of the text's size: owner, TTL and type in 24 bytes plus the
// owner, and data at most twice its encoded size (signed zones come to about 1.9
// times, DESC-heavy ones less). Reserving it once spares the doublings of a
// growing string (each a copy that, at its moment, holds the old text and the new
// one: hundreds of MB for a million-name signed zone); the pages past what is
// written are never touched, so they cost address space, not memory.
std::size_t text_estimate(const contents& zone) {
  std::size_t n = 64 + zone.origin.text().size();
  for (const auto& r : zone.records) n += r.owner.text().size() + 24 + 2 * r.data.size();
  return n;
}

}  // namespace

void write_text(contents& zone, std::string& out) {
  if (!zone.is_sorted()) zone.sort_canonical();
  out.reserve(out.size() + text_estimate(zone));
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
    const fmt::format_int ttl(r.ttl);
    out.append(ttl.data(), ttl.size());
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
  write_text(zone, out);
  return out;
}

}  // namespace cidns::zone
