// The zone journal on a real LMDB file in a temporary directory: append / since / all across
// reopen, gaps refused, dropping, zones kept apart, usage and limits, serial wrap-around, and
// damaged files reported rather than crashing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cidns/record/data.hpp"
#include "cidns/store/changeset_codec.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/store/schema.hpp"

namespace cidns::store {
namespace {

namespace fs = std::filesystem;
using record::changeset;
using record::rr;
using record::rtype;

rr soa_rr(std::string_view zone, std::uint32_t serial) {
  const auto apex = *name::identifier::parse(zone);
  record::soa s{*apex.child("ns1"), *apex.child("admin"), serial, 3600, 600, 86400, 300};
  return rr{apex, rtype::soa, 3600, s.encode()};
}

rr txt_rr(std::string_view owner, std::string text) {
  return rr{*name::identifier::parse(owner), rtype::txt, 60,
            record::txt{{std::move(text)}}.encode()};
}

// from -> to in `zone`: the SOAs, and a TXT at www that says which version it belongs to.
changeset step(std::string_view zone, std::uint32_t from, std::uint32_t to) {
  const std::string www = "www." + std::string(zone);
  changeset c;
  c.from = from;
  c.to = to;
  c.removed = {soa_rr(zone, from), txt_rr(www, std::to_string(from))};
  c.added = {soa_rr(zone, to), txt_rr(www, std::to_string(to))};
  return c;
}

std::vector<changeset> steps(std::string_view zone, std::initializer_list<std::uint32_t> serials) {
  std::vector<changeset> out;
  for (auto it = serials.begin(); it + 1 != serials.end(); ++it) {
    out.push_back(step(zone, *it, *(it + 1)));
  }
  return out;
}

class Journal : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cidns-journal-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_root = tmpl;
    m_dir = m_root / "journal";
  }
  void TearDown() override { fs::remove_all(m_root); }

  journal open() { return journal::open(m_dir, 16 << 20); }
  void append_all(journal& j, std::string_view zone, const std::vector<changeset>& cs) {
    for (const auto& c : cs) {
      auto ok = j.append(zone, c);
      ASSERT_TRUE(ok.ok()) << ok.err().message;
    }
  }
  // Writes `value` under `key` of database `db` with raw LMDB (the journal must be closed).
  void raw_put(const char* db, std::string_view key, std::string_view value) {
    env_options o;
    o.max_dbs = 4;
    env e = env::open(m_dir.string(), o);
    auto t = txn::begin(e, txn::mode::read_write);
    t.put(t.open_dbi(db, false), key, value);
    t.commit();
  }
  static std::string key(std::string_view zone, std::uint64_t seq) {
    std::string k(zone);
    k.push_back('\0');
    for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(seq >> (8 * i)));
    return k;
  }

  fs::path m_root, m_dir;
};

