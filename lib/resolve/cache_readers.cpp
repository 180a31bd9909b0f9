// Per-thread read transactions of lmdb_cache and map re-sizing (lmdb_cache_state.hpp).
// Each thread keeps one read-only transaction per cache, reset between reads (MDB_NOTLS lets
// it belong to no thread); the cache owns them all and ends them when it closes.
#include <vector>

#include <fmt/format.h>

#include "lmdb_cache_state.hpp"

namespace cidns::resolve {
namespace {

struct reader_slot {
  std::uint64_t cache_id;
  std::weak_ptr<int> alive;
  store::txn* txn;
};
thread_local std::vector<reader_slot> t_slots;

}  // namespace

store::txn& lmdb_cache::state::thread_reader() {
  for (const auto& s : t_slots) {
    if (s.cache_id == id) return *s.txn;
  }
  std::erase_if(t_slots, [](const reader_slot& s) { return s.alive.expired(); });
  std::optional<store::txn> t;
  try {
    t.emplace(store::txn::begin(env, store::txn::mode::read_only));
  } catch (const store::lmdb_error& e) {
    if (e.code() != MDB_READERS_FULL) throw;
    env.reader_check();  // slots of processes that died (kill -9)
    t.emplace(store::txn::begin(env, store::txn::mode::read_only));
  }
  t->reset();
  std::lock_guard lock(readers_mutex);
  store::txn& out = readers.emplace_back(std::move(*t));
  t_slots.push_back(reader_slot{id, alive, &out});
  return out;
}

void lmdb_cache::state::adopt_map_size() {
  std::unique_lock lock(remap);
  env.adopt_map_size();
  log(fmt::format("cache: map size changed by another process; now {} bytes",
                  env.info().me_mapsize));
}

}  // namespace cidns::resolve
