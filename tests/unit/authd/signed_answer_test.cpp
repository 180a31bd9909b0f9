// Signed positive answers of cidns-authd checked as a validator checks them:
// plain answers, RESOURCE, CNAME chains and wildcard expansions, with and
// without DO; every SIG verified against the zone keys and every proof run
// through dnssec::prove_*. Also: the checker itself, and unsigned zones.
#include "signed_answer_fixture.hpp"

namespace cidns::authd {
namespace {

// ---- positive answers ----------------------------------------------------------------

TEST_F(SignedAnswerTest, PositiveAnswerIsSigned) {
  auto [plain, r] = ask_both("h100-8x.pool1.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);  // ZSK only: the KSK signs the KEY RRset alone
  EXPECT_TRUE(v.answer.expansions.empty());
  EXPECT_TRUE(r.authority.empty());
}

TEST_F(SignedAnswerTest, TwoRecordRrsetVerifiesInAnyOrder) {
  auto [plain, r] = ask_both("h100-8x.pool1.provx.cn-north.", rtype::ep);
  ASSERT_EQ(plain.answer.size(), 2U);
  validate(r);
  // A validator sorts by data: records received in the other order verify too.
  std::swap(r.answer[0], r.answer[1]);
  validate(r);
}

TEST_F(SignedAnswerTest, ResourceMetaTypeHasEachRrsetSigned) {
  auto [plain, r] = ask_both("h100-8x.pool1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 4U);  // DESC, STATE, two EP
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 3U);
  EXPECT_EQ(count(r.answer, rtype::sig), 3U);
}

TEST_F(SignedAnswerTest, ApexKeySetIsSignedByBothKeys) {
  auto [plain, r] = ask_both(parent_origin, rtype::key);
  ASSERT_EQ(plain.answer.size(), 2U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 2U);
  // The KEYs served are the zone's keys.
  std::vector<std::string> served;
  for (const auto& rr : plain.answer) served.push_back(rr.data);
  EXPECT_NE(std::find(served.begin(), served.end(), z().parent_zsk.key_data), served.end());
  EXPECT_NE(std::find(served.begin(), served.end(), z().parent_ksk.key_data), served.end());
}

TEST_F(SignedAnswerTest, ApexNsAndItsInZoneGlueAreSigned) {
  auto [plain, r] = ask_both(parent_origin, rtype::ns);
  ASSERT_EQ(plain.additional.size(), 1U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);
  EXPECT_EQ(v.additional.verified, 1U);  // ns1 is authoritative data, so signed
}

// ---- CNAME chains ----------------------------------------------------------------------

TEST_F(SignedAnswerTest, CnameChainHasEveryLinkSigned) {
  auto [plain, r] = ask_both("alias.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 6U);  // 2 CNAME, DESC, STATE, 2 EP
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 5U);
  EXPECT_TRUE(r.authority.empty());
}

TEST_F(SignedAnswerTest, CnameIntoTheWildcardProvesTheExpansion) {
  auto [plain, r] = ask_both("cheap.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 2U);
  auto v = validate(r);
  ASSERT_EQ(v.answer.expansions.size(), 1U);
  EXPECT_EQ(v.answer.expansions[0].owner.text(), "any.spot.provx.cn-north.");
  EXPECT_EQ(v.answer.expansions[0].wildcard.text(), "*.spot.provx.cn-north.");
  expect_ok(dnssec::prove_wildcard_answer(id("any.spot.provx.cn-north."),
                                          v.answer.expansions[0].wildcard, v.nsecs),
            "wildcard answer proof");
}

TEST_F(SignedAnswerTest, CnameChainEndingInNodataProvesTheLastName) {
  auto [plain, r] = ask_both("alias.provx.cn-north.", rtype::addr);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 2U);  // the two CNAMEs
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 2U);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("h100-8x.pool1.provx.cn-north."), rtype::addr, v.nsecs),
            "NODATA proof at the end of the chain");
}