TEST_F(Journal, OpenCreatesThePrivateDirectory) {
  m_dir = m_root / "a" / "b";
  { auto j = open(); }
  struct stat st {};
  ASSERT_EQ(::stat(m_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  EXPECT_TRUE(fs::exists(m_dir / "data.mdb"));
  auto j = open();
  EXPECT_TRUE(j.zones().empty());
  EXPECT_EQ(j.usage("ex."), journal_usage{});
}

TEST_F(Journal, OpenFailuresNameThePath) {
  std::ofstream(m_root / "file") << "x";
  try {
    (void)journal::open(m_root / "file");
    FAIL() << "opened a plain file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((m_root / "file").string()), std::string::npos)
        << e.what();
  }
}

TEST_F(Journal, FormatVersionMismatchThrows) {
  { auto j = open(); }
  const char v[4] = {0, 0, 0, 99};
  raw_put("meta", format_version_key, std::string_view(v, 4));
  try {
    (void)open();
    FAIL() << "opened another format";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("format version"), std::string::npos) << e.what();
  }
}

TEST_F(Journal, AppendSinceAndAllAcrossReopen) {
  const auto cs = steps("ex.", {1, 2, 3, 4});
  {
    auto j = open();
    append_all(j, "ex.", cs);
  }
  auto j = open();
  EXPECT_EQ(j.all("ex."), cs);
  EXPECT_EQ(j.since("ex.", 1), cs);
  EXPECT_EQ(j.since("ex.", 3), std::vector<changeset>(cs.begin() + 2, cs.end()));
  EXPECT_EQ(j.since("ex.", 4), std::vector<changeset>{});  // latest
  EXPECT_EQ(j.since("ex.", 0), std::nullopt);              // before the journal
  EXPECT_EQ(j.since("ex.", 7), std::nullopt);              // never seen
  EXPECT_EQ(j.since("other.", 1), std::nullopt);
  const journal_usage u = j.usage("ex.");
  EXPECT_EQ(u.changesets, 3U);
  EXPECT_EQ(u.first, 1U);
  EXPECT_EQ(u.last, 4U);
  std::uint64_t bytes = 0;
  for (const auto& c : cs) bytes += encode_changeset(c).size() + 3 + 1 + 8;
  EXPECT_EQ(u.bytes, bytes);
  EXPECT_EQ(j.zones(), std::vector<std::string>{"ex."});

  // A reopened journal keeps appending where it left off.
  ASSERT_TRUE(j.append("ex.", step("ex.", 4, 5)).ok());
  auto k = std::move(j);
  EXPECT_EQ(k.since("ex.", 4)->size(), 1U);
  EXPECT_EQ(k.all("ex.").size(), 4U);
}

TEST_F(Journal, GapsAndMalformedChangesetsAreRefused) {
  auto j = open();
  ASSERT_TRUE(j.append("ex.", step("ex.", 1, 2)).ok());
  auto gap = j.append("ex.", step("ex.", 3, 4));
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.err().message.find("does not follow"), std::string::npos) << gap.err().message;

  EXPECT_FALSE(j.append("ex.", step("ex.", 2, 2)).ok());           // serial not after
  EXPECT_FALSE(j.append("ex.", step("ex.", 2, 0x90000000)).ok());  // not after either
  EXPECT_FALSE(j.append("EX.", step("ex.", 2, 3)).ok());           // not canonical
  EXPECT_FALSE(j.append("ex", step("ex.", 2, 3)).ok());
  EXPECT_FALSE(j.append("other.", step("ex.", 2, 3)).ok());  // SOA of another zone
  changeset c = step("ex.", 2, 3);
  c.added[0] = soa_rr("ex.", 4);  // SOA serial differs from `to`
  EXPECT_FALSE(j.append("ex.", c).ok());
  c = step("ex.", 2, 3);
  c.removed.erase(c.removed.begin());  // no old SOA
  EXPECT_FALSE(j.append("ex.", c).ok());
  c = step("ex.", 2, 3);
  c.added.push_back(
      rr{*name::identifier::parse("ex."), rtype::txt, 1, std::string(max_record_data + 1, 'a')});
  EXPECT_FALSE(j.append("ex.", c).ok());

  EXPECT_EQ(j.usage("ex.").changesets, 1U);
  EXPECT_EQ(j.usage("ex.").last, 2U);
  EXPECT_TRUE(j.append("ex.", step("ex.", 2, 3)).ok());
}

