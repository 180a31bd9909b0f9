// libFuzzer target: identifier parsing, storage keys and cid:// URIs. What
// parses must print as text that parses to the same identifier, and its key
// and URI forms must read back to it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cidns/name/identifier.hpp"

using cidns::name::identifier;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_identifier(const identifier& id) {
  auto again = identifier::parse(id.text());
  check(again.ok() && *again == id && again->text() == id.text());
  auto k = identifier::from_key(id.key());
  check(k.ok() && *k == id);
  auto u = cidns::name::parse_uri(id.uri());
  check(u.ok() && u->id == id && u->path.empty());
  check(id.text().size() <= cidns::name::max_name_length + 1);
  check(id.is_part_of(id.parent()));
  check(cidns::name::canonical_compare(id.parent(), id) <= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(bytes), size);
  if (auto id = identifier::parse(in)) check_identifier(*id);

  static const identifier origin = *identifier::parse("provx.cn-north.");
  if (auto rel = identifier::parse(in, origin)) check_identifier(*rel);

  if (auto k = identifier::from_key(in)) {
    check(k->key() == in);
    check_identifier(*k);
  }
  if (auto u = cidns::name::parse_uri(in)) check_identifier(u->id);
  return 0;
}
