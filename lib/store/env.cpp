// LMDB environment and error (env.hpp).
#include "cidns/store/env.hpp"

#include <fmt/format.h>

namespace cidns::store {

lmdb_error::lmdb_error(std::string_view what, int code)
    : std::runtime_error(std::string(what)), m_code(code) {}

void throw_lmdb(std::string_view what, int rc) {
  throw lmdb_error(fmt::format("{}: {}", what, mdb_strerror(rc)), rc);
}

env env::open(const std::string& dir, const env_options& options) {
  MDB_env* e = nullptr;
  if (int rc = mdb_env_create(&e); rc != 0) throw_lmdb("mdb_env_create", rc);
  auto fail = [&](std::string_view what, int rc) {
    mdb_env_close(e);
    throw_lmdb(fmt::format("{} ({})", what, dir), rc);
  };
  if (options.map_size != 0) {
    if (int rc = mdb_env_set_mapsize(e, options.map_size); rc != 0) fail("mdb_env_set_mapsize", rc);
  }
  if (int rc = mdb_env_set_maxdbs(e, options.max_dbs); rc != 0) fail("mdb_env_set_maxdbs", rc);
  if (int rc = mdb_env_set_maxreaders(e, options.max_readers); rc != 0) {
    fail("mdb_env_set_maxreaders", rc);
  }
  const unsigned flags = options.flags | MDB_NOTLS;
  if (int rc = mdb_env_open(e, dir.c_str(), flags, static_cast<mdb_mode_t>(options.file_mode));
      rc != 0) {
    fail("mdb_env_open", rc);
  }
  return env(e, dir);
}

env& env::operator=(env&& other) noexcept {
  if (this != &other) {
    if (m_env != nullptr) mdb_env_close(m_env);
    m_env = std::exchange(other.m_env, nullptr);
    m_dir = std::move(other.m_dir);
  }
  return *this;
}

env::~env() {
  if (m_env != nullptr) mdb_env_close(m_env);
}

void env::adopt_map_size() {
  if (int rc = mdb_env_set_mapsize(m_env, 0); rc != 0) throw_lmdb("mdb_env_set_mapsize(0)", rc);
}

MDB_envinfo env::info() const {
  MDB_envinfo info{};
  if (int rc = mdb_env_info(m_env, &info); rc != 0) throw_lmdb("mdb_env_info", rc);
  return info;
}

unsigned env::page_size() const {
  MDB_stat st{};
  if (int rc = mdb_env_stat(m_env, &st); rc != 0) throw_lmdb("mdb_env_stat", rc);
  return st.ms_psize;
}

int env::reader_check() {
  int dead = 0;
  if (int rc = mdb_reader_check(m_env, &dead); rc != 0) throw_lmdb("mdb_reader_check", rc);
  return dead;
}

}  // namespace cidns::store
