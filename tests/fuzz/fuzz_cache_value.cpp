// libFuzzer target: the resolver cache's value decoder (lib/resolve/cache_codec.hpp). A cache
// value is untrusted bytes (another process, an older build or a damaged file wrote it), so
// decoding never crashes, and whatever decodes must round-trip: re-encoding gives an entry
// that decodes to the same entry, and re-encoding that gives the same bytes again.
// The first input byte picks the entry's owner (records with that owner are stored without
// it); the rest is the value.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cache_codec.hpp"

using namespace cidns;
using resolve::detail::decode_entry;
using resolve::detail::decode_header;
using resolve::detail::encode_entry;

namespace {

const name::identifier& owner(std::uint8_t pick) {
  static const std::array<name::identifier, 4> owners = {
      *name::identifier::parse("."),
      *name::identifier::parse("provx.cn-north."),
      *name::identifier::parse("h100.pool1.provx.cn-north."),
      *name::identifier::parse("nothere.provx.cn-north."),
  };
  return owners[pick % owners.size()];
}

void check(bool ok) {
  if (!ok) std::abort();
}

// The header decoder agrees with the full decoder on every field it reads.
void header_agrees(std::string_view value, const resolve::cache_entry& e) {
  auto h = decode_header(value);
  check(h.has_value());
  check(h->stored == e.stored && h->ttl == e.ttl && h->rank == e.rank && h->kind == e.kind &&
        h->state == e.state);
  check(h->expired(e.stored) == (e.ttl == 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const auto& own = owner(bytes[0]);
  const std::string_view value(reinterpret_cast<const char*>(bytes) + 1, size - 1);

  // Every prefix of a value is a (truncated) value too: the header decoder must not read past
  // the end of any of them.
  (void)decode_header(value.substr(0, resolve::detail::header_size - 1));
  (void)decode_header(value);

  auto e = decode_entry(value, own);
  if (!e) return 0;
  header_agrees(value, *e);

  std::string encoded;
  encode_entry(encoded, *e, own);
  auto again = decode_entry(encoded, own);
  check(again.has_value() && *again == *e);
  header_agrees(encoded, *again);

  std::string twice;
  encode_entry(twice, *again, own);
  check(twice == encoded);

  // A value cut short anywhere never decodes to an entry (the body ends exactly at the end).
  if (!encoded.empty())
    check(!decode_entry(std::string_view(encoded).substr(0, encoded.size() - 1), own));
  return 0;
}
