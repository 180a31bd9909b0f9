// The one table of selectable keys (DESC and STATE, docs/SELECTORS.md): each key's kind
// and the accessor that reads it from a decoded resource. Shared by the parser, the
// matcher and the index; private to lib/select.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/select/selector.hpp"

namespace cidns::select::detail {

// How a key's values compare.
//   number       unsigned integers in the key's unit (sizes, ppm, x1000, counts, times)
//   enumeration  an enumeration's number (= and != only; ordered by number)
//   text         exact bytes (= and != only; ordered lexicographically)
//   region       text with hierarchical prefixes (cn-north* = cn-north and cn-north.*)
//   list         a list of items, item or name:version (~, = and !=; not orderable)
//   money        milli-units in a currency (never compared across currencies)
enum class key_kind : std::uint8_t { number, enumeration, text, region, list, money };

// One key's value in one resource, as the matcher sees it (views into the resource).
struct field_view {
  bool present = false;
  std::uint64_t number = 0;
  std::string_view text;
  std::string_view currency;
  const std::vector<std::string>* list = nullptr;
};

struct key_def {
  std::string_view name;
  key_kind kind;
  bool state;  // a STATE key (absent when the resource has no STATE)
  field_view (*get)(const record::desc& d, const record::state* s) noexcept;
  // Sets the field from a value (number, enumeration and money kinds), to print it with
  // record::format_data in the zonefile's units.
  void (*set)(record::desc& d, record::state& s, const value& v);
};

// The standard keys in DESC then STATE order.
const std::vector<key_def>& keys() noexcept;
// The definition of `key`: a standard key, or the shared text definition of x-* keys
// (whose accessor is read_extension); nullptr when unknown.
const key_def* find_key(std::string_view key) noexcept;
bool is_extension(std::string_view key) noexcept;

// Reads `key` of a resource (x-* keys from desc.extensions).
field_view read(const key_def& def, std::string_view key, const record::desc& d,
                const record::state* s) noexcept;

// The name before ':' of a list item ("pytorch" of "pytorch:2.4").
inline std::string_view item_name(std::string_view item) noexcept {
  return item.substr(0, item.find(':'));
}
// True when region `r` is `p` or lies under it (cn-north.beijing under cn-north).
inline bool under_region(std::string_view r, std::string_view p) noexcept {
  return r.size() >= p.size() && r.substr(0, p.size()) == p &&
         (r.size() == p.size() || r[p.size()] == '.');
}

}  // namespace cidns::select::detail
