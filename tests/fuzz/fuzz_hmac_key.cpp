// libFuzzer target: the shared key file (parse_key_file in lib/hmac/key_file.cpp). Errors are
// values naming the file and a line inside the input; what parses is a canonical name and a
// secret of an allowed size, and its formatted file parses back to the same key.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"

using namespace cidns;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(bytes), size);
  auto k = hmac::parse_key_file(in, "fuzz.hmac");
  if (!k) {
    const auto& e = k.err();
    check(e.message.starts_with("fuzz.hmac:"));
    const auto lines = static_cast<std::size_t>(std::count(in.begin(), in.end(), '\n')) + 1;
    check(e.line <= lines);
    return 0;
  }
  check(k->secret.size() >= hmac::min_secret_size && k->secret.size() <= hmac::max_secret_size);
  auto n = name::identifier::parse(k->name);
  check(n.ok() && n->text() == k->name);
  auto back = hmac::parse_key_file(hmac::format_key_file(*k), "printed.hmac");
  check(back.ok() && *back == *k);
  return 0;
}
