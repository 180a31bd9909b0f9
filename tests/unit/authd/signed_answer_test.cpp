// Signed answers of cidns-authd checked as a validator checks them: zones signed
// in the test with fixed Ed25519 keys, every kind of answer asked with and
// without DO through responder::respond(), every SIG verified against the
// zone keys and every denial proof run through dnssec::prove_*.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/denial.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "query_stats.hpp"
#include "responder.hpp"
#include "signed_zone.hpp"
#include "zone_set.hpp"

namespace cidns::record {
// Readable records in failure messages.
static void PrintTo(const rr& r, std::ostream* os) { *os << format_rr(r); }
}  // namespace cidns::record

namespace cidns::authd {
namespace {

using record::rtype;
using test::trusted_key;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

// ---- the zones --------------------------------------------------------------------

constexpr std::string_view parent_origin = "provx.cn-north.";
constexpr std::string_view child_origin = "signed.provx.cn-north.";
constexpr std::string_view plain_origin = "plain.cn-north.";

// Everything an answer can be: in-zone names, a two-record RRset, an empty
// non-terminal (ent), CNAME chains (to a name, into the wildcard, to nothing,
// into the child), a wildcard with DESC and STATE but no EP beside an
// existing name, a wildcard CNAME, a wildcard with no resource data, and
// delegations to a signed child (DS appended by the test) and to unsigned
// ones (deep is an empty non-terminal above one).
constexpr std::string_view parent_text = R"($ORIGIN provx.cn-north.
$TTL 1h
@              SOA   ns1 hostmaster 2026120101 1h 10m 14d 5m
@              NS    ns1
ns1            ADDR  127.0.0.21
h100-8x.pool1  DESC  kind=gpu accel.vendor=nvidia accel.count=8 accel.mem=80GiB region=cn-north.beijing
h100-8x.pool1  30s STATE free=3 score=8 updated=2026-11-25T10:00:00Z source=measured
h100-8x.pool1  EP    10 1 grpc gw1.provx.example 443 alpn=h2 auth=mtls path=/v1
h100-8x.pool1  EP    20 1 https gw2.provx.example 443
h100-8x.pool1  TXT   "eight H100 per node"
best           CNAME h100-8x.pool1
alias          CNAME best
cheap          CNAME any.spot
gone           CNAME nothere
*.spot         DESC  kind=cpu vcpu=64 mem=256GiB region=cn-north
*.spot         30s STATE free=10 score=5
fixed.spot     DESC  kind=cpu vcpu=8 mem=32GiB region=cn-north
a.ent          TXT   "below an empty non-terminal"
signed         NS    ns1.signed
ns1.signed     ADDR  127.0.0.30
legacy         NS    ns1.legacy
ns1.legacy     ADDR  127.0.0.31
kid            CNAME gpu.signed
*.w            CNAME h100-8x.pool1
*.notes        TXT   "a wildcard without resource data"
b.deep         NS    ns1.b.deep
ns1.b.deep     ADDR  127.0.0.32
)";

constexpr std::string_view child_text = R"($ORIGIN signed.provx.cn-north.
$TTL 1h
@     SOA   ns1 hostmaster 7 1h 10m 14d 5m
@     NS    ns1
ns1   ADDR  127.0.0.30
gpu   DESC  kind=gpu accel.count=4
)";

constexpr std::string_view plain_text = R"($ORIGIN plain.cn-north.
$TTL 1h
@      SOA   ns1 hostmaster 1 1h 10m 14d 5m
@      NS    ns1
ns1    ADDR  127.0.0.40
node   DESC  kind=cpu vcpu=16
*.any  DESC  kind=cpu vcpu=4
sub    NS    ns1.sub
ns1.sub ADDR 127.0.0.41
)";

dnssec::zone_key seeded_key(char fill, bool ksk) {
  auto k = dnssec::private_key::from_ed25519_seed(std::string(32, fill));
  EXPECT_TRUE(k) << k.err().message;
  return dnssec::zone_key::from(std::move(*k), ksk);
}

