// LMDB RAII, part 1 (STYLE.md: PowerDNS lmdb-safe): the error type and the environment.
// Conditions that "should never happen" throw lmdb_error (with LMDB's code, so a caller can
// tell MDB_MAP_FULL or MDB_MAP_RESIZED from the rest); not-found is a value (txn.hpp).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace cidns::store {

class lmdb_error : public std::runtime_error {
 public:
  lmdb_error(std::string_view what, int code);
  int code() const noexcept { return m_code; }

 private:
  int m_code;
};

// Throws lmdb_error("<what>: <mdb_strerror(rc)>", rc).
[[noreturn]] void throw_lmdb(std::string_view what, int rc);

struct env_options {
  std::uint64_t map_size = 0;  // 0: LMDB's default, or the size recorded in the file
  unsigned max_dbs = 8;        // named databases
  unsigned max_readers = 1022;
  // Extra MDB_* flags. MDB_NOTLS is always set: read transactions belong to no thread, so
  // they can be reset, renewed and kept per thread by their user.
  unsigned flags = 0;
  unsigned file_mode = 0600;
};

// An open LMDB environment: a directory holding data.mdb and lock.mdb. Move-only.
class env {
 public:
  // Opens `dir` (which must exist). Throws lmdb_error with LMDB's (or errno's) code.
  static env open(const std::string& dir, const env_options& options);

  env(env&& other) noexcept : m_env(other.m_env), m_dir(std::move(other.m_dir)) {
    other.m_env = nullptr;
  }
  env& operator=(env&& other) noexcept;
  env(const env&) = delete;
  env& operator=(const env&) = delete;
  ~env();

  MDB_env* handle() const noexcept { return m_env; }
  const std::string& dir() const noexcept { return m_dir; }

  // After MDB_MAP_RESIZED: adopt the map size another process set (mdb_env_set_mapsize(0)).
  // No transaction of this environment may be active (reset read transactions are fine).
  void adopt_map_size();
  MDB_envinfo info() const;
  unsigned page_size() const;
  // Clears reader slots of dead processes (after kill -9); returns how many.
  int reader_check();

 private:
  env(MDB_env* e, std::string dir) : m_env(e), m_dir(std::move(dir)) {}
  MDB_env* m_env = nullptr;
  std::string m_dir;
};

}  // namespace cidns::store
