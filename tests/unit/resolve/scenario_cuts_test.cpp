// Zone cuts met by the engine: cuts read back from a warm cache (a restarted engine, or another
// one sharing the cache, starts at the closest known cut with its validated keys), one server
// answering for a zone and a signed zone below it without a referral, and the work cap
// counting the TCP retries of truncated replies.
#include <cstdlib>
#include <filesystem>

#include "cidns/resolve/lmdb_cache.hpp"
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

bool is_provx(const server_address& a) {
  return a == addr("127.0.0.4:5380") || a == addr("127.0.0.5:5380");
}

class ScenarioCuts : public scenario {
 protected:
  void TearDown() override {
    m_engine.reset();
    m_external = nullptr;
    m_lmdb.reset();
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
  }
  lmdb_cache_options lmdb_options() {
    if (m_dir.empty()) {
      std::string tmpl = std::filesystem::temp_directory_path() / "cidns-cuts-XXXXXX";
      const char* d = mkdtemp(tmpl.data());
      EXPECT_NE(d, nullptr);
      m_dir = tmpl;
    }
    lmdb_cache_options o;
    o.dir = m_dir;
    return o;
  }
  // A fresh engine (and with LMDB a reopened cache): what it knows comes from the cache only.
  void restart(bool lmdb) {
    m_engine.reset();
    if (lmdb) {
      m_external = nullptr;
      m_lmdb.reset();
      m_lmdb = lmdb_cache::open(lmdb_options());
      m_external = m_lmdb.get();
    }
    m_sent.clear();
    m_trace.clear();
    m_answers.clear();  // client ids start again in the new engine
  }
  // Learns provx's cut, then asks a new name under it from a restarted engine.
  void warm_then_new_name(bool lmdb) {
    if (lmdb) restart(true);
    auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::do_);
    ASSERT_EQ(a.state, security::secure) << error_text(a);
    restart(lmdb);
    m_now += 5'000;
    auto b = resolve("x7.spot.provx.cn-north.", rtype::desc, wire::flag::do_);
    EXPECT_EQ(b.reply.rcode, wire::rcode::noerror) << error_text(b);
    EXPECT_EQ(b.state, security::secure) << trace_text();
    EXPECT_TRUE(b.reply.has_flag(wire::flag::ad));
    EXPECT_EQ(count(b.reply.answer, rtype::desc), 1U);
    ASSERT_FALSE(m_sent.empty());
    EXPECT_TRUE(is_provx(m_sent.front().to)) << trace_text();
    EXPECT_EQ(m_sent.front().q, (wire::question{id("x7.spot.provx.cn-north."), rtype::desc}));
    for (const auto& s : m_sent) {
      EXPECT_NE(s.q.type, rtype::key) << "KEY refetched: " << s.q.name.text();
      EXPECT_TRUE(is_provx(s.to)) << "asked " << s.to.to_string() << " for " << s.q.name.text();
    }
  }

  std::unique_ptr<lmdb_cache> m_lmdb;
  std::string m_dir;
};

TEST_F(ScenarioCuts, WarmLmdbCacheStartsAtTheKnownCutWithItsKeys) { warm_then_new_name(true); }

TEST_F(ScenarioCuts, WarmMemoryCacheStartsAtTheKnownCutWithItsKeys) { warm_then_new_name(false); }

TEST_F(ScenarioCuts, ProvenUnsignedCutFromTheCacheIsInsecure) {
  auto a = resolve("node.plain.cn-north.", rtype::desc);
  ASSERT_EQ(a.state, security::insecure) << error_text(a);
  restart(false);
  auto b = resolve("other.plain.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain) << error_text(b);
  EXPECT_EQ(b.state, security::insecure);
  ASSERT_FALSE(m_sent.empty());
  EXPECT_EQ(m_sent.front().to, addr("127.0.0.6:5380")) << trace_text();
  EXPECT_EQ(m_sent.size(), 1U) << trace_text();
}

TEST_F(ScenarioCuts, CutWithoutValidatedDsInTheCacheIsNotTrusted) {
  // A CD question stores provx's NS and glue but no validated DS: a validating engine on that
  // cache starts higher up and validates the whole chain.
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::cd);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  restart(false);
  auto b = resolve("x7.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.state, security::secure) << error_text(b);
  ASSERT_FALSE(m_sent.empty());
  EXPECT_EQ(m_sent.front().to, addr("127.0.0.2:5380")) << trace_text();
}

// cn-north's server also serves provx (signed), and cn-north holds a CNAME into provx: its
// replies cross into provx with no referral, signed by provx.
class ScenarioSharedServer : public scenario {
 protected:
  void SetUp() override {
    static const hierarchy h{hierarchy_options{false, "alias CNAME h100.pool1.provx.cn-north.\n"}};
    build(h);
    m_servers.at(addr("127.0.0.3:5380")).registry->publish(h.zones.at("provx.cn-north."));
    m_down = {addr("127.0.0.4:5380"), addr("127.0.0.5:5380")};  // only the shared server
  }
};

TEST_F(ScenarioSharedServer, CnameChainIntoTheOtherZoneIsValidatedWithItsKeys) {
  auto a = resolve("alias.cn-north.", rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a) << "\n" << trace_text();
  EXPECT_EQ(a.state, security::secure) << error_text(a);
  EXPECT_EQ(count(a.reply.answer, rtype::cname), 1U);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(sent_to("127.0.0.4:5380") + sent_to("127.0.0.5:5380"), 0U);
  // The cut found is kept: the next name in provx goes straight to its KEY-validated data.
  const auto before = m_sent.size();
  auto b = resolve("x1.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.state, security::secure) << error_text(b);
  EXPECT_EQ(m_sent.size(), before + 1) << trace_text();
}

TEST_F(ScenarioSharedServer, AnswerFromTheZoneBelowWithoutReferralIsSecure) {
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::resource, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << error_text(a) << "\n" << trace_text();
  EXPECT_EQ(count(a.reply.answer, rtype::ep), 1U);
}

TEST_F(ScenarioSharedServer, DenialFromTheZoneBelowWithoutReferralIsSecure) {
  auto n = resolve("nothere.provx.cn-north.", rtype::desc, wire::flag::do_);
  EXPECT_EQ(n.reply.rcode, wire::rcode::nxdomain) << error_text(n);
  EXPECT_EQ(n.state, security::secure) << error_text(n);
}

TEST_F(ScenarioSharedServer, ForgedSignerBelowTheCutIsBogus) {
  // A SIG claiming a zone below cn-north that is not delegated: no DS and no proof of an
  // unsigned delegation can be had for it.
  m_rewrite = [](const server_address&, wire::message& m, bool) {
    for (auto& r : m.answer) {
      if (r.type != rtype::sig || r.owner != id("alias.cn-north.")) continue;
      auto s = record::sig::decode(r.data).value();
      s.signer = id("alias.cn-north.");
      r.data = s.encode();
    }
  };
  auto a = resolve("alias.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus) << trace_text();
}

TEST_F(ScenarioCuts, TcpRetriesCountTowardTheWorkCap) {
  m_options.max_upstream_per_query = 3;
  m_rewrite = [](const server_address&, wire::message& m, bool tcp) {
    if (!tcp) m.set_flag(wire::flag::tc);
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_NE(error_text(a).find("work cap"), std::string::npos) << error_text(a);
  EXPECT_EQ(m_sent.size(), 3U) << trace_text();
  EXPECT_EQ(eng().stats().work_cap_hits, 1U);
}

}  // namespace
}  // namespace cidns::resolve::test
