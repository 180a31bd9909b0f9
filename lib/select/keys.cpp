// The table of selectable keys: name, kind and accessor of every DESC and STATE key a
// selector may name (docs/SELECTORS.md). The one place that maps selector keys to the
// typed record fields.
#include "keys.hpp"

#include <unordered_map>

namespace cidns::select::detail {
namespace {

using record::desc;
using record::state;

template <typename T>
field_view num(const std::optional<T>& v) noexcept {
  field_view f;
  if (v) {
    f.present = true;
    f.number = static_cast<std::uint64_t>(*v);
  }
  return f;
}

field_view str(const std::optional<std::string>& v) noexcept {
  field_view f;
  if (v) {
    f.present = true;
    f.text = *v;
  }
  return f;
}

field_view money(const std::optional<std::uint64_t>& v,
                 const std::optional<std::string>& cur) noexcept {
  field_view f = num(v);
  if (cur) f.currency = *cur;
  return f;
}

// Accessors and setters, one pair per field: D for DESC, S for STATE.
#define CIDNS_D(field, how) [](const desc& d, const state*) noexcept { return how(d.field); }
#define CIDNS_S(field, how) \
  [](const desc&, const state* s) noexcept { return s != nullptr ? how(s->field) : field_view{}; }
#define CIDNS_SET_D(field, type) \
  [](desc& d, state&, const value& v) { d.field = static_cast<type>(v.number); }
#define CIDNS_SET_S(field, type) \
  [](desc&, state& s, const value& v) { s.field = static_cast<type>(v.number); }

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i64 = std::int64_t;
using k = key_kind;

field_view updated(const desc&, const state* s) noexcept {
  // A time before 1970 cannot be written in a zonefile: it counts as absent.
  if (s == nullptr || !s->updated || *s->updated < 0) return {};
  return num(s->updated);
}

const std::vector<key_def> table = {
    {"kind", k::enumeration, false, CIDNS_D(kind, num), CIDNS_SET_D(kind, u32)},
    {"accel.vendor", k::text, false, CIDNS_D(accel_vendor, str), nullptr},
    {"accel.model", k::text, false, CIDNS_D(accel_model, str), nullptr},
    {"accel.family", k::text, false, CIDNS_D(accel_family, str), nullptr},
    {"accel.count", k::number, false, CIDNS_D(accel_count, num), CIDNS_SET_D(accel_count, u32)},
    {"accel.mem", k::number, false, CIDNS_D(accel_mem, num), CIDNS_SET_D(accel_mem, u64)},
    {"accel.tflops16", k::number, false, CIDNS_D(accel_tflops16, num),
     CIDNS_SET_D(accel_tflops16, u32)},
    {"accel.link", k::text, false, CIDNS_D(accel_link, str), nullptr},
    {"vcpu", k::number, false, CIDNS_D(vcpu, num), CIDNS_SET_D(vcpu, u32)},
    {"mem", k::number, false, CIDNS_D(mem, num), CIDNS_SET_D(mem, u64)},
    {"disk", k::number, false, CIDNS_D(disk, num), CIDNS_SET_D(disk, u64)},
    {"net.fabric", k::text, false, CIDNS_D(net_fabric, str), nullptr},
    {"net.gbps", k::number, false, CIDNS_D(net_gbps, num), CIDNS_SET_D(net_gbps, u32)},
    {"max_nodes", k::number, false, CIDNS_D(max_nodes, num), CIDNS_SET_D(max_nodes, u32)},
    {"region", k::region, false, CIDNS_D(region, str), nullptr},
    {"site", k::text, false, CIDNS_D(site, str), nullptr},
    {"frameworks", k::list, false,
     [](const desc& d, const state*) noexcept {
       field_view f;
       f.present = !d.frameworks.empty();
       f.list = &d.frameworks;
       return f;
     },
     nullptr},
    {"sched", k::enumeration, false, CIDNS_D(sched, num), CIDNS_SET_D(sched, u32)},
    {"price", k::money, false,
     [](const desc& d, const state*) noexcept { return money(d.price, d.price_currency); },
     [](desc& d, state&, const value& v) {
       d.price = v.number;
       d.price_currency = v.currency;
     }},
    {"price.currency", k::text, false, CIDNS_D(price_currency, str), nullptr},
    {"price.unit", k::enumeration, false, CIDNS_D(price_unit, num), CIDNS_SET_D(price_unit, u32)},
    {"sla.avail", k::number, false, CIDNS_D(sla_avail, num), CIDNS_SET_D(sla_avail, u32)},
    {"energy.pue", k::number, false, CIDNS_D(energy_pue, num), CIDNS_SET_D(energy_pue, u32)},
    {"energy.green", k::number, false, CIDNS_D(energy_green, num), CIDNS_SET_D(energy_green, u32)},
    {"free", k::number, true, CIDNS_S(free, num), CIDNS_SET_S(free, u32)},
    {"score", k::number, true, CIDNS_S(score, num), CIDNS_SET_S(score, u32)},
    {"updated", k::number, true, updated, CIDNS_SET_S(updated, i64)},
    {"source", k::enumeration, true, CIDNS_S(source, num), CIDNS_SET_S(source, u32)},
    {"spot", k::money, true,
     [](const desc&, const state* s) noexcept {
       return s != nullptr ? money(s->spot, s->spot_currency) : field_view{};
     },
     [](desc&, state& s, const value& v) {
       s.spot = v.number;
       s.spot_currency = v.currency;
     }},
    {"spot.currency", k::text, true, CIDNS_S(spot_currency, str), nullptr},
};

#undef CIDNS_D
#undef CIDNS_S
#undef CIDNS_SET_D
#undef CIDNS_SET_S

// x-* keys: text, read from desc.extensions by name (read() passes the name).
const key_def extension_def{"x-*", k::text, false,
                            [](const desc&, const state*) noexcept { return field_view{}; },
                            nullptr};

}  // namespace

const std::vector<key_def>& keys() noexcept { return table; }

bool is_extension(std::string_view key) noexcept {
  return key.size() > 2 && key.substr(0, 2) == "x-";
}

const key_def* find_key(std::string_view key) noexcept {
  if (is_extension(key)) return &extension_def;
  static const auto by_name = [] {
    std::unordered_map<std::string_view, const key_def*> m;
    for (const auto& d : table) m.emplace(d.name, &d);
    return m;
  }();
  auto it = by_name.find(key);
  return it == by_name.end() ? nullptr : it->second;
}

field_view read(const key_def& def, std::string_view key, const record::desc& d,
                const record::state* s) noexcept {
  if (&def != &extension_def) return def.get(d, s);
  field_view f;
  for (const auto& [name, text] : d.extensions) {  // sorted; no allocation
    if (name < key) continue;
    if (name == key) {
      f.present = true;
      f.text = text;
    }
    break;
  }
  return f;
}

}  // namespace cidns::select::detail
