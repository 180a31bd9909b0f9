// LMDB RAII: env, transactions, cursors, not-found as a value, the format-version stamp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "cidns/store/env.hpp"
#include "cidns/store/schema.hpp"
#include "cidns/store/txn.hpp"

namespace cidns::store {
namespace {

class StoreTxn : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cidns-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  env open() {
    env_options o;
    o.map_size = 4 << 20;
    return env::open(m_dir, o);
  }
  std::string m_dir;
};

TEST_F(StoreTxn, PutGetDelAndNotFound) {
  env e = open();
  {
    auto t = txn::begin(e, txn::mode::read_write);
    dbi d = t.open_dbi("data", true);
    t.put(d, "b", "2");
    t.put(d, "a", "1");
    t.put(d, "c", std::string_view("\0x", 2));
    t.commit();
  }
  auto t = txn::begin(e, txn::mode::read_only);
  dbi d = t.open_dbi("data", false);
  EXPECT_EQ(t.get(d, "a"), std::optional<std::string_view>("1"));
  EXPECT_EQ(t.get(d, "c")->size(), 2u);
  EXPECT_FALSE(t.get(d, "zz"));
  EXPECT_EQ(t.stat(d).ms_entries, 3u);
  t.reset();
  EXPECT_FALSE(t.live());
  t.renew();
  EXPECT_TRUE(t.live());
  EXPECT_EQ(t.get(d, "b"), std::optional<std::string_view>("2"));
  t.abort();

  auto w = txn::begin(e, txn::mode::read_write);
  EXPECT_TRUE(w.del(d, "a"));
  EXPECT_FALSE(w.del(d, "a"));
  w.commit();
  auto r = txn::begin(e, txn::mode::read_only);
  EXPECT_FALSE(r.get(d, "a"));
}

TEST_F(StoreTxn, CursorSeeks) {
  env e = open();
  auto t = txn::begin(e, txn::mode::read_write);
  dbi d = t.open_dbi("data", true);
  for (auto k : {"b", "d", "f"}) t.put(d, k, k);
  auto c = t.open_cursor(d);
  EXPECT_EQ(c.lower_bound("c")->first, "d");
  EXPECT_EQ(c.lower_bound("d")->first, "d");
  EXPECT_FALSE(c.lower_bound("g"));
  EXPECT_EQ(c.at_or_before("c")->first, "b");
  EXPECT_EQ(c.at_or_before("d")->first, "d");
  EXPECT_EQ(c.at_or_before("z")->first, "f");
  EXPECT_FALSE(c.at_or_before("a"));
  EXPECT_EQ(c.first()->first, "b");
  EXPECT_EQ(c.next()->first, "d");
  EXPECT_EQ(c.last()->first, "f");
  EXPECT_FALSE(c.next());
}

TEST_F(StoreTxn, ErrorsThrowWithTheirCode) {
  env e = open();
  auto t = txn::begin(e, txn::mode::read_only);
  try {
    (void)t.open_dbi("missing", false);
    FAIL() << "no exception";
  } catch (const lmdb_error& err) {
    EXPECT_EQ(err.code(), MDB_NOTFOUND);
  }
  EXPECT_THROW(env::open(m_dir + "/does/not/exist", env_options{}), lmdb_error);
}

TEST_F(StoreTxn, FormatVersion) {
  env e = open();
  auto t = txn::begin(e, txn::mode::read_write);
  dbi meta = t.open_dbi("meta", true), data = t.open_dbi("data", true);
  EXPECT_EQ(check_format_version(t, meta, data, 3), version_check::created);
  EXPECT_EQ(read_format_version(t, meta), std::optional<std::uint32_t>(3));
  EXPECT_EQ(check_format_version(t, meta, data, 3), version_check::matches);
  EXPECT_EQ(check_format_version(t, meta, data, 4), version_check::mismatch);
  t.put(meta, format_version_key, "xyz");
  EXPECT_EQ(check_format_version(t, meta, data, 3), version_check::mismatch);
  // No stamp but data present: written by something else.
  t.del(meta, format_version_key);
  t.put(data, "k", "v");
  EXPECT_EQ(check_format_version(t, meta, data, 3), version_check::mismatch);
}

}  // namespace
}  // namespace cidns::store
