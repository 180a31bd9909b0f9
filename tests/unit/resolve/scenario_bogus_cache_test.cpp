// Bogus answers in the cache, and the SIG that decides a wildcard proof: a bogus result is kept
// briefly with its reason (a burst of clients does not re-query upstream), a CD question still
// gets the data, a bogus entry never replaces validated data; only the SIG that verified says
// whether an answer was expanded from a wildcard.
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

const name::identifier& h100() {
  static const name::identifier n = id("h100.pool1.provx.cn-north.");
  return n;
}

bool is_provx(const server_address& a) {
  return a == addr("127.0.0.4:5380") || a == addr("127.0.0.5:5380");
}

bool sig_covers(const record::rr& r, rtype t) {
  if (r.type != rtype::sig) return false;
  auto s = record::sig::decode(r.data);
  return s && s->type_covered == t;
}

// Replaces the SIG over DESC h100.pool1 in provx's answers by one that expired yesterday.
void expire_desc_sig(const hierarchy& h, wire::message& m) {
  std::vector<std::string> datas;
  std::uint32_t ttl = 0;
  for (const auto& r : m.answer) {
    if (r.type == rtype::desc && r.owner == h100()) {
      datas.push_back(r.data);
      ttl = r.ttl;
    }
  }
  if (datas.empty()) return;
  std::erase_if(m.answer, [](const record::rr& r) { return sig_covers(r, rtype::desc); });
  std::vector<std::string_view> views(datas.begin(), datas.end());
  auto sig = dnssec::sign_rrset(h.provx_zsk, id("provx.cn-north."),
                                {h100(), rtype::desc, ttl, views}, t0_s - 10 * 86400, t0_s - 86400);
  m.answer.push_back(record::rr{h100(), rtype::sig, ttl, sig.encode()});
}

class ScenarioBogusCache : public scenario {
 protected:
  void tamper() {
    m_rewrite = [this](const server_address& from, wire::message& m, bool) {
      if (is_provx(from)) expire_desc_sig(*m_h, m);
    };
  }
};

TEST_F(ScenarioBogusCache, BogusIsKeptBrieflyWithItsReason) {
  tamper();
  const std::string reason = "signature expired on DESC h100.pool1.provx.cn-north.";
  auto a = resolve(h100().text(), rtype::desc);
  ASSERT_EQ(a.state, security::bogus);
  ASSERT_EQ(error_text(a), reason);
  const cache_entry* e = m_cache.peek(h100(), rtype::desc);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rank, rank::bogus);
  EXPECT_EQ(e->state, security::bogus);
  EXPECT_EQ(e->reason, reason);
  EXPECT_LE(e->ttl, cache_limits{}.bogus_ttl);
  // A burst of clients: answered from the cache, the same reason, nothing sent.
  const auto sent = m_sent.size();
  for (int i = 0; i < 5; ++i) {
    auto b = resolve(h100().text(), rtype::desc, wire::flag::do_);
    EXPECT_EQ(b.reply.rcode, wire::rcode::servfail);
    EXPECT_EQ(b.state, security::bogus);
    EXPECT_EQ(error_text(b), reason);
  }
  EXPECT_EQ(m_sent.size(), sent);
  // Once it has expired, the question goes upstream again.
  m_now += 1000ULL * (cache_limits{}.bogus_ttl + 1);
  auto c = resolve(h100().text(), rtype::desc);
  EXPECT_EQ(c.state, security::bogus);
  EXPECT_GT(m_sent.size(), sent);
}

TEST_F(ScenarioBogusCache, CheckingDisabledIgnoresTheBogusEntry) {
  tamper();
  auto a = resolve(h100().text(), rtype::desc);
  ASSERT_EQ(a.state, security::bogus);
  auto b = resolve(h100().text(), rtype::desc, wire::flag::cd | wire::flag::do_);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror) << error_text(b);
  EXPECT_EQ(b.state, security::indeterminate);
  EXPECT_EQ(count(b.reply.answer, rtype::desc), 1U);
}

TEST_F(ScenarioBogusCache, UnvalidatedDataIsNotReplacedByABogusResult) {
  // CD stores the raw data (rank auth); a validating question then finds it bogus, but the
  // bogus result, of the lowest rank, does not replace the raw data.
  tamper();
  auto a = resolve(h100().text(), rtype::desc, wire::flag::cd);
  ASSERT_EQ(a.reply.rcode, wire::rcode::noerror);
  auto b = resolve(h100().text(), rtype::desc);
  EXPECT_EQ(b.state, security::bogus);
  const cache_entry* e = m_cache.peek(h100(), rtype::desc);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rank, rank::auth);
  EXPECT_EQ(count(e->records, rtype::desc), 1U);
}

// An extra SIG over the DESC with fewer labels (as if made over a wildcard) is injected before
// the real one: the real SIG verifies the RRset as it is, so no wildcard proof is asked for.
TEST_F(ScenarioBogusCache, InjectedWildcardSigDoesNotForceAWildcardProof) {
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (!is_provx(from)) return;
    for (std::size_t i = 0; i < m.answer.size(); ++i) {
      const auto& r = m.answer[i];
      if (r.owner != h100() || !sig_covers(r, rtype::desc)) continue;
      auto s = record::sig::decode(r.data).value();
      s.labels = 3;  // "*.provx.cn-north."
      s.signature[0] = static_cast<char>(s.signature[0] ^ 1);
      m.answer.insert(m.answer.begin() + static_cast<std::ptrdiff_t>(i),
                      record::rr{r.owner, rtype::sig, r.ttl, s.encode()});
      return;
    }
  };
  auto a = resolve(h100().text(), rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::secure) << error_text(a);
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
}

TEST_F(ScenarioBogusCache, WildcardAnswerStillNeedsItsProof) {
  // The real wildcard answer with its NSEC proof removed stays bogus.
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (is_provx(from))
      std::erase_if(m.authority, [](const record::rr& r) {
        return r.type == rtype::nsec || sig_covers(r, rtype::nsec);
      });
  };
  auto a = resolve("x.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.state, security::bogus);
  EXPECT_NE(error_text(a).find("wildcard answer"), std::string::npos) << error_text(a);
}

}  // namespace
}  // namespace cidns::resolve::test
