// Aggressive use of cached NSEC (DESIGN §6, RFC 8198 analogue): once a secure denial in
// provx.cn-north. has put its validated NSEC records in the cache, another name those records
// deny is answered NXDOMAIN (or NODATA), secure, with no upstream query; over the in-memory
// cache (with an NSEC index kept here) and over the LMDB cache.
#include <cstdlib>
#include <filesystem>

#include "cidns/resolve/lmdb_cache.hpp"
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

// The in-memory cache with what nsec_at_or_before needs: NSEC entries indexed by the zone of
// their SIG's signer, in canonical order (as the LMDB cache keeps them).
class nsec_memory_cache final : public cache {
 public:
  std::optional<cache_entry> get(const name::identifier& owner, record::rtype type) override {
    return m_base.get(owner, type);
  }
  bool put(const name::identifier& owner, record::rtype type, const cache_entry& e,
           std::uint32_t now) override {
    if (!m_base.put(owner, type, e, now)) return false;
    if (type != rtype::nsec) return true;
    for (const auto& r : e.records) {
      if (r.type != rtype::sig) continue;
      auto s = record::sig::decode(r.data);
      if (s && s->type_covered == rtype::nsec && owner.is_part_of(s->signer)) {
        m_nsec[s->signer.key()].insert_or_assign(owner, *m_base.peek(owner, type));
      }
    }
    return true;
  }
  std::optional<cache_entry> nsec_at_or_before(const name::identifier& zone,
                                               const name::identifier& name) override {
    auto z = m_nsec.find(zone.key());
    if (z == m_nsec.end()) return std::nullopt;
    auto it = z->second.upper_bound(name);
    if (it == z->second.begin()) return std::nullopt;
    return std::prev(it)->second;
  }
  std::uint64_t flush(const name::identifier& n, bool subtree) override {
    return m_base.flush(n, subtree);
  }
  cache_stats stats() const override { return m_base.stats(); }

 private:
  memory_cache m_base;
  std::map<std::string, std::map<name::identifier, cache_entry, name::canonical_less>> m_nsec;
};

class ScenarioAggressive : public scenario {
 protected:
  void SetUp() override {
    scenario::SetUp();
    m_external = &m_nsec_cache;
  }
  void TearDown() override {
    m_engine.reset();
    m_external = nullptr;
    m_lmdb.reset();
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
  }
  void use_lmdb() {
    std::string tmpl = std::filesystem::temp_directory_path() / "cidns-aggressive-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
    lmdb_cache_options o;
    o.dir = m_dir;
    m_lmdb = lmdb_cache::open(o);
    m_external = m_lmdb.get();
  }

  // One NXDOMAIN from upstream, then names the same NSEC records deny, from the cache only.
  void nxdomain_then_covered_names() {
    auto a = resolve("nothere.provx.cn-north.", rtype::desc, wire::flag::do_);
    ASSERT_EQ(a.reply.rcode, wire::rcode::nxdomain) << error_text(a);
    ASSERT_EQ(a.state, security::secure);
    const auto sent = m_sent.size();
    for (std::string_view name : {"nope.provx.cn-north.", "maybe.provx.cn-north."}) {
      auto b = resolve(name, rtype::resource, wire::flag::do_);
      EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain) << name << ": " << error_text(b);
      EXPECT_EQ(b.state, security::secure) << name;
      EXPECT_TRUE(b.reply.has_flag(wire::flag::ad)) << name;
      EXPECT_EQ(count(b.reply.authority, rtype::nsec), 2U) << name;
      EXPECT_EQ(count(b.reply.authority, rtype::soa), 1U) << name;
      EXPECT_EQ(m_sent.size(), sent) << name << " was asked upstream\n" << trace_text();
    }
    // A name no cached NSEC covers is asked.
    auto c = resolve("zz.provx.cn-north.", rtype::desc, wire::flag::do_);
    EXPECT_EQ(c.reply.rcode, wire::rcode::nxdomain);
    EXPECT_EQ(c.state, security::secure);
    EXPECT_GT(m_sent.size(), sent);
  }

  nsec_memory_cache m_nsec_cache;
  std::unique_ptr<lmdb_cache> m_lmdb;
  std::string m_dir;
};

TEST_F(ScenarioAggressive, CoveredNameIsDeniedFromCachedNsec) { nxdomain_then_covered_names(); }

TEST_F(ScenarioAggressive, CoveredNameIsDeniedFromCachedNsecInLmdb) {
  use_lmdb();
  nxdomain_then_covered_names();
}

TEST_F(ScenarioAggressive, NodataFromTheNameOwnNsec) {
  auto a = resolve("ns1.provx.cn-north.", rtype::desc, wire::flag::do_);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  ASSERT_TRUE(a.reply.answer.empty());
  ASSERT_EQ(a.state, security::secure);
  const auto sent = m_sent.size();
  auto b = resolve("ns1.provx.cn-north.", rtype::ep, wire::flag::ad);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror) << error_text(b);
  EXPECT_TRUE(b.reply.answer.empty());
  EXPECT_EQ(b.state, security::secure);
  EXPECT_TRUE(b.reply.has_flag(wire::flag::ad));
  EXPECT_EQ(m_sent.size(), sent) << trace_text();
  // The NSEC lists ADDR: that type is not denied, it is asked.
  auto c = resolve("ns1.provx.cn-north.", rtype::addr);
  EXPECT_EQ(count(c.reply.answer, rtype::addr), 1U);
  EXPECT_GT(m_sent.size(), sent);
}

TEST_F(ScenarioAggressive, WildcardNamesAreNotDenied) {
  // *.spot exists: a name below spot. is answered from it, never denied by a cached NSEC
  // (r. is denied by the NSEC h100.pool1. -> *.spot.).
  auto a = resolve("r.provx.cn-north.", rtype::desc);
  ASSERT_EQ(a.reply.rcode, wire::rcode::nxdomain);
  auto b = resolve("q.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror) << error_text(b);
  EXPECT_EQ(b.state, security::secure);
  EXPECT_EQ(count(b.reply.answer, rtype::desc), 1U);
}

TEST_F(ScenarioAggressive, CheckingDisabledQuestionsAreNotSynthesised) {
  auto a = resolve("nothere.provx.cn-north.", rtype::desc);
  ASSERT_EQ(a.reply.rcode, wire::rcode::nxdomain);
  const auto sent = m_sent.size();
  auto b = resolve("nope.provx.cn-north.", rtype::desc, wire::flag::cd);
  EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain);
  EXPECT_GT(m_sent.size(), sent);
}

}  // namespace
}  // namespace cidns::resolve::test