TEST_F(SignedAnswerTest, CnameChainEndingInWildcardNodata) {
  auto [plain, r] = ask_both("cheap.provx.cn-north.", rtype::ep);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_wildcard_nodata(id("any.spot.provx.cn-north."), rtype::ep, v.nsecs),
            "wildcard NODATA proof at the end of the chain");
}

TEST_F(SignedAnswerTest, CnameToNothingProvesTheTargetsNxdomain) {
  auto [plain, r] = ask_both("gone.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("nothere.provx.cn-north."), v.nsecs), "target NXDOMAIN");
}

// ---- wildcards ---------------------------------------------------------------------------

TEST_F(SignedAnswerTest, WildcardAnswerIsSignedAsTheWildcardWithAProof) {
  auto [plain, r] = ask_both("x.spot.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 2U);  // DESC and STATE, no EP
  for (const auto& rr : r.answer) EXPECT_EQ(rr.owner.text(), "x.spot.provx.cn-north.");
  auto v = validate(r);
  ASSERT_EQ(v.answer.expansions.size(), 2U);
  for (const auto& e : v.answer.expansions) {
    EXPECT_EQ(e.wildcard.text(), "*.spot.provx.cn-north.");
    expect_ok(dnssec::prove_wildcard_answer(id("x.spot.provx.cn-north."), e.wildcard, v.nsecs),
              "wildcard answer proof");
  }
  EXPECT_GE(v.nsecs.size(), 1U);
}

TEST_F(SignedAnswerTest, WildcardExpansionDeeperThanOneLabel) {
  auto [plain, r] = ask_both("a.b.spot.provx.cn-north.", rtype::desc);
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  ASSERT_EQ(v.answer.expansions.size(), 1U);
  expect_ok(dnssec::prove_wildcard_answer(id("a.b.spot.provx.cn-north."),
                                          v.answer.expansions[0].wildcard, v.nsecs),
            "wildcard answer proof");
}

TEST_F(SignedAnswerTest, WildcardNodataProvesNameAndType) {
  auto [plain, r] = ask_both("x.spot.provx.cn-north.", rtype::ep);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_wildcard_nodata(id("x.spot.provx.cn-north."), rtype::ep, v.nsecs),
            "wildcard NODATA proof");
}

TEST_F(SignedAnswerTest, ExistingNameBesideTheWildcardIsNotExpanded) {
  auto [plain, r] = ask_both("fixed.spot.provx.cn-north.", rtype::state);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_ok(dnssec::prove_nodata(id("fixed.spot.provx.cn-north."), rtype::state, v.nsecs),
            "NODATA proof");
}

TEST_F(SignedAnswerTest, WildcardNameItselfIsNotAnExpansion) {
  auto [plain, r] = ask_both("*.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 1U);
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);
  EXPECT_TRUE(v.answer.expansions.empty());
  EXPECT_TRUE(r.authority.empty());  // nothing to prove
}

TEST_F(SignedAnswerTest, WildcardCnameIsExpandedAndFollowed) {
  auto [plain, r] = ask_both("q.w.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 5U);  // CNAME, DESC, STATE, 2 EP
  EXPECT_EQ(plain.answer[0].owner.text(), "q.w.provx.cn-north.");
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 4U);
  ASSERT_EQ(v.answer.expansions.size(), 1U);
  EXPECT_EQ(v.answer.expansions[0].type, rtype::cname);
  expect_ok(dnssec::prove_wildcard_answer(id("q.w.provx.cn-north."),
                                          v.answer.expansions[0].wildcard, v.nsecs),
            "wildcard CNAME proof");
}

TEST_F(SignedAnswerTest, WildcardNodataForResourceAtAWildcardWithoutResourceData) {
  auto [plain, r] = ask_both("q.notes.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_wildcard_nodata(id("q.notes.provx.cn-north."), rtype::resource, v.nsecs),
            "wildcard RESOURCE NODATA proof");
}

// ---- the checks themselves -------------------------------------------------------------

TEST_F(SignedAnswerTest, ValidatorRejectsTamperedRepliesAndMissingProofs) {
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::txt, with_do);
  test::section_rules rules;
  rules.now = test::unix_now();
  ASSERT_TRUE(test::check_section(r.answer, z().keys, rules).problems.empty());
  auto changed = r;  // other data
  changed.answer[0].data = record::txt{{"nine H100 per node"}}.encode();
  EXPECT_FALSE(test::check_section(changed.answer, z().keys, rules).problems.empty());
  changed = r;  // another owner
  changed.answer[0].owner = id("other.pool1.provx.cn-north.");
  EXPECT_FALSE(test::check_section(changed.answer, z().keys, rules).problems.empty());
  changed = r;  // no SIG
  changed.answer = test::without_dnssec(changed.answer);
  EXPECT_FALSE(test::check_section(changed.answer, z().keys, rules).problems.empty());
  rules.now = z().expiration + 1;  // expired
  EXPECT_FALSE(test::check_section(r.answer, z().keys, rules).problems.empty());
  // Another key of the same zone does not verify the parent's signatures.
  std::vector<trusted_key> other{
      test::trust(id(parent_origin), seeded_key('\x44', false).key_data).value()};
  rules.now = test::unix_now();
  EXPECT_FALSE(test::check_section(r.answer, other, rules).problems.empty());
  // The proofs fail on NSECs that do not prove.
  auto nx = ask("nothere.provx.cn-north.", rtype::desc, with_do);
  auto nsecs = test::nsecs_of(nx.authority);
  ASSERT_FALSE(nsecs.empty());
  EXPECT_FALSE(dnssec::prove_nxdomain(id("h100-8x.pool1.provx.cn-north."), nsecs));
  ASSERT_EQ(nsecs.size(), 2U);  // one covers the name, the other the wildcard
  for (std::size_t i = 0; i < nsecs.size(); ++i) {
    std::vector<dnssec::nsec_record> one{nsecs[1 - i]};
    EXPECT_FALSE(dnssec::prove_nxdomain(id("nothere.provx.cn-north."), one)) << i;
  }
}

