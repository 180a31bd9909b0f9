// lmdb_cache policy: round trips of every entry kind, the rank rule, TTL clamps, flush of a
// name and a subtree, and the NSEC index (nsec_at_or_before). Real LMDB files under /tmp.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "cidns/record/data.hpp"
#include "cidns/resolve/lmdb_cache.hpp"

namespace cidns::resolve {

// cache.hpp gives cache_entry no operator==; the same inline definition in each test file.
inline bool operator==(const cache_entry& a, const cache_entry& b) {
  return a.kind == b.kind && a.rank == b.rank && a.state == b.state && a.stored == b.stored &&
         a.ttl == b.ttl && a.records == b.records && a.proof == b.proof && a.reason == b.reason;
}

namespace {

name::identifier id(std::string_view text) { return *name::identifier::parse(text); }

record::rr sig_over(const name::identifier& owner, record::rtype covered,
                    const name::identifier& signer) {
  record::sig s;
  s.type_covered = covered;
  s.algorithm = 15;
  s.labels = static_cast<std::uint32_t>(owner.label_count());
  s.original_ttl = 300;
  s.expiration = 2'000'000'000;
  s.inception = 1'000'000'000;
  s.key_tag = 4242;
  s.signer = signer;
  s.signature = std::string(64, 's');
  return {owner, record::rtype::sig, 300, s.encode()};
}

cache_entry rrset(const name::identifier& owner, rank r, std::uint32_t stored,
                  std::uint32_t ttl = 300, std::string data = "d") {
  cache_entry e;
  e.kind = entry_kind::rrset;
  e.rank = r;
  e.state = r == rank::secure ? security::secure : security::indeterminate;
  e.stored = stored;
  e.ttl = ttl;
  e.records = {{owner, record::rtype::addr, ttl, std::move(data)}};
  return e;
}

cache_entry nsec_entry(const name::identifier& owner, const name::identifier& next,
                       const name::identifier& zone, std::uint32_t stored) {
  record::nsec n{next, {record::rtype::desc, record::rtype::sig, record::rtype::nsec}};
  cache_entry e;
  e.rank = rank::secure;
  e.state = security::secure;
  e.stored = stored;
  e.ttl = 600;
  e.records = {{owner, record::rtype::nsec, 600, n.encode()},
               sig_over(owner, record::rtype::nsec, zone)};
  return e;
}

class CachePolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cidns-cache-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
    lmdb_cache_options o;
    o.dir = m_dir + "/cache";
    o.max_size = 16 << 20;
    o.log = [this](std::string_view l) { m_log.emplace_back(l); };
    m_cache = lmdb_cache::open(o);
  }
  void TearDown() override {
    m_cache.reset();
    std::filesystem::remove_all(m_dir);
  }
  std::string m_dir;
  std::vector<std::string> m_log;
  std::unique_ptr<lmdb_cache> m_cache;
};

TEST_F(CachePolicy, RoundTripOfEveryKind) {
  const auto owner = id("h100.pool1.provx.cn-north.");
  const auto zone = id("provx.cn-north.");
  cache_entry pos;
  pos.kind = entry_kind::rrset;
  pos.rank = rank::secure;
  pos.state = security::secure;
  pos.stored = 1000;
  pos.ttl = 300;
  pos.records = {{owner, record::rtype::desc, 300, std::string("\x0a\x03gpu\0\xff", 7)},
                 {owner, record::rtype::state, 30, "state"},
                 {owner, record::rtype::ep, 300, std::string(5000, 'e')},
                 sig_over(owner, record::rtype::desc, zone)};
  ASSERT_TRUE(m_cache->put(owner, record::rtype::resource, pos, 1000));

  cache_entry nodata;
  nodata.kind = entry_kind::nodata;
  nodata.rank = rank::insecure;
  nodata.state = security::insecure;
  nodata.stored = 1000;
  nodata.ttl = 60;
  nodata.proof = {{zone, record::rtype::soa, 60, "soa"},
                  {owner, record::rtype::nsec, 60, "nsec"},
                  sig_over(owner, record::rtype::nsec, zone)};
  ASSERT_TRUE(m_cache->put(owner, record::rtype::txt, nodata, 1000));

  cache_entry nx = nodata;
  nx.kind = entry_kind::nxdomain;
  nx.rank = rank::auth;
  nx.state = security::indeterminate;
  const auto missing = id("nothere.provx.cn-north.");
  ASSERT_TRUE(m_cache->put(missing, record::rtype::none, nx, 1000));

  cache_entry bogus = rrset(owner, rank::bogus, 1000, 60);
  bogus.state = security::bogus;
  bogus.reason = "signature expired on DESC h100.pool1.provx.cn-north.";
  ASSERT_TRUE(m_cache->put(owner, record::rtype::cname, bogus, 1000));

  EXPECT_EQ(m_cache->get(owner, record::rtype::resource), pos);
  EXPECT_EQ(m_cache->get(owner, record::rtype::txt), nodata);
  EXPECT_EQ(m_cache->get(missing, record::rtype::none), nx);
  EXPECT_EQ(m_cache->get(owner, record::rtype::cname), bogus);
  EXPECT_FALSE(m_cache->get(owner, record::rtype::addr));
  EXPECT_FALSE(m_cache->get(missing, record::rtype::desc));  // the caller asks for none

  const auto s = m_cache->stats();
  EXPECT_EQ(s.hits, 4u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.stores, 4u);
  EXPECT_EQ(s.entries, 4u);
  EXPECT_GT(s.bytes_used, 0u);
  EXPECT_EQ(s.bytes_limit, 16u << 20);
}

