// LMDB RAII, part 2: transactions, database handles and cursors. Reads return
// std::optional (not-found is a value); every other failure throws lmdb_error.
// Views returned by get() and by cursors point into the map and live until the transaction
// ends, is reset, or writes to that key.
#pragma once

#include <lmdb.h>

#include <optional>
#include <string_view>
#include <utility>

#include "cidns/store/env.hpp"

namespace cidns::store {

using dbi = MDB_dbi;
using item = std::pair<std::string_view, std::string_view>;  // key, value

class cursor;

class txn {
 public:
  enum class mode { read_only, read_write };

  // Begins a transaction. Throws lmdb_error (MDB_MAP_RESIZED and MDB_READERS_FULL included:
  // the caller decides how to recover).
  static txn begin(const env& e, mode m);

  txn(txn&& other) noexcept
      : m_txn(std::exchange(other.m_txn, nullptr)), m_ro(other.m_ro), m_live(other.m_live) {}
  txn& operator=(txn&& other) noexcept;
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  ~txn();  // aborts a transaction that was not committed

  bool read_only() const noexcept { return m_ro; }
  bool live() const noexcept { return m_txn != nullptr && m_live; }
  MDB_txn* handle() const noexcept { return m_txn; }

  // Opens (with `create`, creates: read-write only) a named database; nullptr: the main one.
  dbi open_dbi(const char* name, bool create);

  std::optional<std::string_view> get(dbi d, std::string_view key) const;
  void put(dbi d, std::string_view key, std::string_view value, unsigned flags = 0);
  bool del(dbi d, std::string_view key);  // false: the key was not there
  MDB_stat stat(dbi d) const;
  cursor open_cursor(dbi d) const;

  void commit();
  void abort() noexcept;
  // Read-only transactions only: release the snapshot but keep the reader slot / take a
  // fresh snapshot. renew() throws like begin().
  void reset() noexcept;
  void renew();

 private:
  txn(MDB_txn* t, bool ro) : m_txn(t), m_ro(ro), m_live(true) {}
  MDB_txn* m_txn = nullptr;
  bool m_ro = false;
  bool m_live = false;  // false after reset()
};

class cursor {
 public:
  cursor(cursor&& other) noexcept : m_cur(std::exchange(other.m_cur, nullptr)) {}
  cursor& operator=(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor();

  std::optional<item> first() { return move(MDB_FIRST); }
  std::optional<item> last() { return move(MDB_LAST); }
  std::optional<item> next() { return move(MDB_NEXT); }
  std::optional<item> prev() { return move(MDB_PREV); }
  std::optional<item> current() { return move(MDB_GET_CURRENT); }
  // The first item whose key is >= `key`.
  std::optional<item> lower_bound(std::string_view key);
  // The last item whose key is <= `key`.
  std::optional<item> at_or_before(std::string_view key);
  // Deletes the item under the cursor (read-write transactions).
  void del();

 private:
  friend class txn;
  explicit cursor(MDB_cursor* c) : m_cur(c) {}
  std::optional<item> move(MDB_cursor_op op);
  MDB_cursor* m_cur = nullptr;
};

// True when `key` starts with `prefix`.
inline bool has_prefix(std::string_view key, std::string_view prefix) noexcept {
  return key.substr(0, prefix.size()) == prefix;
}

}  // namespace cidns::store
