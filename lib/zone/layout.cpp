// The adjust step (layout.hpp).
#include "cidns/zone/layout.hpp"

namespace cidns::zone {
namespace {

// Ancestors of `name` strictly below `stop_above`'s level that are not
// ancestors-or-self of `previous` are names no record owns: in canonical
// order they fall right before `name`, topmost first.
void add_empty_non_terminals(const name::identifier* previous, const name::identifier& name,
                             const name::identifier& origin, std::vector<name_entry>& out,
                             std::size_t& count) {
  if (!name.is_part_of(origin) || name == origin) return;
  std::vector<name::identifier> missing;
  for (auto up = name.parent(); up != origin && up.is_part_of(origin); up = up.parent()) {
    if (previous != nullptr && previous->is_part_of(up)) break;
    missing.push_back(up);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    out.push_back(name_entry{std::move(*it), record_range{}, name_role::authoritative});
    ++count;
  }
}

}  // namespace

bool has_type(const contents& zone, const name_entry& e, record::rtype t) noexcept {
  for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
    if (zone.records[i].type == t) return true;
    if (zone.records[i].type > t) break;
  }
  return false;
}

std::size_t layout::name_count() const noexcept {
  std::size_t n = 0;
  for (const auto& e : names) n += e.role != name_role::outside ? 1 : 0;
  return n;
}

layout adjust(contents& zone) {
  if (!zone.is_sorted()) zone.sort_canonical();
  layout out;
  const auto& origin = zone.origin;
  const auto ranges = zone.names();
  out.names.reserve(ranges.size() + ranges.size() / 8);
  const name::identifier* previous = nullptr;
  for (const auto& range : ranges) {
    const auto& owner = zone.records[range.begin].owner;
    add_empty_non_terminals(previous, owner, origin, out.names, out.empty_non_terminals);
    out.names.push_back(name_entry{owner, range, name_role::authoritative});
    previous = &owner;
  }
  // Roles, in order: a delegation point covers every name after it that lies below it.
  const name::identifier* cut = nullptr;
  for (auto& e : out.names) {
    if (!e.name.is_part_of(origin)) {
      e.role = name_role::outside;
      continue;
    }
    if (cut != nullptr && !e.name.is_part_of(*cut)) cut = nullptr;
    if (e.name == origin) {
      e.role = name_role::apex;
    } else if (cut != nullptr) {
      e.role = name_role::below_delegation;
    } else if (has_type(zone, e, record::rtype::ns)) {
      e.role = name_role::delegation;
      cut = &e.name;
      ++out.delegations;
    }
  }
  return out;
}

}  // namespace cidns::zone