TEST_F(CachePolicy, ExpiredEntriesAreStillReturned) {
  const auto owner = id("a.provx.");
  ASSERT_TRUE(m_cache->put(owner, record::rtype::addr, rrset(owner, rank::auth, 100, 10), 100));
  auto e = m_cache->get(owner, record::rtype::addr);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->expired(200));
}

TEST_F(CachePolicy, RankRule) {
  const auto owner = id("ns1.provx.");
  const auto t = record::rtype::addr;
  ASSERT_TRUE(m_cache->put(owner, t, rrset(owner, rank::secure, 1000, 300, "secure"), 1000));
  // Glue, non-authoritative, authoritative and insecure data cannot replace it while it lives.
  for (auto r : {rank::glue, rank::nonauth, rank::auth, rank::insecure, rank::bogus}) {
    EXPECT_FALSE(m_cache->put(owner, t, rrset(owner, r, 1100, 300, "spoof"), 1100));
  }
  EXPECT_EQ(m_cache->get(owner, t)->records[0].data, "secure");
  EXPECT_EQ(m_cache->stats().rejected_by_rank, 5u);
  // Another secure write replaces it.
  EXPECT_TRUE(m_cache->put(owner, t, rrset(owner, rank::secure, 1200, 300, "secure2"), 1200));
  EXPECT_EQ(m_cache->get(owner, t)->records[0].data, "secure2");
  // Once expired, anything replaces it.
  EXPECT_TRUE(m_cache->put(owner, t, rrset(owner, rank::glue, 1600, 300, "glue"), 1600));
  EXPECT_EQ(m_cache->get(owner, t)->rank, rank::glue);
  // Equal or higher rank replaces unexpired data; lower does not.
  EXPECT_TRUE(m_cache->put(owner, t, rrset(owner, rank::glue, 1601, 300, "glue2"), 1601));
  EXPECT_TRUE(m_cache->put(owner, t, rrset(owner, rank::auth, 1602, 300, "auth"), 1602));
  EXPECT_FALSE(m_cache->put(owner, t, rrset(owner, rank::nonauth, 1603, 300, "x"), 1603));
  EXPECT_EQ(m_cache->get(owner, t)->records[0].data, "auth");
}