TEST_F(Journal, DropThrough) {
  auto j = open();
  const auto cs = steps("ex.", {1, 2, 3, 4, 5});
  append_all(j, "ex.", cs);
  const std::uint64_t before = j.usage("ex.").bytes;
  j.drop_through("ex.", 3);
  EXPECT_EQ(j.all("ex."), std::vector<changeset>(cs.begin() + 2, cs.end()));
  EXPECT_EQ(j.since("ex.", 1), std::nullopt);
  EXPECT_EQ(j.since("ex.", 3)->size(), 2U);
  journal_usage u = j.usage("ex.");
  EXPECT_EQ(u.changesets, 2U);
  EXPECT_EQ(u.first, 3U);
  EXPECT_EQ(u.last, 5U);
  EXPECT_LT(u.bytes, before);

  j.drop_through("ex.", 2);  // nothing ends at or before 2 any more
  EXPECT_EQ(j.usage("ex.").changesets, 2U);

  j.drop_through("ex.", 5);  // everything: the zone keeps its last serial
  u = j.usage("ex.");
  EXPECT_EQ(u, (journal_usage{0, 0, 5, 5}));
  EXPECT_TRUE(j.all("ex.").empty());
  EXPECT_EQ(j.since("ex.", 5), std::vector<changeset>{});
  EXPECT_EQ(j.since("ex.", 3), std::nullopt);
  EXPECT_TRUE(j.zones().empty());
  EXPECT_FALSE(j.append("ex.", step("ex.", 6, 7)).ok());  // still a gap
  ASSERT_TRUE(j.append("ex.", step("ex.", 5, 6)).ok());
  u = j.usage("ex.");
  EXPECT_EQ(u.changesets, 1U);
  EXPECT_EQ(u.first, 5U);
  EXPECT_EQ(u.last, 6U);
  EXPECT_EQ(j.since("ex.", 5), steps("ex.", {5, 6}));
}

TEST_F(Journal, DropThroughASerialNoChangesetEndsAt) {
  auto j = open();
  append_all(j, "ex.", steps("ex.", {10, 20, 30, 40}));
  j.drop_through("ex.", 25);  // 10->20 ends before 25, 20->30 after it
  EXPECT_EQ(j.usage("ex.").first, 20U);
  EXPECT_EQ(j.usage("ex.").changesets, 2U);
  j.drop_through("ex.", 5);  // before everything
  EXPECT_EQ(j.usage("ex.").changesets, 2U);
}

TEST_F(Journal, ZonesAreKeptApart) {
  auto j = open();
  // "a." + 0x00 sorts before "a.b.": the prefixes never overlap.
  for (std::uint32_t s = 1; s < 4; ++s) {
    for (auto zone : {"a.b.", "a.", "b."}) ASSERT_TRUE(j.append(zone, step(zone, s, s + 1)).ok());
  }
  EXPECT_EQ(j.zones(), (std::vector<std::string>{"a.", "a.b.", "b."}));
  for (auto zone : {"a.", "a.b.", "b."}) {
    EXPECT_EQ(j.all(zone), steps(zone, {1, 2, 3, 4})) << zone;
    EXPECT_EQ(j.usage(zone).changesets, 3U);
  }
  j.drop_zone("a.");
  EXPECT_TRUE(j.all("a.").empty());
  EXPECT_EQ(j.usage("a."), journal_usage{});
  EXPECT_EQ(j.since("a.", 4), std::nullopt);
  EXPECT_EQ(j.all("a.b."), steps("a.b.", {1, 2, 3, 4}));
  EXPECT_EQ(j.zones(), (std::vector<std::string>{"a.b.", "b."}));
  // A dropped zone starts over from any serial.
  ASSERT_TRUE(j.append("a.", step("a.", 100, 101)).ok());
  EXPECT_EQ(j.usage("a.").first, 100U);
  j.drop_through("b.", 4);
  EXPECT_EQ(j.all("a.b.").size(), 3U);
}

TEST_F(Journal, UsageAndLimits) {
  auto j = open();
  append_all(j, "ex.", steps("ex.", {1, 2, 3}));
  const journal_usage u = j.usage("ex.");
  EXPECT_FALSE(j.over("ex.", journal_limits{}));
  EXPECT_FALSE(j.over("ex.", journal_limits{u.bytes, 2}));
  EXPECT_TRUE(j.over("ex.", journal_limits{u.bytes - 1, 2}));
  EXPECT_TRUE(j.over("ex.", journal_limits{u.bytes, 1}));
  EXPECT_FALSE(j.over("none.", journal_limits{0, 0}));
  ASSERT_TRUE(j.append("ex.", step("ex.", 3, 4)).ok());
  EXPECT_TRUE(j.over("ex.", journal_limits{u.bytes * 10, 2}));
  EXPECT_GT(j.usage("ex.").bytes, u.bytes);
}

