// libFuzzer target: presentation text and wire data of DESC (and, chosen by
// the first byte, one other record type). Whatever parses must round-trip:
// text -> wire -> text -> wire gives the same bytes, typed decode/encode
// agrees, and any wire data prints as text that reads back to it exactly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"

using namespace cidns::record;

namespace {

const cidns::name::identifier& origin() {
  static const auto o = *cidns::name::identifier::parse("provx.cn-north.");
  return o;
}

void check(bool ok) {
  if (!ok) std::abort();
}

std::string parse_text(rtype t, std::string_view text, bool must) {
  auto toks = tokenize_line(text);
  if (!toks) {
    check(!must);
    return {};
  }
  auto w = parse_data(t, *toks, origin());
  if (!w) {
    check(!must);
    return {};
  }
  return std::move(w).value();
}

void text_round_trip(rtype t, std::string_view text) {
  auto toks = tokenize_line(text);
  if (!toks) return;
  auto w = parse_data(t, *toks, origin());
  if (!w) return;
  bool generic = !toks->empty() && !(*toks)[0].quoted && (*toks)[0].text == "\\#";
  if (!generic) check(validate_data(t, *w).ok());
  std::string printed = format_data(t, *w);
  check(parse_text(t, printed, true) == *w);
  check(format_data(t, *w) == printed);
}

void wire_round_trip(rtype t, std::string_view data) {
  // Printing never loses bytes: typed form when canonical, else \# generic form.
  std::string printed = format_data(t, data);
  check(parse_text(t, printed, true) == data);
  (void)validate_data(t, data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(bytes), size);

  text_round_trip(rtype::desc, in);
  // The typed form (not the "\#" generic form, which carries any bytes) is canonical.
  if (auto w = parse_text(rtype::desc, in, false); !w.empty() && in.find("\\#") == in.npos) {
    auto d = desc::decode(w);
    check(d.ok() && d->encode() == w);
  }

  if (auto d = desc::decode(in)) {
    std::string e = d->encode();
    auto again = desc::decode(e);
    check(again.ok() && *again == *d && again->encode() == e);
  }
  wire_round_trip(rtype::desc, in);

  if (size > 0) {
    const auto known = known_types();
    const rtype t = known[bytes[0] % known.size()];
    text_round_trip(t, in.substr(1));
    wire_round_trip(t, in.substr(1));
  }
  return 0;
}