TEST_F(CachePolicy, TtlClamps) {
  const auto owner = id("a.provx.");
  ASSERT_TRUE(m_cache->put(owner, record::rtype::addr, rrset(owner, rank::auth, 1, 999'999), 1));
  EXPECT_EQ(m_cache->get(owner, record::rtype::addr)->ttl, 86'400u);
  cache_entry neg = rrset(owner, rank::auth, 1, 86'400);
  neg.kind = entry_kind::nodata;
  ASSERT_TRUE(m_cache->put(owner, record::rtype::txt, neg, 1));
  EXPECT_EQ(m_cache->get(owner, record::rtype::txt)->ttl, 3'600u);
  neg.kind = entry_kind::nxdomain;
  ASSERT_TRUE(m_cache->put(owner, record::rtype::none, neg, 1));
  EXPECT_EQ(m_cache->get(owner, record::rtype::none)->ttl, 3'600u);
  cache_entry bogus = rrset(owner, rank::bogus, 1, 3000);
  bogus.state = security::bogus;
  ASSERT_TRUE(m_cache->put(owner, record::rtype::ep, bogus, 1));
  EXPECT_EQ(m_cache->get(owner, record::rtype::ep)->ttl, 60u);
  // Short TTLs stay as they are (min_ttl is 0 by default); the records' own TTLs untouched.
  ASSERT_TRUE(m_cache->put(owner, record::rtype::state, rrset(owner, rank::auth, 1, 5), 1));
  EXPECT_EQ(m_cache->get(owner, record::rtype::state)->ttl, 5u);
  EXPECT_EQ(m_cache->get(owner, record::rtype::addr)->records[0].ttl, 999'999u);
}

TEST_F(CachePolicy, ConfiguredClamps) {
  lmdb_cache_options o;
  o.dir = m_dir + "/other";
  o.limits.max_ttl = 100;
  o.limits.min_ttl = 10;
  o.limits.max_negative_ttl = 20;
  auto c = lmdb_cache::open(o);
  const auto owner = id("a.");
  ASSERT_TRUE(c->put(owner, record::rtype::addr, rrset(owner, rank::auth, 1, 1000), 1));
  ASSERT_TRUE(c->put(owner, record::rtype::ep, rrset(owner, rank::auth, 1, 1), 1));
  EXPECT_EQ(c->get(owner, record::rtype::addr)->ttl, 100u);
  EXPECT_EQ(c->get(owner, record::rtype::ep)->ttl, 10u);
}

TEST_F(CachePolicy, FlushNameAndSubtree) {
  const auto zone = id("provx.cn-north.");
  std::vector<name::identifier> names = {zone,
                                         id("a.provx.cn-north."),
                                         id("b.a.provx.cn-north."),
                                         id("c.provx.cn-north."),
                                         id("provx-2.cn-north."),
                                         id("cn-north.")};
  for (const auto& n : names) {
    for (auto t : {record::rtype::addr, record::rtype::ns, record::rtype::desc}) {
      ASSERT_TRUE(m_cache->put(n, t, rrset(n, rank::auth, 1, 300), 1));
    }
  }
  ASSERT_TRUE(m_cache->put(id("a.provx.cn-north."), record::rtype::nsec,
                           nsec_entry(id("a.provx.cn-north."), id("c.provx.cn-north."), zone, 1),
                           1));
  // One name, every type (its NSEC in the zone's range too); not the names below it.
  EXPECT_EQ(m_cache->flush(id("a.provx.cn-north."), false), 5u);
  EXPECT_FALSE(m_cache->get(id("a.provx.cn-north."), record::rtype::ns));
  EXPECT_FALSE(m_cache->nsec_at_or_before(zone, id("a.provx.cn-north.")));
  EXPECT_TRUE(m_cache->get(id("b.a.provx.cn-north."), record::rtype::ns));
  // A subtree: the zone and all below it, nothing beside or above it.
  EXPECT_EQ(m_cache->flush(zone, true), 9u);
  for (const auto& n : {zone, id("b.a.provx.cn-north."), id("c.provx.cn-north.")}) {
    EXPECT_FALSE(m_cache->get(n, record::rtype::addr)) << n.text();
  }
  EXPECT_TRUE(m_cache->get(id("provx-2.cn-north."), record::rtype::addr));
  EXPECT_TRUE(m_cache->get(id("cn-north."), record::rtype::desc));
  EXPECT_EQ(m_cache->stats().entries, 6u);
  EXPECT_EQ(m_cache->flush(id("nothing.here."), true), 0u);
  // The root's subtree is everything (its key is empty: LMDB takes no empty key).
  EXPECT_EQ(m_cache->flush(id("."), true), 6u);
  EXPECT_FALSE(m_cache->get(id("cn-north."), record::rtype::desc));
}

TEST_F(CachePolicy, NsecAtOrBefore) {
  const auto zone = id("provx.cn-north.");
  const auto a = id("a.provx.cn-north."), m = id("m.provx.cn-north."),
             mx = id("x.m.provx.cn-north.");
  ASSERT_TRUE(m_cache->put(zone, record::rtype::nsec, nsec_entry(zone, a, zone, 1), 1));
  ASSERT_TRUE(m_cache->put(a, record::rtype::nsec, nsec_entry(a, m, zone, 1), 1));
  ASSERT_TRUE(m_cache->put(m, record::rtype::nsec, nsec_entry(m, mx, zone, 1), 1));
  ASSERT_TRUE(m_cache->put(mx, record::rtype::nsec, nsec_entry(mx, zone, zone, 1), 1));
  // The parent zone's NSEC at the delegation point and a child zone's are other ranges.
  const auto parent = id("cn-north.");
  ASSERT_TRUE(
      m_cache->put(zone, record::rtype::nsec, nsec_entry(zone, id("zz.cn-north."), parent, 1), 1));
  ASSERT_TRUE(m_cache->put(id("sub.c.provx.cn-north."), record::rtype::nsec,
                           nsec_entry(id("sub.c.provx.cn-north."), id("sub.c.provx.cn-north."),
                                      id("c.provx.cn-north."), 1),
                           1));
  // An unsigned NSEC is cached but not indexed.
  cache_entry unsigned_nsec = nsec_entry(id("d.provx.cn-north."), m, zone, 1);
  unsigned_nsec.records.pop_back();
  ASSERT_TRUE(m_cache->put(id("d.provx.cn-north."), record::rtype::nsec, unsigned_nsec, 1));

  auto owner_of = [&](std::string_view n) -> std::string {
    auto e = m_cache->nsec_at_or_before(zone, id(n));
    if (!e) return "none";
    EXPECT_EQ(e->records.size(), 2u);
    EXPECT_EQ(e->records[1].type, record::rtype::sig);
    return e->records[0].owner.text();
  };
  EXPECT_EQ(owner_of("provx.cn-north."), "provx.cn-north.");
  EXPECT_EQ(owner_of("0.provx.cn-north."), "provx.cn-north.");
  EXPECT_EQ(owner_of("a.provx.cn-north."), "a.provx.cn-north.");
  EXPECT_EQ(owner_of("b.a.provx.cn-north."), "a.provx.cn-north.");
  EXPECT_EQ(owner_of("d.provx.cn-north."), "a.provx.cn-north.");
  EXPECT_EQ(owner_of("x.c.provx.cn-north."), "a.provx.cn-north.");
  EXPECT_EQ(owner_of("m.provx.cn-north."), "m.provx.cn-north.");
  EXPECT_EQ(owner_of("a.m.provx.cn-north."), "m.provx.cn-north.");
  EXPECT_EQ(owner_of("z.x.m.provx.cn-north."), "x.m.provx.cn-north.");
  EXPECT_EQ(owner_of("zzz.provx.cn-north."), "x.m.provx.cn-north.");
  EXPECT_FALSE(m_cache->nsec_at_or_before(zone, id("provx-2.cn-north.")));  // not in the zone
  auto p = m_cache->nsec_at_or_before(parent, id("q.provx.cn-north."));
  ASSERT_TRUE(p);
  EXPECT_EQ(record::nsec::decode(p->records[0].data)->next, id("zz.cn-north."));
  EXPECT_FALSE(m_cache->nsec_at_or_before(id("other."), id("a.other.")));
}

TEST_F(CachePolicy, ConcurrentReadersAndWriter) {
  const auto owner = id("a.provx.");
  ASSERT_TRUE(m_cache->put(owner, record::rtype::addr, rrset(owner, rank::auth, 1, 300), 1));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        auto e = m_cache->get(owner, record::rtype::addr);
        if (!e || e->records.size() != 1) ++bad;
      }
    });
  }
  for (std::uint32_t i = 2; i < 300; ++i) {
    const auto n = id(fmt::format("n{}.provx.", i));
    ASSERT_TRUE(m_cache->put(n, record::rtype::addr, rrset(n, rank::auth, i, 300), i));
    ASSERT_TRUE(m_cache->put(owner, record::rtype::addr, rrset(owner, rank::auth, i, 300), i));
  }
  // The writer can finish before the readers were scheduled: let them read (bounded).
  for (int i = 0; i < 2000 && m_cache->stats().hits == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(m_cache->stats().hits, 0u);
}

}  // namespace
}  // namespace cidns::resolve
