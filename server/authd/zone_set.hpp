// The zones one cidns-authd serves: an immutable snapshot, replaced as a whole
// by an atomic swap when a zone is loaded or reloaded (Knot's RCU, simplified),
// and the per-thread copies of it that queries read.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

struct reader_slot;  // one thread's cached snapshot of one registry (zone_set.cpp)

// The published snapshot. Writers publish() and withdraw() (one at a time, serialised by
// the caller); rare readers load() the shared pointer. The query path read()s instead:
// each thread keeps its own copy of the pointer, taken again only when the generation
// moved, so a query writes no cache line that other threads share (an atomic<shared_ptr>
// load writes a lock bit and a reference count that every thread shares).
//
// A replaced snapshot is not kept alive by idle threads: publish() drops the copies of the
// threads outside a query, and a thread inside one drops its copy when that query ends.
// So once publish() returned, the old set lives only while a query that began before it
// lasts, or while someone holds a pointer load() returned. publish() never waits.
class zone_registry {
 public:
  // The calling thread's snapshot, held for one query (it stays alive until the view
  // ends). Views nest: an inner one sees the same snapshot as the outer one. A view ends
  // on the thread that opened it, before the registry is destroyed.
  class view {
   public:
    view(const view&) = delete;
    view& operator=(const view&) = delete;
    ~view();
    const zone_set& operator*() const noexcept { return *m_zones; }
    const zone_set* operator->() const noexcept { return m_zones; }

   private:
    friend class zone_registry;
    view(reader_slot& slot, const zone_set* zones) noexcept : m_slot(&slot), m_zones(zones) {}
    reader_slot* m_slot;
    const zone_set* m_zones;
  };

  zone_registry();
  ~zone_registry();  // no reader may be using it any more
  zone_registry(const zone_registry&) = delete;
  zone_registry& operator=(const zone_registry&) = delete;

  std::shared_ptr<const zone_set> load() const noexcept { return m_current.load(); }
  // After publish() or withdraw() returned, every read() on any thread sees the new set.
  view read() const;
  // Moves on every publish() and withdraw(); starts at 1.
  std::uint64_t generation() const noexcept { return m_generation.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const zone::compiled_zone> zone);
  void withdraw(std::string_view origin);  // serialised with publish() by the caller

 private:
  static constexpr std::size_t line = 64;  // a cache line
  void replace(std::shared_ptr<const zone_set> next);
  void drop_stale(std::uint64_t generation);
  reader_slot& add_slot() const;  // this thread's, on its first read()

  // Written by writers and by load() (its lock bit): kept off the readers' line.
  alignas(line) std::atomic<std::shared_ptr<const zone_set>> m_current;
  // Read by every query, written once per publish().
  alignas(line) std::atomic<std::uint64_t> m_generation{1};
  const std::uint64_t m_id;  // never reused, unlike the address (thread caches key on it)
  alignas(line) mutable std::mutex m_slots_mutex;
  mutable std::vector<std::shared_ptr<reader_slot>> m_slots;  // one per reading thread
};

}  // namespace cidns::authd
