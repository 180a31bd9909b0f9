// The zones one cidns-authd serves: an immutable snapshot, replaced as a whole
// by an atomic swap when a zone is loaded or reloaded (Knot's RCU, simplified).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cidns/zone/compiled_zone.hpp"

namespace cidns::authd {

class zone_set {
 public:
  zone_set() = default;
  // A copy of `base` with `zone` added or replaced.
  static std::shared_ptr<const zone_set> with(const zone_set& base,
                                              std::shared_ptr<const zone::compiled_zone> zone);
  // A copy of `base` without the zone `origin` (canonical text).
  static std::shared_ptr<const zone_set> without(const zone_set& base, std::string_view origin);

  // The most specific zone containing `name` (canonical text), or nullptr.
  const zone::compiled_zone* find_zone(std::string_view name) const noexcept;
  const zone::compiled_zone* exact(std::string_view origin) const noexcept;
  // The same, sharing ownership (the version stays alive while the pointer is held).
  std::shared_ptr<const zone::compiled_zone> shared(std::string_view origin) const;
  // By canonical origin text, in text order.
  const std::map<std::string, std::shared_ptr<const zone::compiled_zone>>& zones() const noexcept {
    return m_zones;
  }

 private:
  std::map<std::string, std::shared_ptr<const zone::compiled_zone>> m_zones;
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, const zone::compiled_zone*, text_hash, std::equal_to<>>
      m_by_origin;
};

// The published snapshot: readers load() without locks; writers publish().
class zone_registry {
 public:
  zone_registry() : m_current(std::make_shared<const zone_set>()) {}
  std::shared_ptr<const zone_set> load() const noexcept { return m_current.load(); }
  void publish(std::shared_ptr<const zone::compiled_zone> zone);
  void withdraw(std::string_view origin);  // serialised with publish() by the caller

 private:
  std::atomic<std::shared_ptr<const zone_set>> m_current;
};

}  // namespace cidns::authd
