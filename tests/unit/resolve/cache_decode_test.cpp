// Robustness of the cache-value decoder: random and mutated bytes as stored values never
// crash and come back as absent (a fuzz-style unit test; tests/fuzz has no LMDB). Also the
// whole path: garbage written into a real cache file, then read through lmdb_cache::get.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "cache_codec.hpp"
#include "cidns/resolve/lmdb_cache.hpp"
#include "cidns/store/keys.hpp"
#include "cidns/store/txn.hpp"

namespace cidns::resolve {

// cache.hpp gives cache_entry no operator==; the same inline definition in each test file.
inline bool operator==(const cache_entry& a, const cache_entry& b) {
  return a.kind == b.kind && a.rank == b.rank && a.state == b.state && a.stored == b.stored &&
         a.ttl == b.ttl && a.records == b.records && a.proof == b.proof && a.reason == b.reason;
}

namespace {

const name::identifier owner = *name::identifier::parse("h1.pool1.provx.cn-north.");

cache_entry sample() {
  cache_entry e;
  e.kind = entry_kind::nodata;
  e.rank = rank::secure;
  e.state = security::secure;
  e.stored = 123456;
  e.ttl = 77;
  e.reason = "why";
  e.records = {{owner, record::rtype::desc, 60, "abc"}};
  e.proof = {{*name::identifier::parse("provx.cn-north."), record::rtype::soa, 60, "soa"},
             {owner, record::rtype::nsec, 60, std::string(200, 'n')}};
  return e;
}

TEST(CacheDecode, RoundTripAndExactLength) {
  std::string v;
  detail::encode_entry(v, sample(), owner);
  EXPECT_EQ(detail::decode_entry(v, owner), sample());
  EXPECT_FALSE(detail::decode_entry(v + "x", owner));  // trailing bytes
  for (std::size_t n = 0; n < v.size(); ++n) {
    EXPECT_FALSE(detail::decode_entry(v.substr(0, n), owner)) << n;
  }
}

TEST(CacheDecode, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  std::size_t decoded = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string v(rng() % 64, '\0');
    for (auto& c : v) c = static_cast<char>(rng());
    if (i % 2 == 0 && !v.empty()) v[0] = static_cast<char>(detail::value_format);
    if (detail::decode_entry(v, owner)) ++decoded;
    (void)detail::decode_header(v);
  }
  EXPECT_LT(decoded, 200u);  // a valid encoding by chance is rare
}

TEST(CacheDecode, MutatedValuesNeverCrash) {
  std::string good;
  detail::encode_entry(good, sample(), owner);
  std::mt19937 rng(99);
  for (int i = 0; i < 20'000; ++i) {
    std::string v = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t pos = rng() % v.size();
      switch (rng() % 3) {
        case 0:
          v[pos] = static_cast<char>(rng());
          break;
        case 1:
          v.erase(pos, 1 + rng() % 8);
          break;
        default:
          v.insert(pos, 1, static_cast<char>(rng()));
          break;
      }
      if (v.empty()) v = "x";
    }
    auto e = detail::decode_entry(v, owner);
    if (e) {  // whatever decodes re-encodes to the same bytes
      std::string again;
      detail::encode_entry(again, *e, owner);
      EXPECT_EQ(again, v);
    }
  }
  // Huge counts and lengths are refused before any allocation.
  std::string huge = good.substr(0, detail::header_size);
  huge += std::string("\xff\xff\xff\xff\x0f", 5);
  EXPECT_FALSE(detail::decode_entry(huge, owner));
}

TEST(CacheDecode, GarbageInTheFileIsAbsent) {
  char tmpl[] = "/tmp/cidns-cache-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  struct remover {
    std::string path;
    ~remover() { std::filesystem::remove_all(path); }
  } cleanup{tmpl};
  const std::string dir = std::string(tmpl) + "/cache";
  lmdb_cache_options o;
  o.dir = dir;
  o.max_size = 8 << 20;
  { auto c = lmdb_cache::open(o); }
  std::mt19937 rng(5);
  {
    store::env_options eo;
    eo.max_dbs = 4;
    auto e = store::env::open(dir, eo);
    auto t = store::txn::begin(e, store::txn::mode::read_write);
    auto entries = t.open_dbi("entries", false);
    for (std::uint16_t type = 1; type < 500; ++type) {
      std::string v(rng() % 100, '\0');
      for (auto& c : v) c = static_cast<char>(rng());
      if (type % 2 == 0 && !v.empty()) v[0] = static_cast<char>(detail::value_format);
      t.put(entries, store::entry_key(owner, static_cast<record::rtype>(type)), v);
    }
    t.commit();
  }
  auto c = lmdb_cache::open(o);
  std::size_t present = 0;
  for (std::uint16_t type = 1; type < 500; ++type) {
    present += c->get(owner, static_cast<record::rtype>(type)).has_value();
  }
  EXPECT_LT(present, 5u);
  // Garbage is replaced by a good write of any rank.
  cache_entry e = sample();
  e.rank = rank::glue;
  EXPECT_TRUE(c->put(owner, record::rtype::soa, e, 1));
  EXPECT_EQ(c->get(owner, record::rtype::soa)->rank, rank::glue);
  c.reset();
}

}  // namespace
}  // namespace cidns::resolve
