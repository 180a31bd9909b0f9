// The zone journal of cidns-authd (Knot DNS's journal is the model): the changesets that
// dynamic UPDATE and incoming transfers made, per zone and in order, kept durably in one LMDB
// environment per server so that the server can replay them at startup and answer
// incremental transfers from them.
//
// On disk: `dir`/data.mdb and `dir`/lock.mdb (LMDB's own names), three named databases:
//   changesets  key   zone text, 0x00, sequence number (u64, big-endian)
//               value encode_changeset (changeset_codec.hpp)
//               Keys sort by zone, then in append order (serials wrap, sequence numbers
//               do not); a zone's text never holds 0x00, so "a.\0" keys sort before "a.b.".
//   zones       key   zone text
//               value 32 bytes, big-endian: first serial (u32: `from` of the oldest kept
//               changeset), last serial (u32: `to` of the newest), first sequence (u64: of
//               the oldest kept changeset), next sequence (u64: the next append's), bytes
//               (u64: keys + values of the kept changesets). count = next - first.
//   meta        "format-version" -> u32 big-endian (schema.hpp), journal::format_version.
// Every change to a zone writes its changesets and its zones entry in one transaction.
//
// Thread-safety: LMDB serializes writers and gives readers snapshots, so calls on one journal
// may come from several threads at once; each call is its own transaction. The caller must
// (1) open a directory only once per process (LMDB's rule) and not move or destroy the journal
// while calls are running, and (2) serialize the changes of each zone (append after reading
// the zone's last serial is only meaningful if nobody appends in between; append refuses a
// gap, so a race shows up as an error, not as a broken chain).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/record/changeset.hpp"
#include "cidns/store/env.hpp"
#include "cidns/store/txn.hpp"
#include "cidns/util/result.hpp"

namespace cidns::store {

// Per zone.
struct journal_limits {
  std::uint64_t max_bytes = std::uint64_t{64} << 20;
  std::size_t max_changesets = 10000;
};

// first/last: `from` of the oldest kept changeset and `to` of the newest. After drop_through
// has dropped every changeset the zone keeps its entry with changesets == 0 and
// first == last == the serial it was dropped through, so gaps are still refused.
struct journal_usage {
  std::size_t changesets = 0;
  std::uint64_t bytes = 0;
  std::uint32_t first = 0, last = 0;
  friend bool operator==(const journal_usage&, const journal_usage&) = default;
};

class journal {
 public:
  static constexpr std::uint32_t format_version = 1;

  // Opens or creates the environment in `dir` (created with mode 0700 when missing).
  // map_size bounds the file. Throws std::runtime_error naming `dir` and LMDB's error, or the
  // format-version mismatch.
  static journal open(const std::filesystem::path& dir,
                      std::uint64_t map_size = std::uint64_t{1} << 30);

  // Appends `c` to `zone` (canonical text, "example.") durably: returns after the commit
  // (which syncs). Error values: `zone` not canonical; `c` malformed (the old SOA of `zone`
  // first in removed with serial `from`, the new SOA first in added with serial `to`, `to`
  // after `from` in serial arithmetic, within check_changeset_limits); a gap (the zone has an
  // entry and `from` is not its last serial: drop_zone first to start over); the map full.
  // Other LMDB failures throw lmdb_error.
  result<void> append(std::string_view zone, const record::changeset& c);

  // The changesets from `serial` to the latest, oldest first: empty when `serial` is the
  // latest, nullopt when the journal does not reach back to `serial` (or has no entry for the
  // zone): the caller falls back to a full transfer.
  // Reading throws std::runtime_error ("corrupted journal", naming zone and sequence) on a
  // value that does not decode or a chain that does not connect; never crashes.
  std::optional<std::vector<record::changeset>> since(std::string_view zone,
                                                      std::uint32_t serial) const;
  // Every kept changeset of the zone, oldest first (replay at startup). Throws like since().
  std::vector<record::changeset> all(std::string_view zone) const;
  journal_usage usage(std::string_view zone) const;
  // usage above either limit (bytes > max_bytes or changesets > max_changesets).
  bool over(std::string_view zone, const journal_limits& limits) const;

  // Drops the oldest changesets up to the newest one that ends at `serial` (after the zone
  // was written back to its file at that serial); when none ends at `serial`, those that end
  // at or before it in serial arithmetic, up to the first that ends after it.
  void drop_through(std::string_view zone, std::uint32_t serial);
  // Drops the oldest changesets until the zone is within half of each limit (so that a journal
  // kept at its limit is not trimmed on every append). For histories nobody replays.
  void trim(std::string_view zone, const journal_limits& limits);
  // Removes the zone's changesets and entry (works on a corrupted zone too).
  void drop_zone(std::string_view zone);
  // The zones that have changesets, in key order.
  std::vector<std::string> zones() const;

  const std::string& dir() const noexcept { return m_env.dir(); }

 private:
  journal(env e, dbi changesets, dbi zones)
      : m_env(std::move(e)), m_changesets(changesets), m_zones(zones) {}
  env m_env;
  dbi m_changesets;
  dbi m_zones;
};

}  // namespace cidns::store