std::shared_ptr<const zone::compiled_zone> checked(zone::loaded_zone loaded) {
  for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
  EXPECT_TRUE(loaded.compiled);
  return std::move(loaded.compiled);
}

// The signed parent (a ZSK and a KSK), the signed child (one KSK, pinned by
// the parent's DS) and an unsigned zone, built once.
struct zones {
  std::uint64_t now = test::unix_now();
  std::uint64_t inception = now - 3600;
  std::uint64_t expiration = now + 7 * 86400;
  dnssec::zone_key parent_zsk = seeded_key('\x11', false);
  dnssec::zone_key parent_ksk = seeded_key('\x22', true);
  dnssec::zone_key child_ksk = seeded_key('\x33', true);
  record::ds child_ds;
  std::shared_ptr<const zone::compiled_zone> parent, child, plain;
  std::vector<trusted_key> keys;

  zones() {
    auto ds = dnssec::make_ds(id(child_origin), child_ksk.key_data);
    EXPECT_TRUE(ds);
    child_ds = *ds;
    const std::string ds_line =
        record::format_rr(record::rr{id(child_origin), rtype::ds, 3600, child_ds.encode()});
    parent =
        checked(test::load_signed_text(std::string(parent_text) + ds_line + "\n", id(parent_origin),
                                       {parent_zsk, parent_ksk}, inception, expiration));
    child = checked(
        test::load_signed_text(child_text, id(child_origin), {child_ksk}, inception, expiration));
    zone::load_options o;
    o.read.origin = id(plain_origin);
    o.compile = true;
    plain = checked(zone::load_text(plain_text, "plain.zone", o));
    for (const auto* k : {&parent_zsk, &parent_ksk}) {
      keys.push_back(test::trust(id(parent_origin), k->key_data).value());
    }
    keys.push_back(test::trust(id(child_origin), child_ksk.key_data).value());
  }
};

const zones& the_zones() {
  static const zones z;
  return z;
}

// ---- the fixture -------------------------------------------------------------------

constexpr bool with_do = true;
constexpr bool without_do = false;

// What validate() found in a DO reply: each section's check and the NSEC
// records of the authority section, for the prove_* functions.
struct validated {
  test::section_check answer, authority, additional;
  std::vector<dnssec::nsec_record> nsecs;
};

class SignedAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(z().parent && z().child && z().plain);
    m_registry.publish(z().parent);
  }
  static const zones& z() { return the_zones(); }
  void serve_child() { m_registry.publish(z().child); }
  void serve_plain() { m_registry.publish(z().plain); }

  wire::message ask(std::string_view name, rtype type, bool dnssec, bool udp = true) {
    wire::message q;
    q.id = m_next_id++;
    q.flags = dnssec ? wire::flag::do_ : 0;
    q.question = wire::question{id(name), type};
    std::string reply;
    EXPECT_TRUE(m_responder.respond(wire::encode(q), udp, reply)) << "no reply";
    auto r = wire::decode(reply);
    EXPECT_TRUE(r) << (r ? "" : r.err().message);
    if (!r) return {};
    EXPECT_EQ(r->id, q.id);
    EXPECT_EQ(r->question, q.question);
    EXPECT_TRUE(r->has_flag(wire::flag::qr));
    EXPECT_FALSE(r->has_flag(wire::flag::tc)) << "reply truncated";
    EXPECT_EQ(r->has_flag(wire::flag::do_), dnssec) << "DO is echoed";
    return std::move(*r);
  }

  // Asks without and with DO: the plain reply carries no SIG and no NSEC and
  // equals the DO reply without its SIGs, NSECs and referral DS. Returns both.
  std::pair<wire::message, wire::message> ask_both(std::string_view name, rtype type) {
    auto plain = ask(name, type, without_do);
    auto dnssec = ask(name, type, with_do);
    EXPECT_EQ(test::dnssec_record_count(plain), 0U) << "SIG or NSEC without DO";
    EXPECT_EQ(plain.rcode, dnssec.rcode);
    EXPECT_EQ(plain.flags | wire::flag::do_, dnssec.flags);
    EXPECT_EQ(plain.answer, test::without_dnssec(dnssec.answer));
    // DS in the authority section is part of a referral's proof: DO only.
    auto authority = test::without_dnssec(dnssec.authority);
    std::erase_if(authority, [](const record::rr& rr) { return rr.type == rtype::ds; });
    EXPECT_EQ(plain.authority, authority);
    EXPECT_EQ(plain.additional, test::without_dnssec(dnssec.additional));
    return {std::move(plain), std::move(dnssec)};
  }

  // Checks a DO reply (failures added to the test): the SIGs of every section
  // verify, every RRset of answer and authority is signed but `unsigned_ok`.
  validated validate(const wire::message& r,
                     std::vector<std::pair<name::identifier, rtype>> unsigned_ok = {}) {
    test::section_rules rules;
    rules.now = test::unix_now();
    rules.may_be_unsigned = std::move(unsigned_ok);
    validated v;
    v.answer = test::check_section(r.answer, z().keys, rules);
    v.authority = test::check_section(r.authority, z().keys, rules);
    rules.require_sigs = false;
    v.additional = test::check_section(r.additional, z().keys, rules);
    for (const auto* c : {&v.answer, &v.authority, &v.additional}) {
      for (const auto& p : c->problems) ADD_FAILURE() << p;
    }
    std::vector<std::string> problems;
    v.nsecs = test::nsecs_of(r.authority, &problems);
    for (const auto& p : problems) ADD_FAILURE() << p;
    if (r.question && r.question->type != rtype::nsec) {
      EXPECT_EQ(test::nsecs_of(r.answer).size(), 0U) << "NSEC in the answer section";
    }
    return v;
  }

  // A negative answer's authority: the apex SOA of `apex` with its SIG.
  static void expect_signed_soa(const wire::message& r, std::string_view apex) {
    std::size_t soa = 0, soa_sigs = 0;
    for (const auto& rr : r.authority) {
      if (rr.owner.text() != apex) continue;
      if (rr.type == rtype::soa) ++soa;
      if (rr.type == rtype::sig) {
        auto s = record::sig::decode(rr.data);
        soa_sigs += (s && s->type_covered == rtype::soa) ? 1 : 0;
      }
    }
    EXPECT_EQ(soa, 1U) << "the SOA of " << apex;
    EXPECT_GE(soa_sigs, 1U) << "a SIG over the SOA of " << apex;
  }

  static std::size_t count(const std::vector<record::rr>& s, rtype t) {
    std::size_t n = 0;
    for (const auto& r : s) n += r.type == t ? 1 : 0;
    return n;
  }

  query_stats m_stats;
  zone_registry m_registry;
  responder m_responder{m_registry, m_stats};
  std::uint32_t m_next_id = 0x2000;
};

void expect_ok(const result<void>& r, std::string_view what) {
  EXPECT_TRUE(r) << what << ": " << (r ? "" : r.err().message);
}

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

// ---- NODATA and NXDOMAIN -------------------------------------------------------------------

TEST_F(SignedAnswerTest, NodataAtANameHasItsNsec) {
  auto [plain, r] = ask_both("h100-8x.pool1.provx.cn-north.", rtype::addr);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("h100-8x.pool1.provx.cn-north."), rtype::addr, v.nsecs),
            "NODATA proof");
}

TEST_F(SignedAnswerTest, ResourceNodataAtANameWithoutResourceData) {
  auto [plain, r] = ask_both("ns1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("ns1.provx.cn-north."), rtype::resource, v.nsecs),
            "RESOURCE NODATA proof");
}

