// libFuzzer target: the input is a zonefile (its own $ORIGIN, no $INCLUDE)
// taken through the whole pipeline (read, check, adjust, compile). A zone
// that compiles must answer lookups consistently: every node is found by its
// name, and the NSEC said to cover a name is at or before it in canonical order.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/zone/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cidns;
  static const zone::load_options options = [] {
    zone::load_options o;
    o.read.allow_include = false;
    o.read.max_errors = 100;
    o.compile = true;
    return o;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = zone::load_text(text, "fuzz.zone", options);
  if (!loaded.ok() || !loaded.compiled) return 0;
  const auto& z = *loaded.compiled;
  const std::string* previous = nullptr;
  for (const auto& np : z.nodes()) {
    const auto& n = *np;
    if (z.find(n.name) != &n) std::abort();
    if (previous != nullptr && name::canonical_compare(*previous, n.name) >= 0) std::abort();
    previous = &n.name;
    const std::string below = "zz." + n.name;
    for (std::string_view probe : {std::string_view(n.name), std::string_view(below)}) {
      const zone::rrset* cover = z.covering_nsec(probe);
      if (cover == nullptr) continue;
      // The covering NSEC belongs to a node at or before the probe.
      bool found = false;
      for (const auto& m : z.nodes()) {
        if (m->find(record::rtype::nsec) != cover) continue;
        if (name::canonical_compare(std::string_view(m->name), probe) > 0) std::abort();
        found = true;
      }
      if (!found) std::abort();
    }
  }
  return 0;
}
