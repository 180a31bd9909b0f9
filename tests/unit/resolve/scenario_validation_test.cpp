// Validation through the chain (DS -> KEY -> SIG from the trust anchor down) met by the
// engine: tampered answers and delegations end bogus with the validator's reason; CD turns
// validation off; no trust anchor means insecure with a note in every answer.
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class ScenarioValidation : public scenario {};

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
    if (r.type == rtype::desc) {
      datas.push_back(r.data);
      ttl = r.ttl;
    }
  }
  if (datas.empty()) return;
  std::erase_if(m.answer, [](const record::rr& r) { return sig_covers(r, rtype::desc); });
  std::vector<std::string_view> views(datas.begin(), datas.end());
  const auto owner = id("h100.pool1.provx.cn-north.");
  auto sig = dnssec::sign_rrset(h.provx_zsk, id("provx.cn-north."),
                                {owner, rtype::desc, ttl, views}, t0_s - 10 * 86400, t0_s - 86400);
  m.answer.push_back(record::rr{owner, rtype::sig, ttl, sig.encode()});
}

TEST_F(ScenarioValidation, ExpiredSignatureOnTheAnswerIsBogus) {
  m_rewrite = [this](const server_address& from, wire::message& m, bool) {
    if (is_provx(from)) expire_desc_sig(*m_h, m);
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus);
  EXPECT_TRUE(a.reply.answer.empty());
  ASSERT_TRUE(a.reply.error);
  EXPECT_EQ(a.reply.error->text, "signature expired on DESC h100.pool1.provx.cn-north.");
  EXPECT_EQ(a.reply.error->code, static_cast<std::uint32_t>(wire::error_code::signature_expired));
  EXPECT_EQ(eng().stats().bogus, 1U);
}

TEST_F(ScenarioValidation, CheckingDisabledGetsTheDataUnvalidated) {
  m_rewrite = [this](const server_address& from, wire::message& m, bool) {
    if (is_provx(from)) expire_desc_sig(*m_h, m);
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::cd | wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::indeterminate);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
  EXPECT_TRUE(a.reply.has_flag(wire::flag::cd));
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  // A validating question afterwards is not answered from the unvalidated data.
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.state, security::bogus);
}

TEST_F(ScenarioValidation, DsMismatchAtProvx) {
  static const hierarchy bad{hierarchy_options{true}};
  build(bad);
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus);
  EXPECT_EQ(error_text(a), "DS digest mismatch for provx.cn-north.") << trace_text();
  // Names outside provx still validate.
  auto b = resolve("node.plain.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::noerror);
  EXPECT_EQ(b.state, security::insecure);
}

TEST_F(ScenarioValidation, RemovedSignatureIsBogus) {
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (!is_provx(from)) return;
    std::erase_if(m.answer, [](const record::rr& r) { return sig_covers(r, rtype::desc); });
  };
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus);
  EXPECT_NE(error_text(a).find("DESC h100.pool1.provx.cn-north."), std::string::npos)
      << error_text(a);
}

TEST_F(ScenarioValidation, NxdomainWithoutItsNsecIsBogus) {
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (!is_provx(from)) return;
    std::erase_if(m.authority, [](const record::rr& r) {
      return r.type == rtype::nsec || sig_covers(r, rtype::nsec);
    });
  };
  auto a = resolve("nothere.provx.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus);
  EXPECT_FALSE(error_text(a).empty());
}

TEST_F(ScenarioValidation, UnsignedDelegationWithoutItsProofIsBogus) {
  // cn-north's referral to plain loses the NSEC that proves there is no DS.
  m_rewrite = [](const server_address& from, wire::message& m, bool) {
    if (from != addr("127.0.0.3:5380")) return;
    std::erase_if(m.authority, [](const record::rr& r) {
      return r.type == rtype::nsec || sig_covers(r, rtype::nsec);
    });
  };
  auto a = resolve("node.plain.cn-north.", rtype::desc);
  EXPECT_EQ(a.reply.rcode, wire::rcode::servfail);
  EXPECT_EQ(a.state, security::bogus);
}

TEST_F(ScenarioValidation, NoTrustAnchorMeansInsecureWithANote) {
  build(default_hierarchy(), false);
  auto a = resolve("h100.pool1.provx.cn-north.", rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror);
  EXPECT_EQ(a.state, security::insecure);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
  ASSERT_TRUE(a.reply.error);
  EXPECT_EQ(a.reply.error->code, static_cast<std::uint32_t>(wire::error_code::other));
  EXPECT_EQ(a.reply.error->text, "not validated: no trust anchor configured");
  for (const auto& s : m_sent) EXPECT_FALSE(s.q.type == rtype::key) << "no KEY fetched";
  auto b = resolve("nothere.provx.cn-north.", rtype::desc);
  EXPECT_EQ(b.reply.rcode, wire::rcode::nxdomain);
  ASSERT_TRUE(b.reply.error);
  EXPECT_EQ(b.reply.error->text, "not validated: no trust anchor configured");
}

}  // namespace
}  // namespace cidns::resolve::test
