// Zone snapshots and their atomic publication (zone_set.hpp).
#include "zone_set.hpp"

namespace cidns::authd {

std::shared_ptr<const zone_set> zone_set::with(const zone_set& base,
                                               std::shared_ptr<const zone::compiled_zone> zone) {
  auto next = std::make_shared<zone_set>();
  next->m_zones = base.m_zones;
  next->m_zones[zone->origin().text()] = std::move(zone);
  for (const auto& [origin, z] : next->m_zones) next->m_by_origin.emplace(origin, z.get());
  return next;
}

std::shared_ptr<const zone_set> zone_set::without(const zone_set& base, std::string_view origin) {
  auto next = std::make_shared<zone_set>();
  next->m_zones = base.m_zones;
  next->m_zones.erase(std::string(origin));
  for (const auto& [o, z] : next->m_zones) next->m_by_origin.emplace(o, z.get());
  return next;
}

std::shared_ptr<const zone::compiled_zone> zone_set::shared(std::string_view origin) const {
  auto it = m_zones.find(std::string(origin));
  return it == m_zones.end() ? nullptr : it->second;
}

const zone::compiled_zone* zone_set::exact(std::string_view origin) const noexcept {
  auto it = m_by_origin.find(origin);
  return it == m_by_origin.end() ? nullptr : it->second;
}

const zone::compiled_zone* zone_set::find_zone(std::string_view name) const noexcept {
  // Try the name itself, then each ancestor: the first hit is the most specific.
  while (true) {
    if (const zone::compiled_zone* z = exact(name)) return z;
    if (name == ".") return nullptr;
    auto dot = name.find('.');
    name = dot + 1 == name.size() ? std::string_view(".") : name.substr(dot + 1);
  }
}

void zone_registry::publish(std::shared_ptr<const zone::compiled_zone> zone) {
  // Writers are serialised by the caller (one loader thread); readers never block.
  auto next = zone_set::with(*m_current.load(), std::move(zone));
  m_current.store(std::move(next));
}

void zone_registry::withdraw(std::string_view origin) {
  m_current.store(zone_set::without(*m_current.load(), origin));
}

}  // namespace cidns::authd