TEST_F(Journal, SerialWrapAround) {
  const std::uint32_t top = 0xffffffff;
  const auto cs = steps("ex.", {top - 1, top, record::next_serial(top), 2});
  ASSERT_EQ(cs[1].to, 1U);
  {
    auto j = open();
    append_all(j, "ex.", cs);
  }
  auto j = open();
  EXPECT_EQ(j.all("ex."), cs);
  EXPECT_EQ(j.since("ex.", top - 1), cs);
  EXPECT_EQ(j.since("ex.", top)->size(), 2U);
  EXPECT_EQ(j.since("ex.", 1)->size(), 1U);
  EXPECT_EQ(j.usage("ex."), (journal_usage{3, j.usage("ex.").bytes, top - 1, 2}));
  j.drop_through("ex.", 0);  // no changeset ends at 0; top-1 -> top ends before it
  EXPECT_EQ(j.usage("ex.").first, top);
  j.drop_through("ex.", 1);
  EXPECT_EQ(j.all("ex."), std::vector<changeset>{cs[2]});
}

TEST_F(Journal, CorruptedValueIsReported) {
  {
    auto j = open();
    append_all(j, "ex.", steps("ex.", {1, 2, 3}));
    append_all(j, "b.", steps("b.", {1, 2}));
  }
  raw_put("changesets", key("ex.", 1), "\x01garbage-that-is-not-a-changeset");
  auto j = open();
  auto expect_corrupt = [](auto&& call) {
    try {
      call();
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("corrupted journal"), std::string::npos) << what;
      EXPECT_NE(what.find("ex."), std::string::npos) << what;
    }
  };
  expect_corrupt([&] { (void)j.all("ex."); });
  expect_corrupt([&] { (void)j.since("ex.", 1); });
  EXPECT_EQ(j.usage("ex.").changesets, 2U);  // the entry is intact
  EXPECT_EQ(j.all("b.").size(), 1U);         // other zones are unaffected
  j.drop_zone("ex.");                        // the way out
  EXPECT_TRUE(j.all("ex.").empty());
}

TEST_F(Journal, CorruptedChainAndEntryAreReported) {
  {
    auto j = open();
    append_all(j, "ex.", steps("ex.", {1, 2, 3}));
  }
  // A well-formed changeset that does not follow its predecessor, then a truncated value.
  raw_put("changesets", key("ex.", 1), encode_changeset(step("ex.", 7, 8)));
  {
    auto j = open();
    EXPECT_THROW((void)j.all("ex."), std::runtime_error);
    EXPECT_THROW(j.drop_through("ex.", 2), std::runtime_error);
  }
  raw_put("changesets", key("ex.", 1), "");
  {
    auto j = open();
    EXPECT_THROW((void)j.since("ex.", 1), std::runtime_error);
  }
  raw_put("zones", "ex.", "short");
  auto j = open();
  EXPECT_THROW((void)j.usage("ex."), std::runtime_error);
  EXPECT_THROW((void)j.zones(), std::runtime_error);
  EXPECT_THROW((void)j.append("ex.", step("ex.", 3, 4)), std::runtime_error);
}

TEST_F(Journal, MapFullIsAnErrorValue) {
  auto j = journal::open(m_dir, 1 << 20);
  std::uint32_t serial = 1;
  bool full = false;
  for (int i = 0; i < 64 && !full; ++i, ++serial) {
    changeset c = step("ex.", serial, serial + 1);
    c.added.push_back(txt_rr("big.ex.", std::string(60000, 'x')));
    auto ok = j.append("ex.", c);
    if (!ok) {
      EXPECT_NE(ok.err().message.find("full"), std::string::npos) << ok.err().message;
      full = true;
    }
  }
  EXPECT_TRUE(full);
  EXPECT_EQ(j.all("ex.").size(), serial - 2);  // the refused one left nothing behind
}

}  // namespace
}  // namespace cidns::store
