// Signed delegations in cidns-authd's answers: referrals to signed children
// (DS with its SIG) and unsigned ones (the NSEC proving no DS), DS queries at a
// cut and at a served child's apex, and CNAME chains that cross a cut.
#include "signed_answer_fixture.hpp"

namespace cidns::authd {
namespace {

// Its own suite name: the fixture class is distinct in every test file.
class SignedReferralTest : public SignedAnswerTest {};

// ---- delegations and DS -----------------------------------------------------------------------

TEST_F(SignedReferralTest, ReferralToASignedChildHasItsSignedDs) {
  auto [plain, r] = ask_both("gpu.signed.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  EXPECT_TRUE(r.answer.empty());
  EXPECT_EQ(count(r.authority, rtype::ns), 1U);
  ASSERT_EQ(count(r.authority, rtype::ds), 1U);
  EXPECT_EQ(count(r.authority, rtype::nsec), 0U);
  EXPECT_EQ(count(r.additional, rtype::addr), 1U);  // glue
  auto v = validate(r, {{id(child_origin), rtype::ns}});
  EXPECT_EQ(v.authority.verified, 1U);   // the DS; delegation NS is never signed
  EXPECT_EQ(v.additional.verified, 0U);  // glue is never signed
  for (const auto& rr : r.authority) {
    if (rr.type == rtype::ds) {
      EXPECT_EQ(rr.data, z().child_ds.encode());
    }
  }
}

TEST_F(SignedReferralTest, ReferralToAnUnsignedChildProvesThereIsNoDs) {
  auto [plain, r] = ask_both("x.legacy.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  EXPECT_EQ(count(r.authority, rtype::ns), 1U);
  EXPECT_EQ(count(r.authority, rtype::ds), 0U);
  EXPECT_EQ(count(r.additional, rtype::addr), 1U);
  auto v = validate(r, {{id("legacy.provx.cn-north."), rtype::ns}});
  EXPECT_EQ(v.authority.verified, 1U);  // the NSEC at the cut
  expect_ok(dnssec::prove_no_ds(id("legacy.provx.cn-north."), v.nsecs), "no-DS proof");
}

TEST_F(SignedReferralTest, DsQueryAtASignedCut) {
  auto [plain, r] = ask_both(child_origin, rtype::ds);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(plain.answer.size(), 1U);
  EXPECT_EQ(plain.answer[0].data, z().child_ds.encode());
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);
}

TEST_F(SignedReferralTest, DsQueryAtAnUnsignedCutIsProvenNodata) {
  auto [plain, r] = ask_both("legacy.provx.cn-north.", rtype::ds);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("legacy.provx.cn-north."), rtype::ds, v.nsecs),
            "DS NODATA proof");
  expect_ok(dnssec::prove_no_ds(id("legacy.provx.cn-north."), v.nsecs), "no-DS proof");
}

TEST_F(SignedReferralTest, DsAtAServedChildApexComesFromTheParentAndPinsItsKey) {
  serve_child();
  auto [plain, r] = ask_both(child_origin, rtype::ds);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  ASSERT_EQ(v.answer.verified, 1U);
  for (const auto& rr : r.answer) {
    if (rr.type != rtype::sig) continue;
    auto s = record::sig::decode(rr.data);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->signer.text(), parent_origin) << "DS is the parent's data";
  }
  // The chain of trust: the child's KEY set, signed by the child, holds the
  // key the parent's DS pins.
  auto [plain_keys, keys] = ask_both(child_origin, rtype::key);
  ASSERT_EQ(plain_keys.answer.size(), 1U);
  validate(keys);
  auto ds = record::ds::decode(plain.answer[0].data);
  ASSERT_TRUE(ds);
  auto made = dnssec::make_ds(id(child_origin), plain_keys.answer[0].data);
  ASSERT_TRUE(made);
  EXPECT_EQ(*made, *ds);
}

TEST_F(SignedReferralTest, ServedChildAnswersBelowTheCutWithItsOwnKey) {
  serve_child();
  auto [plain, r] = ask_both("gpu.signed.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);
  auto [plain_nx, nx] = ask_both("nothere.signed.provx.cn-north.", rtype::desc);
  EXPECT_EQ(nx.rcode, wire::rcode::nxdomain);
  auto vn = validate(nx);
  expect_signed_soa(nx, child_origin);
  expect_ok(dnssec::prove_nxdomain(id("nothere.signed.provx.cn-north."), vn.nsecs),
            "child NXDOMAIN proof");
}

TEST_F(SignedReferralTest, ReferralBelowAnEmptyNonTerminal) {
  auto [plain, r] = ask_both("x.b.deep.provx.cn-north.", rtype::desc);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  auto v = validate(r, {{id("b.deep.provx.cn-north."), rtype::ns}});
  expect_ok(dnssec::prove_no_ds(id("b.deep.provx.cn-north."), v.nsecs), "no-DS proof");
}

TEST_F(SignedReferralTest, CnameIntoAnUnservedSignedChildEndsInAReferral) {
  auto [plain, r] = ask_both("kid.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 1U);
  EXPECT_EQ(count(r.authority, rtype::ds), 1U);
  auto v = validate(r, {{id(child_origin), rtype::ns}});
  EXPECT_EQ(v.answer.verified, 1U);
  EXPECT_EQ(v.authority.verified, 1U);
}

TEST_F(SignedReferralTest, CnameIntoAServedChildIsSignedByEachZone) {
  serve_child();
  auto [plain, r] = ask_both("kid.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 2U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 2U);
  std::vector<std::string> signers;
  for (const auto& rr : r.answer) {
    if (rr.type != rtype::sig) continue;
    auto s = record::sig::decode(rr.data);
    ASSERT_TRUE(s);
    signers.push_back(s->signer.text());
  }
  EXPECT_EQ(signers,
            (std::vector<std::string>{std::string(parent_origin), std::string(child_origin)}));
}

}  // namespace
}  // namespace cidns::authd
