// Zone snapshots, their atomic publication and the per-thread copies queries read
// (zone_set.hpp).
#include "zone_set.hpp"

#include <thread>
#include <utility>

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

// One thread's copy of one registry's snapshot, on a cache line of its own. The thread
// holds `busy` for the length of a query (a view); a writer takes it, when free, to drop a
// stale copy. When the writer finds it taken, the thread drops the copy as the query ends:
// the writer bumps the generation then tests `busy`, the thread clears `busy` then reads
// the generation (all sequentially consistent), so at least one of them sees the other.
struct alignas(64) reader_slot {
  explicit reader_slot(const std::atomic<std::uint64_t>& g) noexcept : registry_generation(g) {}

  std::atomic<bool> busy{false};
  std::uint64_t generation = 0;  // of `zones`; 0: no copy
  std::shared_ptr<const zone_set> zones;
  unsigned depth = 0;  // views open on the owning thread (only it writes)
  const std::atomic<std::uint64_t>& registry_generation;
  std::atomic<bool> abandoned{false};  // the thread ended: the registry forgets the slot
  std::atomic<bool> orphaned{false};   // the registry ended: the thread forgets the slot

  bool try_lock() noexcept { return !busy.exchange(true); }
  void lock() noexcept {
    while (!try_lock()) std::this_thread::yield();  // a writer drops a pointer: brief
  }
  void unlock() noexcept { busy.store(false); }
  // The copy, taken out under the lock; the caller frees it after unlock().
  std::shared_ptr<const zone_set> take() noexcept {
    generation = 0;
    return std::move(zones);
  }
};

namespace {

std::atomic<std::uint64_t> next_registry_id{1};

// The slots of the calling thread, by registry id (usually one). On thread exit its
// copies are dropped at once, so an ended thread keeps no zone alive.
struct thread_slots {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<reader_slot>>> entries;

  thread_slots() = default;
  thread_slots(const thread_slots&) = delete;
  thread_slots& operator=(const thread_slots&) = delete;
  ~thread_slots() {
    for (auto& [id, slot] : entries) {
      slot->lock();
      auto dropped = slot->take();
      slot->unlock();
      slot->abandoned.store(true, std::memory_order_release);
    }
  }
  reader_slot* find(std::uint64_t id) const noexcept {
    for (const auto& [key, slot] : entries) {
      if (key == id) return slot.get();
    }
    return nullptr;
  }
};

thread_local thread_slots t_slots;

}  // namespace

zone_registry::view::~view() {
  reader_slot& s = *m_slot;
  if (--s.depth != 0) return;
  const std::uint64_t mine = s.generation;
  s.unlock();
  if (mine == s.registry_generation.load()) return;
  // A writer published during the query and may have found the slot taken.
  std::shared_ptr<const zone_set> dropped;
  if (!s.try_lock()) return;  // a writer holds it: it drops the copy
  if (s.generation != s.registry_generation.load()) dropped = s.take();
  s.unlock();
}

zone_registry::zone_registry()
    : m_current(std::make_shared<const zone_set>()), m_id(next_registry_id.fetch_add(1)) {}

zone_registry::~zone_registry() {
  std::lock_guard lock(m_slots_mutex);
  for (const auto& slot : m_slots) {
    slot->lock();
    auto dropped = slot->take();
    slot->orphaned.store(true, std::memory_order_release);
    slot->unlock();
  }
}

zone_registry::view zone_registry::read() const {
  reader_slot* slot = t_slots.find(m_id);
  if (slot == nullptr) slot = &add_slot();
  if (slot->depth++ == 0) {
    slot->lock();
    const std::uint64_t g = m_generation.load(std::memory_order_acquire);
    if (slot->generation != g) {
      // The pointer stored before `g` was bumped, or a newer one: never an older one.
      slot->zones = m_current.load();
      slot->generation = g;
    }
  }
  return view(*slot, slot->zones.get());
}

reader_slot& zone_registry::add_slot() const {
  auto slot = std::make_shared<reader_slot>(m_generation);
  {
    std::lock_guard lock(m_slots_mutex);
    std::erase_if(m_slots, [](const auto& s) { return s->abandoned.load(); });
    m_slots.push_back(slot);
  }
  std::erase_if(t_slots.entries, [](const auto& e) { return e.second->orphaned.load(); });
  t_slots.entries.emplace_back(m_id, slot);
  return *slot;
}

void zone_registry::publish(std::shared_ptr<const zone::compiled_zone> zone) {
  // Writers are serialised by the caller (one loader thread); readers never block.
  replace(zone_set::with(*m_current.load(), std::move(zone)));
}

void zone_registry::withdraw(std::string_view origin) {
  replace(zone_set::without(*m_current.load(), origin));
}

void zone_registry::replace(std::shared_ptr<const zone_set> next) {
  m_current.store(std::move(next));
  drop_stale(m_generation.fetch_add(1) + 1);
}

// Drops the copies older than `generation` of the threads outside a query; a thread inside
// one drops its copy when the query ends (view::~view). Never waits for a reader.
void zone_registry::drop_stale(std::uint64_t generation) {
  std::vector<std::shared_ptr<reader_slot>> slots;
  {
    std::lock_guard lock(m_slots_mutex);
    std::erase_if(m_slots, [](const auto& s) { return s->abandoned.load(); });
    slots = m_slots;
  }
  for (const auto& slot : slots) {
    if (!slot->try_lock()) continue;
    std::shared_ptr<const zone_set> dropped;
    if (slot->generation != generation) dropped = slot->take();
    slot->unlock();
  }
}

}  // namespace cidns::authd
