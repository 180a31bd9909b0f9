// LMDB transactions and cursors (txn.hpp).
#include "cidns/store/txn.hpp"

#include <cerrno>

namespace cidns::store {
namespace {

MDB_val to_val(std::string_view s) noexcept {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
std::string_view to_view(const MDB_val& v) noexcept {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

}  // namespace

txn txn::begin(const env& e, mode m) {
  MDB_txn* t = nullptr;
  const bool ro = m == mode::read_only;
  if (int rc = mdb_txn_begin(e.handle(), nullptr, ro ? MDB_RDONLY : 0, &t); rc != 0) {
    throw_lmdb("mdb_txn_begin", rc);
  }
  return txn(t, ro);
}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    m_txn = std::exchange(other.m_txn, nullptr);
    m_ro = other.m_ro;
    m_live = other.m_live;
  }
  return *this;
}

txn::~txn() { abort(); }

dbi txn::open_dbi(const char* name, bool create) {
  dbi d = 0;
  if (int rc = mdb_dbi_open(m_txn, name, create ? MDB_CREATE : 0, &d); rc != 0) {
    throw_lmdb(std::string("mdb_dbi_open ") + (name != nullptr ? name : "(main)"), rc);
  }
  return d;
}

std::optional<std::string_view> txn::get(dbi d, std::string_view key) const {
  MDB_val k = to_val(key), v{};
  int rc = mdb_get(m_txn, d, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != 0) throw_lmdb("mdb_get", rc);
  return to_view(v);
}

void txn::put(dbi d, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = to_val(key), v = to_val(value);
  if (int rc = mdb_put(m_txn, d, &k, &v, flags); rc != 0) throw_lmdb("mdb_put", rc);
}

bool txn::del(dbi d, std::string_view key) {
  MDB_val k = to_val(key);
  int rc = mdb_del(m_txn, d, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) throw_lmdb("mdb_del", rc);
  return true;
}

MDB_stat txn::stat(dbi d) const {
  MDB_stat st{};
  if (int rc = mdb_stat(m_txn, d, &st); rc != 0) throw_lmdb("mdb_stat", rc);
  return st;
}

cursor txn::open_cursor(dbi d) const {
  MDB_cursor* c = nullptr;
  if (int rc = mdb_cursor_open(m_txn, d, &c); rc != 0) throw_lmdb("mdb_cursor_open", rc);
  return cursor(c);
}

void txn::commit() {
  MDB_txn* t = std::exchange(m_txn, nullptr);
  m_live = false;
  if (int rc = mdb_txn_commit(t); rc != 0) throw_lmdb("mdb_txn_commit", rc);
}

void txn::abort() noexcept {
  if (m_txn != nullptr) mdb_txn_abort(std::exchange(m_txn, nullptr));
  m_live = false;
}

void txn::reset() noexcept {
  if (m_txn != nullptr && m_ro && m_live) {
    mdb_txn_reset(m_txn);
    m_live = false;
  }
}

void txn::renew() {
  if (int rc = mdb_txn_renew(m_txn); rc != 0) throw_lmdb("mdb_txn_renew", rc);
  m_live = true;
}

cursor& cursor::operator=(cursor&& other) noexcept {
  if (this != &other) {
    if (m_cur != nullptr) mdb_cursor_close(m_cur);
    m_cur = std::exchange(other.m_cur, nullptr);
  }
  return *this;
}

cursor::~cursor() {
  if (m_cur != nullptr) mdb_cursor_close(m_cur);
}

std::optional<item> cursor::move(MDB_cursor_op op) {
  MDB_val k{}, v{};
  int rc = mdb_cursor_get(m_cur, &k, &v, op);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  // EINVAL: GET_CURRENT on an unpositioned cursor (or after its item was deleted).
  if (rc == EINVAL && op == MDB_GET_CURRENT) return std::nullopt;
  if (rc != 0) throw_lmdb("mdb_cursor_get", rc);
  return item{to_view(k), to_view(v)};
}

std::optional<item> cursor::lower_bound(std::string_view key) {
  if (key.empty()) return first();  // LMDB rejects a zero-length key; every key is >= ""
  MDB_val k = to_val(key), v{};
  int rc = mdb_cursor_get(m_cur, &k, &v, MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != 0) throw_lmdb("mdb_cursor_get(SET_RANGE)", rc);
  return item{to_view(k), to_view(v)};
}

std::optional<item> cursor::at_or_before(std::string_view key) {
  auto it = lower_bound(key);
  if (!it) return last();
  if (it->first == key) return it;
  return prev();
}

void cursor::del() {
  if (int rc = mdb_cursor_del(m_cur, 0); rc != 0) throw_lmdb("mdb_cursor_del", rc);
}

}  // namespace cidns::store
