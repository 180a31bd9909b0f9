// The insides of lmdb_cache (private to lib/resolve): the environment and its databases,
// per-thread read transactions, the lock that keeps transactions out while the map is
// re-sized, counters, and the helpers that run a read or a write with the recoveries LMDB
// needs when several processes share a file.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include "cidns/resolve/lmdb_cache.hpp"
#include "cidns/store/env.hpp"
#include "cidns/store/txn.hpp"

namespace cidns::resolve {

struct lmdb_cache::state {
  state(lmdb_cache_options o, store::env e) : opts(std::move(o)), env(std::move(e)) {}

  lmdb_cache_options opts;
  store::env env;
  store::dbi main = 0, entries = 0, age = 0, meta = 0;

  std::uint64_t id = 0;                                   // unique per instance in this process
  std::shared_ptr<int> alive = std::make_shared<int>(0);  // thread slots see it expire
  // Shared by every transaction in flight; exclusive to re-map (MDB_MAP_RESIZED).
  mutable std::shared_mutex remap;
  std::mutex readers_mutex;
  std::deque<store::txn> readers;  // every thread's read transaction (reset when idle)
  std::mutex evict_mutex;          // one eviction pass at a time in this process

  mutable std::atomic<std::uint64_t> hits{0}, misses{0};
  std::atomic<std::uint64_t> stores{0}, rejected{0}, evictions{0}, dropped{0};
  std::atomic<std::uint32_t> puts_since_check{0};

  void log(std::string_view line) const {
    if (opts.log) opts.log(line);
  }

  // This thread's read transaction for this cache, created on first use (reset state).
  store::txn& thread_reader();
  void adopt_map_size();

  // Runs f(txn&) in this thread's read transaction, renewed for the call and reset after.
  template <typename F>
  auto read(F&& f) -> decltype(f(std::declval<store::txn&>())) {
    for (int attempt = 0;; ++attempt) {
      std::shared_lock lock(remap);
      store::txn* t = nullptr;
      try {
        t = &thread_reader();
        t->renew();
      } catch (const store::lmdb_error& e) {
        if (e.code() != MDB_MAP_RESIZED || attempt > 0) throw;
        lock.unlock();
        adopt_map_size();
        continue;
      }
      struct resetter {
        store::txn* t;
        ~resetter() { t->reset(); }
      } r{t};
      return f(*t);
    }
  }

  // Runs f(txn&) in a write transaction and commits it; f's exceptions abort it.
  template <typename F>
  auto write(F&& f) -> decltype(f(std::declval<store::txn&>())) {
    for (int attempt = 0;; ++attempt) {
      std::shared_lock lock(remap);
      std::optional<store::txn> t;
      try {
        t.emplace(store::txn::begin(env, store::txn::mode::read_write));
      } catch (const store::lmdb_error& e) {
        if (e.code() != MDB_MAP_RESIZED || attempt > 0) throw;
        lock.unlock();
        adopt_map_size();
        continue;
      }
      if constexpr (std::is_void_v<decltype(f(*t))>) {
        f(*t);
        t->commit();
        return;
      } else {
        auto out = f(*t);
        t->commit();
        return out;
      }
    }
  }
};

}  // namespace cidns::resolve
