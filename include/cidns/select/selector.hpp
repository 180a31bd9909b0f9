// The selector language of DISCOVER (DESIGN §7, docs/SELECTORS.md): a task definition such
// as "kind=gpu accel.family=h100,h800 accel.count>=8 region=cn-north* price<=3CNY
// order=price limit=10", parsed into terms over DESC and STATE keys, and evaluated against
// one resource's decoded DESC and STATE. Pure values: no I/O, no allocation when matching.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/util/result.hpp"

namespace cidns::select {

inline constexpr std::uint32_t default_limit = 20;
inline constexpr std::uint32_t max_limit = 1000;
inline constexpr std::size_t max_selector_size = 4096;  // bytes of selector text
inline constexpr std::size_t max_terms = 64;

// The keys a selector may name: every DESC key (x-* extension keys included) and the
// STATE keys free, score, spot, source, updated.
enum class op : std::uint8_t { eq, ne, lt, le, gt, ge, contains };
std::string_view op_text(op o) noexcept;  // "=", "!=", "<", "<=", ">", ">=", "~"

// One value of a term, in the key's stored unit (accel.mem in MiB, price in milli-units,
// sla.avail in ppm, enumerations as their number, text as written).
struct value {
  std::uint64_t number = 0;
  std::string text;      // string, region and list keys; "pytorch" or "pytorch:2.4" for ~
  std::string currency;  // price and spot: the currency written with the value ("CNY")
  bool prefix = false;   // written with a trailing '*' (hierarchical prefix, = and != only)
  friend bool operator==(const value&, const value&) = default;
};

struct term {
  std::string key;  // "accel.mem", "free", "x-rack"
  op o = op::eq;
  std::vector<value> values;  // several = any of them (= and ~); != means none of them
  std::uint32_t column = 0;   // 1-based column of the term in the selector text
  // Equal terms select the same: the column (where it was written) is not compared, so
  // that parse(to_string(s)) == s however s was spaced.
  friend bool operator==(const term& a, const term& b) {
    return a.key == b.key && a.o == b.o && a.values == b.values;
  }
};

struct order_key {
  std::string key;
  bool descending = false;
  friend bool operator==(const order_key&, const order_key&) = default;
};

struct selector {
  std::vector<term> terms;
  std::vector<order_key> order;
  std::uint32_t limit = default_limit;
  // True when a term or order key names `key` (a consumer that names an x-* key
  // understands it, so records that list it in `mandatory` may match).
  bool names_key(std::string_view key) const noexcept;
  friend bool operator==(const selector&, const selector&) = default;
};

// Parses selector text. Errors name the column and why, err().col is that column:
// "column 7: unknown key 'accel.cont' (did you mean 'accel.count'?)".
result<selector> parse(std::string_view text);

// The canonical text of a selector (terms and order in the given order, values in their
// stored unit): parse(to_string(s)) == s. Used as the cache key of a discovery.
std::string to_string(const selector& s);

// A resource as a selector sees it: the DESC at its name and, when present, its STATE.
struct resource {
  const record::desc* desc = nullptr;
  const record::state* state = nullptr;
};

// True when every term holds for the resource (a resource without DESC never matches; a
// key the resource does not have fails its term whatever the operator; a price or spot in
// another currency than the term's fails; a DESC whose `mandatory` lists an x-* key the
// selector does not name fails).
bool matches(const selector& s, const resource& r) noexcept;

// The selector's order on resources: compares by each order key in turn (a resource
// without the key sorts after those with it, in either direction). Returns <0, 0 or >0;
// callers break ties by name so that results are deterministic.
int compare(const selector& s, const resource& a, const resource& b) noexcept;

}  // namespace cidns::select
