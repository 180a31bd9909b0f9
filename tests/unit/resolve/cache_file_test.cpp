// lmdb_cache and its file: a bad file or another format version moved aside, a map smaller
// than the data (evicts, keeps accepting writes, never emptied), two processes on one
// directory, and SIGKILL during heavy writes. Real LMDB files under /tmp; fork for processes.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cidns/resolve/lmdb_cache.hpp"
#include "cidns/store/schema.hpp"
#include "cidns/store/txn.hpp"

namespace cidns::resolve {

// cache.hpp gives cache_entry no operator==; the same inline definition in each test file.
inline bool operator==(const cache_entry& a, const cache_entry& b) {
  return a.kind == b.kind && a.rank == b.rank && a.state == b.state && a.stored == b.stored &&
         a.ttl == b.ttl && a.records == b.records && a.proof == b.proof && a.reason == b.reason;
}

namespace {

namespace fs = std::filesystem;

name::identifier nth(std::size_t i) {
  return *name::identifier::parse("h" + std::to_string(i) + ".pool1.provx.cn-north.");
}

cache_entry entry(const name::identifier& owner, std::uint32_t stored, std::size_t size = 300) {
  cache_entry e;
  e.rank = rank::auth;
  e.stored = stored;
  e.ttl = 3600;
  e.records = {{owner, record::rtype::desc, 3600, std::string(size, 'x')}};
  return e;
}

class CacheFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cidns-cache-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override { fs::remove_all(m_dir); }
  lmdb_cache_options options(std::uint64_t size = 16 << 20) {
    lmdb_cache_options o;
    o.dir = m_dir + "/cache";
    o.max_size = size;
    o.log = [this](std::string_view l) { m_log.emplace_back(l); };
    return o;
  }
  std::size_t moved_aside() const {
    std::size_t n = 0;
    for (const auto& f : fs::directory_iterator(m_dir + "/cache")) {
      n += f.path().filename().string().starts_with("data.mdb.corrupt-");
    }
    return n;
  }
  std::string m_dir;
  std::vector<std::string> m_log;
};

TEST_F(CacheFile, CreatesDirectoryAndPersists) {
  {
    auto c = lmdb_cache::open(options());
    ASSERT_TRUE(c->put(nth(1), record::rtype::desc, entry(nth(1), 5), 5));
  }
  EXPECT_EQ(fs::status(m_dir + "/cache").permissions() & fs::perms::all, fs::perms::owner_all);
  auto c = lmdb_cache::open(options());
  EXPECT_EQ(c->get(nth(1), record::rtype::desc), entry(nth(1), 5));
  EXPECT_EQ(moved_aside(), 0u);
}

TEST_F(CacheFile, OtherFormatVersionIsMovedAside) {
  {
    auto c = lmdb_cache::open(options());
    ASSERT_TRUE(c->put(nth(1), record::rtype::desc, entry(nth(1), 5), 5));
  }
  {
    store::env_options eo;
    eo.max_dbs = 4;
    auto e = store::env::open(m_dir + "/cache", eo);
    auto t = store::txn::begin(e, store::txn::mode::read_write);
    store::write_format_version(t, t.open_dbi("meta", false), lmdb_cache::format_version + 1);
    t.commit();
  }
  auto c = lmdb_cache::open(options());
  EXPECT_EQ(moved_aside(), 1u);
  ASSERT_EQ(m_log.size(), 1u);
  EXPECT_NE(m_log[0].find("format version"), std::string::npos) << m_log[0];
  EXPECT_NE(m_log[0].find("moved aside"), std::string::npos) << m_log[0];
  EXPECT_FALSE(c->get(nth(1), record::rtype::desc));
  EXPECT_TRUE(c->put(nth(2), record::rtype::desc, entry(nth(2), 5), 5));
  EXPECT_TRUE(c->get(nth(2), record::rtype::desc));
}

TEST_F(CacheFile, GarbageFileIsMovedAside) {
  fs::create_directories(m_dir + "/cache");
  {
    std::ofstream f(m_dir + "/cache/data.mdb", std::ios::binary);
    std::mt19937 rng(7);
    for (int i = 0; i < 64 * 1024; ++i) f.put(static_cast<char>(rng()));
  }
  auto c = lmdb_cache::open(options());
  EXPECT_EQ(moved_aside(), 1u);
  ASSERT_FALSE(m_log.empty());
  EXPECT_TRUE(c->put(nth(1), record::rtype::desc, entry(nth(1), 5), 5));
  EXPECT_TRUE(c->get(nth(1), record::rtype::desc));
}

TEST_F(CacheFile, UncreatableDirectoryThrows) {
  EXPECT_THROW(
      {
        auto o = options();
        o.dir = "/proc/cidns-cannot-exist/cache";
        (void)lmdb_cache::open(o);
      },
      std::runtime_error);
}

TEST_F(CacheFile, SmallMapEvictsAndIsNeverEmptied) {
  auto c = lmdb_cache::open(options(1 << 20));  // 1 MiB for ~4 MiB of data
  constexpr std::size_t n = 10'000;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto now = static_cast<std::uint32_t>(1000 + i);
    refused += !c->put(nth(i), record::rtype::desc, entry(nth(i), now), now);
    if (i % 1000 == 999) {
      EXPECT_GT(c->stats().entries, 100u) << "after " << i << " writes";
      EXPECT_LT(c->usage(), 0.95);
    }
  }
  EXPECT_LT(refused, n / 100);
  EXPECT_EQ(refused, c->dropped_writes());
  const auto s = c->stats();
  EXPECT_GT(s.evictions, n / 2);
  EXPECT_GT(s.entries, 500u);
  // The newest entries are there; the oldest went first.
  for (std::size_t i = n - 200; i < n; ++i) {
    EXPECT_TRUE(c->get(nth(i), record::rtype::desc)) << i;
  }
  EXPECT_FALSE(c->get(nth(0), record::rtype::desc));
  EXPECT_FALSE(m_log.empty());
}

