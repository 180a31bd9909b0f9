// The resolver's cache in LMDB (DESIGN §6, issue 7 item 5): persistent across restarts and
// shared by the resolver processes of a host through one directory. Policy lives here; LMDB
// RAII and key encoding live in lib/store.
//
// - A hit (get, nsec_at_or_before) uses only a read transaction: each thread keeps one
//   read-only transaction, reset after every read and renewed for the next (MDB_NOTLS).
// - put() applies the rank rule and the TTL clamps, and never fails a query: past
//   `high_water` it first runs a bounded eviction pass (expired entries first, then the least
//   recently stored, 100 per short write transaction, down to `low_water`); on MDB_MAP_FULL
//   it evicts and retries once, then drops the write (dropped_writes()). The cache is never
//   wiped: one pass removes at most half of the entries, oldest first.
// - A file that cannot be opened, is corrupt, or has another format version is moved aside
//   (data.mdb.corrupt-<unixtime>) and a fresh one created, with a log line.
// - Several processes: MDB_MAP_RESIZED adopts the other process's map size; stale reader
//   slots (kill -9) are cleared on open and on MDB_READERS_FULL. Give every process the same
//   max_size.
// - Flags: MDB_NOTLS | MDB_NOSYNC | MDB_NORDAHEAD, no MDB_WRITEMAP. NOSYNC loses durability
//   only against an OS crash or power loss (a cache needs none; a file damaged that way is
//   moved aside on the next open); a process killed with SIGKILL cannot damage the file,
//   because every write has reached the kernel's page cache before the meta page that makes
//   it visible, and the writer mutex is robust. Without WRITEMAP a full disk is an error
//   from write(2), not a SIGBUS in the middle of a query.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cidns/resolve/cache.hpp"

namespace cidns::resolve {

struct lmdb_cache_options {
  std::string dir;                        // created if missing (0700)
  std::uint64_t max_size = 256ull << 20;  // map size in bytes
  cache_limits limits;
  double high_water = 0.80, low_water = 0.70;  // eviction starts/stops (fraction of map)
  std::function<void(std::string_view)> log;   // one line per event (moved aside, evicted N)
};

class lmdb_cache final : public cache {
 public:
  // The value format; a file stamped with another is moved aside on open.
  static constexpr std::uint32_t format_version = 1;

  // Opens or creates. A file that cannot be opened, is corrupt, or has another format version
  // is moved aside (renamed data.mdb.corrupt-<unixtime>) and recreated, with a log line;
  // throws std::runtime_error only when even a fresh cache cannot be created.
  static std::unique_ptr<lmdb_cache> open(lmdb_cache_options options);

  // No call may be in flight on any thread. Reader slots of threads are released here.
  ~lmdb_cache() override;
  lmdb_cache(const lmdb_cache&) = delete;
  lmdb_cache& operator=(const lmdb_cache&) = delete;

  std::optional<cache_entry> get(const name::identifier& owner, record::rtype type) override;
  bool put(const name::identifier& owner, record::rtype type, const cache_entry& e,
           std::uint32_t now) override;
  // NSEC records are indexed by zone when put() as (owner, NSEC) with a SIG whose signer is
  // the zone (an unsigned NSEC is cached but not indexed).
  std::optional<cache_entry> nsec_at_or_before(const name::identifier& zone,
                                               const name::identifier& name) override;
  std::uint64_t flush(const name::identifier& name, bool subtree) override;
  cache_stats stats() const override;

  // Runs one bounded eviction pass if usage is over high_water (expired first, then least
  // recently stored), in small batches of short write transactions. Returns how many entries
  // went. put() calls it when needed; the daemon may also call it from a timer.
  std::uint64_t evict_if_needed(std::uint32_t now);

  // Writes dropped because the map stayed full after eviction, or LMDB failed.
  std::uint64_t dropped_writes() const noexcept;
  // Pages in use / map size, 0..1.
  double usage() const;
  const std::string& dir() const noexcept;

  struct state;  // lmdb_cache_state.hpp

 private:
  explicit lmdb_cache(std::unique_ptr<state> s);
  std::uint64_t evict(std::uint32_t now, bool force);
  std::unique_ptr<state> m;
};

}  // namespace cidns::resolve
