// libFuzzer target: selector text (lib/select). Whatever parses must print as text that
// parses back to an equal selector, and evaluating it on a fixed resource (with and
// without STATE) and comparing that resource with itself must not crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/select/selector.hpp"

using namespace cidns;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

template <typename T>
T decoded(record::rtype type, std::string_view text) {
  auto toks = record::tokenize_line(text);
  check(toks.ok());
  auto wire = record::parse_data(type, *toks, {});
  check(wire.ok());
  auto v = T::decode(*wire);
  check(v.ok());
  return std::move(v).value();
}

const record::desc& fixed_desc() {
  static const auto d = decoded<record::desc>(
      record::rtype::desc,
      "kind=gpu accel.vendor=nvidia accel.family=h100 accel.count=8 accel.mem=80GiB "
      "region=cn-north.beijing frameworks=pytorch:2.4,mindspore price=2.5CNY sla.avail=99.9% "
      "energy.pue=1.25 site=\"Beijing DC 3\" x-rack=r17 x-compliance=mlps "
      "mandatory=x-compliance");
  return d;
}

const record::state& fixed_state() {
  static const auto s = decoded<record::state>(
      record::rtype::state,
      "free=3 score=8 updated=2026-11-25T10:00:00Z source=measured spot=1.9CNY");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = select::parse(text);
  if (!s) {
    check(s.err().col >= 1);
    return 0;
  }
  check(s->limit >= 1 && s->limit <= select::max_limit);
  check(s->terms.size() <= select::max_terms);
  auto printed = select::to_string(*s);
  auto again = select::parse(printed);
  check(again.ok());
  check(*again == *s);
  check(select::to_string(*again) == printed);
  select::resource with{&fixed_desc(), &fixed_state()}, without{&fixed_desc(), nullptr};
  bool a = select::matches(*s, with);
  bool b = select::matches(*s, without);
  (void)a;
  (void)b;
  check(select::compare(*s, with, with) == 0);
  check(select::compare(*s, with, without) == -select::compare(*s, without, with));
  check(!select::matches(*s, {nullptr, &fixed_state()}));
  return 0;
}