TEST_F(CacheFile, ExpiredEntriesGoFirst) {
  auto o = options(1 << 20);
  o.high_water = 0.99;
  {
    auto c = lmdb_cache::open(o);
    // Old long-lived entries, then newer short-lived ones.
    for (std::uint32_t i = 0; i < 700; ++i) {
      ASSERT_TRUE(c->put(nth(i), record::rtype::desc, entry(nth(i), 1000 + i), 1000 + i));
    }
    for (std::uint32_t i = 700; i < 1300; ++i) {
      auto e = entry(nth(i), 2000);
      e.ttl = 10;
      ASSERT_TRUE(c->put(nth(i), record::rtype::desc, e, 2000));
    }
    EXPECT_EQ(c->stats().evictions, 0u);
  }
  o.high_water = 0.7;
  o.low_water = 0.6;
  auto c = lmdb_cache::open(o);
  const double before = c->usage();
  ASSERT_GT(before, 0.7);
  const auto evicted = c->evict_if_needed(2100);  // the short-lived ones have expired
  EXPECT_GT(evicted, 100u);
  EXPECT_LE(c->usage(), 0.6);
  for (std::uint32_t i = 0; i < 700; ++i) {
    ASSERT_TRUE(c->get(nth(i), record::rtype::desc)) << "old unexpired entry " << i << " went";
  }
  EXPECT_EQ(c->evict_if_needed(2100), 0u);  // below high water now
}

// Runs `child` in a forked process; its return value is the exit status.
template <typename F>
pid_t spawn(F child) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 1;
    try {
      rc = child();
    } catch (...) {
    }
    ::_exit(rc);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST_F(CacheFile, TwoProcessesShareOneDirectory) {
  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  auto o = options();
  const pid_t pid = spawn([&] {
    auto c = lmdb_cache::open(o);
    if (!c->put(nth(1), record::rtype::desc, entry(nth(1), 10), 10)) return 2;
    char b = 'w';
    if (::write(to_parent[1], &b, 1) != 1 || ::read(to_child[0], &b, 1) != 1) return 3;
    auto e = c->get(nth(2), record::rtype::desc);  // written by the parent meanwhile
    return e && *e == entry(nth(2), 20) ? 0 : 4;
  });
  ASSERT_GT(pid, 0);
  char b = 0;
  ASSERT_EQ(::read(to_parent[0], &b, 1), 1);
  {
    auto c = lmdb_cache::open(o);
    EXPECT_EQ(c->get(nth(1), record::rtype::desc), entry(nth(1), 10));
    EXPECT_TRUE(c->put(nth(2), record::rtype::desc, entry(nth(2), 20), 20));
    ASSERT_EQ(::write(to_child[1], &b, 1), 1);
    EXPECT_EQ(wait_status(pid), 0);
  }
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
  EXPECT_EQ(moved_aside(), 0u);
}

TEST_F(CacheFile, SurvivesSigkillDuringHeavyWrites) {
  auto o = options(64 << 20);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t pid = spawn([&] {
    auto c = lmdb_cache::open(o);
    for (std::size_t i = 0;; ++i) {
      const auto now = static_cast<std::uint32_t>(1000 + i);
      (void)c->put(nth(i), record::rtype::desc, entry(nth(i), now, 2000), now);
      (void)c->get(nth(i / 2), record::rtype::desc);  // hold reader slots too
      if (i == 200) {
        char b = 'r';
        if (::write(ready[1], &b, 1) != 1) return 2;
      }
    }
  });
  ASSERT_GT(pid, 0);
  char b = 0;
  ASSERT_EQ(::read(ready[0], &b, 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_EQ(wait_status(pid), 128 + SIGKILL);
  ::close(ready[0]);
  ::close(ready[1]);

  auto c = lmdb_cache::open(o);
  EXPECT_EQ(moved_aside(), 0u) << (m_log.empty() ? "" : m_log[0]);
  // Every entry that is there is intact. (Eviction may have taken the oldest once the map
  // passed its high-water mark, so look until every counted entry is found.)
  const auto total = c->stats().entries;
  std::size_t present = 0, i = 0;
  for (; present < total && i < 5'000'000; ++i) {
    auto e = c->get(nth(i), record::rtype::desc);
    if (!e) continue;
    ASSERT_EQ(*e, entry(nth(i), static_cast<std::uint32_t>(1000 + i), 2000));
    ++present;
  }
  EXPECT_GT(present, 200u);
  EXPECT_EQ(c->stats().entries, present);
  EXPECT_TRUE(c->put(nth(i), record::rtype::desc, entry(nth(i), 1), 1));
  EXPECT_TRUE(c->get(nth(i), record::rtype::desc));
}

}  // namespace
}  // namespace cidns::resolve
