// Signed negative answers of cidns-authd: NODATA (at names, empty
// non-terminals, the apex) and NXDOMAIN in every position, each with the SOA,
// its SIG and the NSEC proofs a validator needs; SIG queries.
#include "signed_answer_fixture.hpp"

namespace cidns::authd {
namespace {

// Its own suite name: the fixture class is distinct in every test file.
class SignedDenialTest : public SignedAnswerTest {};

// ---- NODATA and NXDOMAIN -------------------------------------------------------------------

TEST_F(SignedDenialTest, NodataAtANameHasItsNsec) {
  auto [plain, r] = ask_both("h100-8x.pool1.provx.cn-north.", rtype::addr);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("h100-8x.pool1.provx.cn-north."), rtype::addr, v.nsecs),
            "NODATA proof");
}

TEST_F(SignedDenialTest, ResourceNodataAtANameWithoutResourceData) {
  auto [plain, r] = ask_both("ns1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("ns1.provx.cn-north."), rtype::resource, v.nsecs),
            "RESOURCE NODATA proof");
}

TEST_F(SignedDenialTest, NodataAtAnEmptyNonTerminalHasTheCoveringNsec) {
  auto [plain, r] = ask_both("ent.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("ent.provx.cn-north."), rtype::txt, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedDenialTest, NodataAtTheSpotEmptyNonTerminal) {
  // spot has only children (*.spot, fixed.spot): an empty non-terminal too.
  auto [plain, r] = ask_both("spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("spot.provx.cn-north."), rtype::desc, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedDenialTest, NxdomainProvesNameAndWildcard) {
  auto [plain, r] = ask_both("nothere.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("nothere.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedDenialTest, NxdomainSeveralLabelsBelowTheClosestEncloser) {
  auto [plain, r] = ask_both("a.b.nothere.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("a.b.nothere.pool1.provx.cn-north."), v.nsecs),
            "NXDOMAIN proof");
}

TEST_F(SignedDenialTest, NxdomainBelowAnEmptyNonTerminal) {
  auto [plain, r] = ask_both("zzz.ent.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("zzz.ent.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedDenialTest, NxdomainAfterTheLastName) {
  // Sorts after every name of the zone: covered by the last NSEC (next = apex).
  auto [plain, r] = ask_both("zzzz.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("zzzz.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedDenialTest, NodataAtTheApex) {
  auto [plain, r] = ask_both(parent_origin, rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id(parent_origin), rtype::txt, v.nsecs), "apex NODATA proof");
}

TEST_F(SignedDenialTest, NodataAtAnEmptyNonTerminalAboveADelegation) {
  auto [plain, r] = ask_both("deep.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("deep.provx.cn-north."), rtype::desc, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedDenialTest, NxdomainBelowALeaf) {
  // The closest encloser fixed.spot has no wildcard: *.spot does not apply.
  auto [plain, r] = ask_both("x.fixed.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("x.fixed.spot.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

// RFC 4034 §3 (a SIG's TTL is its RRset's) and RFC 9077: the SOA in a negative
// answer has TTL min(SOA TTL, negative TTL), and so must its SIG, or a cache
// keeps the SIG twelve times longer than the SOA here (3600 s against 300 s).
TEST_F(SignedDenialTest, NegativeSoaSigHasTheSoasTtl) {
  auto r = ask("nothere.provx.cn-north.", rtype::desc, with_do);
  std::uint32_t soa_ttl = 0;
  for (const auto& rr : r.authority) {
    if (rr.type == rtype::soa) soa_ttl = rr.ttl;
  }
  ASSERT_EQ(soa_ttl, 300U);
  std::size_t sigs = 0;
  for (const auto& rr : r.authority) {
    if (rr.type != rtype::sig) continue;
    auto s = record::sig::decode(rr.data);
    if (!s || s->type_covered != rtype::soa) continue;
    ++sigs;
    EXPECT_EQ(rr.ttl, soa_ttl) << "SIG(SOA) TTL";
  }
  EXPECT_GE(sigs, 1U);
}

// A query for type SIG gets every SIG at the name (RFC 4035 §3.1.5), not a
// NODATA whose own NSEC (listing SIG) contradicts it.
TEST_F(SignedDenialTest, SigQueryAnswersEverySigAtTheName) {
  const std::string_view name = "h100-8x.pool1.provx.cn-north.";
  auto r = ask(name, rtype::sig, with_do);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.authority.empty());
  std::vector<rtype> covered;
  for (const auto& rr : r.answer) {
    ASSERT_EQ(rr.type, rtype::sig);
    EXPECT_EQ(rr.owner.text(), name);
    auto s = record::sig::decode(rr.data);
    ASSERT_TRUE(s);
    covered.push_back(s->type_covered);
  }
  std::sort(covered.begin(), covered.end());
  EXPECT_EQ(covered,
            (std::vector<rtype>{rtype::txt, rtype::desc, rtype::state, rtype::ep, rtype::nsec}));
  // Each verifies over the RRset it covers, fetched on its own.
  for (rtype t : {rtype::txt, rtype::desc, rtype::state, rtype::ep, rtype::nsec}) {
    SCOPED_TRACE(record::type_name(t));
    auto set = ask(name, t, without_do);
    set.answer.insert(set.answer.end(), r.answer.begin(), r.answer.end());
    std::erase_if(set.answer, [t](const record::rr& rr) {
      if (rr.type != rtype::sig) return false;
      auto s = record::sig::decode(rr.data);
      return !s || s->type_covered != t;
    });
    validate(set);
  }
  // A SIG query at a wildcard expansion: the wildcard's SIGs, re-owned.
  auto w = ask("x.spot.provx.cn-north.", rtype::sig, with_do);
  EXPECT_EQ(w.rcode, wire::rcode::noerror);
  EXPECT_FALSE(w.answer.empty());
  for (const auto& rr : w.answer) EXPECT_EQ(rr.owner.text(), "x.spot.provx.cn-north.");
}

}  // namespace
}  // namespace cidns::authd
