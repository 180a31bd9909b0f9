// libFuzzer target: the resolver's trust anchor file (parse_trust_anchor in
// lib/resolve/trust_anchor.cpp): DS or KEY records of one zone in presentation format, read
// with the zonefile reader; KEY records become the DS that pins them. Errors are values; what
// parses is one zone's non-empty, duplicate-free DS set, each DS printing as a line that
// parses back as a trust anchor with the same DS.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/resolve/validator.hpp"

using namespace cidns;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(bytes), size);
  auto a = resolve::parse_trust_anchor(in, "fuzz.anchor");
  if (!a) {
    check(!a.err().message.empty());
    return 0;
  }
  check(!a->ds.empty());
  for (std::size_t i = 0; i < a->ds.size(); ++i) {
    for (std::size_t j = i + 1; j < a->ds.size(); ++j) check(!(a->ds[i] == a->ds[j]));
  }
  // Each DS, printed, is a trust anchor of the same zone with that DS alone.
  for (const auto& d : a->ds) {
    const std::string line =
        record::format_rr(record::rr{a->zone, record::rtype::ds, 3600, d.encode()}) + "\n";
    auto back = resolve::parse_trust_anchor(line, "printed.anchor");
    check(back.ok());
    check(back->zone == a->zone && back->ds.size() == 1 && back->ds[0] == d);
  }
  return 0;
}
