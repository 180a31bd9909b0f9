// Cache key encoding: canonical order, a zone's names adjacent, round trips (keys.hpp).
#include "cidns/store/keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace cidns::store {
namespace {

name::identifier id(std::string_view text) { return *name::identifier::parse(text); }

TEST(StoreKeys, EntryKeyLayout) {
  const std::string k = entry_key(id("b.a."), record::rtype::desc);
  EXPECT_EQ(k, std::string("a\0b\0\0E\0\x06", 8));
  EXPECT_EQ(entry_key(id("."), record::rtype::ns), std::string("\0E\0\x02", 4));
  // The type is big-endian: 256 sorts after 255 and after 2.
  EXPECT_LT(entry_key(id("a."), record::rtype::ns), entry_key(id("a."), record::rtype::resource));
  EXPECT_LT(entry_key(id("a."), record::rtype::resource),
            entry_key(id("a."), static_cast<record::rtype>(256)));
}

TEST(StoreKeys, BytewiseOrderIsCanonicalOrder) {
  std::vector<name::identifier> names;
  for (auto t : {"cn-north.", "provx.cn-north.", "a.provx.cn-north.", "z.provx.cn-north.",
                 "b.a.provx.cn-north.", "provy.cn-north.", "provx-1.cn-north.", "cn-south.", "a.",
                 "zz.", ".", "*.provx.cn-north.", "-.cn-north.", "0.cn-north."}) {
    names.push_back(id(t));
  }
  auto by_key = names;
  std::sort(by_key.begin(), by_key.end(), [](const auto& a, const auto& b) {
    return entry_key(a, record::rtype::ns) < entry_key(b, record::rtype::ns);
  });
  auto canonical = names;
  std::sort(canonical.begin(), canonical.end(), name::canonical_less{});
  EXPECT_EQ(by_key, canonical);
}

TEST(StoreKeys, ZoneIsOneContiguousRange) {
  std::vector<std::string> keys;
  for (auto t : {"provx.cn-north.", "a.provx.cn-north.", "x.y.provx.cn-north.", "provx-1.cn-north.",
                 "provw.cn-north.", "cn-north.", "provx.cn-south.", "z.cn-north."}) {
    for (auto type : {record::rtype::ns, record::rtype::desc, record::rtype::resource}) {
      keys.push_back(entry_key(id(t), type));
    }
  }
  std::sort(keys.begin(), keys.end());
  const std::string prefix = subtree_prefix(id("provx.cn-north."));
  std::vector<bool> in;
  for (const auto& k : keys) in.push_back(k.starts_with(prefix));
  const auto first = std::find(in.begin(), in.end(), true);
  const auto last = std::find(in.rbegin(), in.rend(), true).base();
  EXPECT_EQ(std::count(in.begin(), in.end(), true), 9);
  EXPECT_EQ(std::count(first, last, true), 9);  // no key of another name in between
  // The name itself comes before its children.
  EXPECT_EQ(keys[static_cast<std::size_t>(first - in.begin())].substr(prefix.size(), 2),
            std::string("\0E", 2));
}

TEST(StoreKeys, NsecKeysSortByOwnerWithinZone) {
  const auto zone = id("provx.cn-north.");
  EXPECT_LT(nsec_key(zone, zone), nsec_key(zone, id("a.provx.cn-north.")));
  EXPECT_LT(nsec_key(zone, id("a.provx.cn-north.")), nsec_key(zone, id("b.a.provx.cn-north.")));
  EXPECT_LT(nsec_key(zone, id("b.a.provx.cn-north.")), nsec_key(zone, id("b.provx.cn-north.")));
  EXPECT_TRUE(nsec_key(zone, id("a.provx.cn-north.")).starts_with(nsec_zone_prefix(zone)));
  EXPECT_TRUE(nsec_key(zone, id("b.a.provx.cn-north."))
                  .starts_with(nsec_subtree_prefix(zone, id("a.provx.cn-north."))));
  EXPECT_FALSE(nsec_key(zone, id("ab.provx.cn-north."))
                   .starts_with(nsec_subtree_prefix(zone, id("a.provx.cn-north."))));
  // Entry keys and NSEC keys of one zone do not interleave with other names.
  EXPECT_TRUE(nsec_zone_prefix(zone).starts_with(subtree_prefix(zone)));
}

TEST(StoreKeys, DecodeRoundTrip) {
  auto e = decode_key(entry_key(id("h1.pool.provx."), record::rtype::ep));
  ASSERT_TRUE(e) << e.err().message;
  EXPECT_EQ(e->tag, key_tag::entry);
  EXPECT_EQ(e->owner, id("h1.pool.provx."));
  EXPECT_EQ(e->type, record::rtype::ep);
  auto root = decode_key(entry_key(id("."), record::rtype::ns));
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->owner.is_root());
  auto n = decode_key(nsec_key(id("provx."), id("h1.pool.provx.")));
  ASSERT_TRUE(n) << n.err().message;
  EXPECT_EQ(n->tag, key_tag::nsec);
  EXPECT_EQ(n->name, id("provx."));
  EXPECT_EQ(n->owner, id("h1.pool.provx."));
  auto apex = decode_key(nsec_key(id("provx."), id("provx.")));
  ASSERT_TRUE(apex);
  EXPECT_EQ(apex->owner, id("provx."));
}

TEST(StoreKeys, DecodeRejectsGarbage) {
  for (std::string k :
       {std::string(), std::string("abc"), std::string("a\0", 2), std::string("a\0\0X\0\1", 6),
        std::string("a\0\0E\0", 5), std::string("A\0\0E\0\1", 6), std::string("a.b\0\0E\0\1", 8)}) {
    EXPECT_FALSE(decode_key(k)) << "key of " << k.size() << " bytes";
  }
}

}  // namespace
}  // namespace cidns::store
