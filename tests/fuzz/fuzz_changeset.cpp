// libFuzzer target: the zone journal's value decoder (include/cidns/store/changeset_codec.hpp).
// A journal value is untrusted bytes (a damaged file, another build), so decoding never
// crashes, and the encoding is canonical: whatever decodes re-encodes to the very same bytes,
// which decode to the same changeset again. A value cut short never decodes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/store/changeset_codec.hpp"

using namespace cidns;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(bytes), size);

  auto serials = store::decode_changeset_serials(value);
  auto c = store::decode_changeset(value);
  if (!c) return 0;
  check(serials.ok() && serials->from == c->from && serials->to == c->to);
  check(store::check_changeset_limits(*c).ok());

  const std::string encoded = store::encode_changeset(*c);
  check(encoded == value);
  auto again = store::decode_changeset(encoded);
  check(again.ok() && *again == *c);

  if (!encoded.empty()) {
    check(!store::decode_changeset(std::string_view(encoded).substr(0, encoded.size() - 1)));
  }
  return 0;
}
