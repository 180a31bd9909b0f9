// Evaluating a parsed selector on one resource: matches() (every term holds, absent keys
// fail, currencies never mix, mandatory x-* keys must be named) and compare() (the
// order keys, absent values last in either direction).
#include <algorithm>

#include "cidns/select/selector.hpp"
#include "keys.hpp"

namespace cidns::select {
namespace {

using detail::field_view;
using detail::key_kind;

bool value_equal(key_kind kind, const value& v, const field_view& f) noexcept {
  switch (kind) {
    case key_kind::number:
    case key_kind::enumeration:
    case key_kind::money:
      return v.number == f.number;
    case key_kind::text:
      return v.text == f.text;
    case key_kind::region:
      return v.prefix ? detail::under_region(f.text, v.text) : f.text == v.text;
    case key_kind::list:
      return std::any_of(f.list->begin(), f.list->end(), [&](const std::string& item) {
        return item == v.text || detail::item_name(item) == v.text;
      });
  }
  return false;
}

bool term_holds(const detail::key_def& def, const term& t, const field_view& f) noexcept {
  if (!f.present || t.values.empty()) return false;
  if (def.kind == key_kind::money && f.currency != t.values.front().currency) return false;
  auto any = [&] {
    return std::any_of(t.values.begin(), t.values.end(),
                       [&](const value& v) { return value_equal(def.kind, v, f); });
  };
  std::uint64_t x = t.values.front().number;
  switch (t.o) {
    case op::eq:
    case op::contains:
      return any();
    case op::ne:
      return !any();
    case op::lt:
      return f.number < x;
    case op::le:
      return f.number <= x;
    case op::gt:
      return f.number > x;
    case op::ge:
      return f.number >= x;
  }
  return false;
}

// A DESC may be used only when every key its `mandatory` lists is understood: standard
// keys always are, x-* keys when the selector names them.
bool understood(const selector& s, const record::desc& d) noexcept {
  return std::all_of(d.mandatory.begin(), d.mandatory.end(), [&](const std::string& k) {
    if (detail::is_extension(k)) return s.names_key(k);
    return k == "mandatory" || detail::find_key(k) != nullptr;
  });
}

int compare_fields(key_kind kind, const field_view& a, const field_view& b) noexcept {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (kind) {
    case key_kind::money:
      if (int c = a.currency.compare(b.currency); c != 0) return c < 0 ? -1 : 1;
      return sign(a.number, b.number);
    case key_kind::number:
    case key_kind::enumeration:
      return sign(a.number, b.number);
    case key_kind::text:
    case key_kind::region: {
      int c = a.text.compare(b.text);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case key_kind::list:
      return 0;
  }
  return 0;
}

}  // namespace

bool matches(const selector& s, const resource& r) noexcept {
  if (r.desc == nullptr || !understood(s, *r.desc)) return false;
  for (const auto& t : s.terms) {
    const auto* def = detail::find_key(t.key);
    if (def == nullptr) return false;
    if (!term_holds(*def, t, detail::read(*def, t.key, *r.desc, r.state))) return false;
  }
  return true;
}

int compare(const selector& s, const resource& a, const resource& b) noexcept {
  for (const auto& o : s.order) {
    const auto* def = detail::find_key(o.key);
    if (def == nullptr) continue;
    field_view fa = a.desc != nullptr ? detail::read(*def, o.key, *a.desc, a.state) : field_view{};
    field_view fb = b.desc != nullptr ? detail::read(*def, o.key, *b.desc, b.state) : field_view{};
    if (!fa.present || !fb.present) {
      if (fa.present != fb.present) return fa.present ? -1 : 1;
      continue;
    }
    int c = compare_fields(def->kind, fa, fb);
    if (c != 0) return o.descending ? -c : c;
  }
  return 0;
}

}  // namespace cidns::select
