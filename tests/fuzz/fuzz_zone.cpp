// libFuzzer target: the input is a zonefile (origin fuzz.example., no $INCLUDE).
// Reading and checking must not crash; a zone that reads and checks cleanly
// must survive write -> read with the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cidns/zone/checker.hpp"
#include "cidns/zone/reader.hpp"
#include "cidns/zone/writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cidns;
  static const zone::reader_options options = [] {
    zone::reader_options o;
    o.origin = name::identifier::parse("fuzz.example.").value();
    o.allow_include = false;
    o.max_errors = 100;
    return o;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = zone::read_text(text, "fuzz.zone", options);
  if (!r.ok()) return 0;
  std::vector<zone::diagnostic> diags;
  auto s = zone::check(r.zone, diags);
  (void)s;
  // Round trip only zones that read cleanly: the checker's verdict is not
  // needed (duplicates, missing SOA, etc. survive writing unchanged).
  const std::string written = zone::write_text(r.zone);
  auto again = zone::read_text(written, "written.zone", options);
  if (!again.ok()) std::abort();
  again.zone.sort_canonical();
  if (again.zone.records != r.zone.records) std::abort();
  return 0;
}