TEST_F(SignedAnswerTest, NodataAtAnEmptyNonTerminalHasTheCoveringNsec) {
  auto [plain, r] = ask_both("ent.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("ent.provx.cn-north."), rtype::txt, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedAnswerTest, NodataAtTheSpotEmptyNonTerminal) {
  // spot has only children (*.spot, fixed.spot): an empty non-terminal too.
  auto [plain, r] = ask_both("spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("spot.provx.cn-north."), rtype::desc, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedAnswerTest, NxdomainProvesNameAndWildcard) {
  auto [plain, r] = ask_both("nothere.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("nothere.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedAnswerTest, NxdomainSeveralLabelsBelowTheClosestEncloser) {
  auto [plain, r] = ask_both("a.b.nothere.pool1.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("a.b.nothere.pool1.provx.cn-north."), v.nsecs),
            "NXDOMAIN proof");
}

TEST_F(SignedAnswerTest, NxdomainBelowAnEmptyNonTerminal) {
  auto [plain, r] = ask_both("zzz.ent.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("zzz.ent.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedAnswerTest, NxdomainAfterTheLastName) {
  // Sorts after every name of the zone: covered by the last NSEC (next = apex).
  auto [plain, r] = ask_both("zzzz.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("zzzz.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

TEST_F(SignedAnswerTest, NodataAtTheApex) {
  auto [plain, r] = ask_both(parent_origin, rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id(parent_origin), rtype::txt, v.nsecs), "apex NODATA proof");
}

TEST_F(SignedAnswerTest, NodataAtAnEmptyNonTerminalAboveADelegation) {
  auto [plain, r] = ask_both("deep.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.answer.empty());
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nodata(id("deep.provx.cn-north."), rtype::desc, v.nsecs),
            "empty non-terminal NODATA proof");
}

TEST_F(SignedAnswerTest, NxdomainBelowALeaf) {
  // The closest encloser fixed.spot has no wildcard: *.spot does not apply.
  auto [plain, r] = ask_both("x.fixed.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  auto v = validate(r);
  expect_signed_soa(r, parent_origin);
  expect_ok(dnssec::prove_nxdomain(id("x.fixed.spot.provx.cn-north."), v.nsecs), "NXDOMAIN proof");
}

// ---- delegations and DS -----------------------------------------------------------------------

TEST_F(SignedAnswerTest, ReferralToASignedChildHasItsSignedDs) {
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

TEST_F(SignedAnswerTest, ReferralToAnUnsignedChildProvesThereIsNoDs) {
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

TEST_F(SignedAnswerTest, DsQueryAtASignedCut) {
  auto [plain, r] = ask_both(child_origin, rtype::ds);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(plain.answer.size(), 1U);
  EXPECT_EQ(plain.answer[0].data, z().child_ds.encode());
  auto v = validate(r);
  EXPECT_EQ(v.answer.verified, 1U);
}

TEST_F(SignedAnswerTest, DsQueryAtAnUnsignedCutIsProvenNodata) {
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

TEST_F(SignedAnswerTest, DsAtAServedChildApexComesFromTheParentAndPinsItsKey) {
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

TEST_F(SignedAnswerTest, ServedChildAnswersBelowTheCutWithItsOwnKey) {
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

TEST_F(SignedAnswerTest, ReferralBelowAnEmptyNonTerminal) {
  auto [plain, r] = ask_both("x.b.deep.provx.cn-north.", rtype::desc);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  auto v = validate(r, {{id("b.deep.provx.cn-north."), rtype::ns}});
  expect_ok(dnssec::prove_no_ds(id("b.deep.provx.cn-north."), v.nsecs), "no-DS proof");
}

TEST_F(SignedAnswerTest, CnameIntoAnUnservedSignedChildEndsInAReferral) {
  auto [plain, r] = ask_both("kid.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(plain.answer.size(), 1U);
  EXPECT_EQ(count(r.authority, rtype::ds), 1U);
  auto v = validate(r, {{id(child_origin), rtype::ns}});
  EXPECT_EQ(v.answer.verified, 1U);
  EXPECT_EQ(v.authority.verified, 1U);
}

TEST_F(SignedAnswerTest, CnameIntoAServedChildIsSignedByEachZone) {
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

// RFC 4034 §3 (a SIG's TTL is its RRset's) and RFC 9077: the SOA in a negative
// answer has TTL min(SOA TTL, negative TTL), and so must its SIG, or a cache
// keeps the SIG twelve times longer than the SOA here (3600 s against 300 s).
TEST_F(SignedAnswerTest, NegativeSoaSigHasTheSoasTtl) {
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
TEST_F(SignedAnswerTest, SigQueryAnswersEverySigAtTheName) {
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