// ---- unsigned zones ---------------------------------------------------------------------

TEST_F(SignedAnswerTest, UnsignedZoneWithDoHasNoSigNoNsecAndNoError) {
  serve_plain();
  struct q {
    std::string_view name;
    rtype type;
    wire::rcode rcode;
  };
  for (const auto& c : {q{"node.plain.cn-north.", rtype::desc, wire::rcode::noerror},
                        q{"node.plain.cn-north.", rtype::ep, wire::rcode::noerror},
                        q{"nothere.plain.cn-north.", rtype::desc, wire::rcode::nxdomain},
                        q{"x.any.plain.cn-north.", rtype::desc, wire::rcode::noerror},
                        q{"x.any.plain.cn-north.", rtype::ep, wire::rcode::noerror},
                        q{"x.sub.plain.cn-north.", rtype::desc, wire::rcode::noerror},
                        q{"sub.plain.cn-north.", rtype::ds, wire::rcode::noerror},
                        q{"plain.cn-north.", rtype::key, wire::rcode::noerror}}) {
    SCOPED_TRACE(std::string(c.name) + " " + record::type_name(c.type));
    auto r = ask(c.name, c.type, with_do);
    EXPECT_EQ(r.rcode, c.rcode);
    EXPECT_EQ(test::dnssec_record_count(r), 0U);
    EXPECT_FALSE(r.error.has_value());
    auto plain = ask(c.name, c.type, without_do);
    EXPECT_EQ(plain.answer, r.answer);
    EXPECT_EQ(plain.authority, r.authority);
    EXPECT_EQ(plain.additional, r.additional);
  }
}

}  // namespace
}  // namespace cidns::authd
