// The validator's denial step (validate_denial) on the NSEC chain of a zone signed with real
// keys: every kind of denial proven, and each refused when its proof is missing, incomplete,
// tampered with or unsigned.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "validate_fixture.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;
using test::id;
using test::signed_zone;
using wire::error_code;

constexpr std::string_view apex = "provx.cn-north.";
constexpr std::string_view legacy = "legacy.provx.cn-north.";
constexpr std::string_view ns1 = "ns1.provx.cn-north.";
constexpr std::string_view node = "h100.pool1.provx.cn-north.";
constexpr std::string_view spot = "*.spot.provx.cn-north.";

struct ValidateDenial : ::testing::Test {
  const signed_zone& z = test::zone_once();
  zone_keys keys = z.keys();

  // The signed NSEC RRsets at `owners`, as an authority section carries them.
  std::vector<record::rr> nsecs(std::initializer_list<std::string_view> owners) const {
    std::vector<record::rr> out;
    for (auto o : owners) {
      for (auto& r : z.signed_set(o, rtype::nsec)) out.push_back(std::move(r));
    }
    return out;
  }
  verdict check(denial_kind kind, std::string_view qname, rtype qtype,
                std::span<const record::rr> authority,
                const name::identifier* wildcard = nullptr) const {
    return validate_denial(keys, kind, id(qname), qtype, authority, z.now, wildcard);
  }
};

void expect_bogus(const verdict& v, error_code code, std::string_view reason) {
  EXPECT_EQ(v.state, security::bogus) << v.reason;
  EXPECT_EQ(v.code, code) << v.reason;
  EXPECT_EQ(v.reason, reason);
}

TEST_F(ValidateDenial, Nxdomain) {
  // legacy -> ns1 covers nothere; the apex NSEC (apex -> a.ent) covers *.provx.cn-north.
  const auto proof = nsecs({legacy, apex});
  EXPECT_TRUE(
      check(denial_kind::nxdomain, "nothere.provx.cn-north.", rtype::desc, proof).is_secure());
  // The wildcard's NSEC removed.
  expect_bogus(
      check(denial_kind::nxdomain, "nothere.provx.cn-north.", rtype::desc, nsecs({legacy})),
      error_code::nsec_missing,
      "no NSEC proves NXDOMAIN for nothere.provx.cn-north. (no NSEC covers the wildcard "
      "*.provx.cn-north.)");
  // Every NSEC removed.
  expect_bogus(check(denial_kind::nxdomain, "nothere.provx.cn-north.", rtype::desc, {}),
               error_code::nsec_missing,
               "no NSEC proves NXDOMAIN for nothere.provx.cn-north. (no NSEC covers "
               "nothere.provx.cn-north.)");
  // An existing name cannot be denied with the zone's own chain.
  EXPECT_EQ(check(denial_kind::nxdomain, ns1, rtype::desc, nsecs({legacy, apex, ns1})).code,
            error_code::nsec_missing);
}

TEST_F(ValidateDenial, NsecUnsignedOrTampered) {
  // The SIG of the covering NSEC removed.
  auto proof = nsecs({apex});
  for (auto& r : z.rrset(legacy, rtype::nsec)) proof.push_back(r);
  expect_bogus(check(denial_kind::nxdomain, "nothere.provx.cn-north.", rtype::desc, proof),
               error_code::signatures_missing, "no signature on NSEC legacy.provx.cn-north.");
  // The NSEC's type list changed after signing (DS added, so it would claim a signed child).
  proof = nsecs({legacy, apex});
  for (auto& r : proof) {
    if (r.type != rtype::nsec || r.owner != id(legacy)) continue;
    auto n = record::nsec::decode(r.data).value();
    n.types.push_back(rtype::ds);
    std::sort(n.types.begin(), n.types.end());
    r.data = n.encode();
  }
  expect_bogus(check(denial_kind::nxdomain, "nothere.provx.cn-north.", rtype::desc, proof),
               error_code::dnssec_bogus, "bad signature on NSEC legacy.provx.cn-north.");
  // Its next name stretched to cover more.
  proof = nsecs({legacy, apex});
  for (auto& r : proof) {
    if (r.type != rtype::nsec || r.owner != id(legacy)) continue;
    auto n = record::nsec::decode(r.data).value();
    n.next = id(spot);
    r.data = n.encode();
  }
  EXPECT_EQ(check(denial_kind::nxdomain, "x.pool1.provx.cn-north.", rtype::desc, proof).code,
            error_code::dnssec_bogus);
  // Expired.
  EXPECT_EQ(validate_denial(keys, denial_kind::nxdomain, id("nothere.provx.cn-north."), rtype::desc,
                            nsecs({legacy, apex}), z.expiration + 1)
                .code,
            error_code::signature_expired);
}

TEST_F(ValidateDenial, Nodata) {
  EXPECT_TRUE(check(denial_kind::nodata, node, rtype::ep, nsecs({node})).is_secure());
  expect_bogus(check(denial_kind::nodata, node, rtype::desc, nsecs({node})),
               error_code::nsec_missing,
               "no NSEC proves NODATA for DESC h100.pool1.provx.cn-north. (the NSEC of "
               "h100.pool1.provx.cn-north. lists the type or a CNAME)");
  // RESOURCE asks for DESC, STATE and EP: h100 has DESC.
  EXPECT_EQ(check(denial_kind::nodata, node, rtype::resource, nsecs({node})).code,
            error_code::nsec_missing);
  // The NSEC of another name proves nothing about h100.
  EXPECT_EQ(check(denial_kind::nodata, node, rtype::ep, nsecs({ns1, apex})).code,
            error_code::nsec_missing);
  // The parent side of the delegation denies DS, nothing else.
  EXPECT_TRUE(check(denial_kind::nodata, legacy, rtype::ds, nsecs({legacy})).is_secure());
  EXPECT_EQ(check(denial_kind::nodata, legacy, rtype::desc, nsecs({legacy})).code,
            error_code::nsec_missing);
}

TEST_F(ValidateDenial, NodataAtAnEmptyNonTerminal) {
  // ns1 -> h100.pool1 covers pool1., and its next name lies below pool1.
  EXPECT_TRUE(
      check(denial_kind::nodata, "pool1.provx.cn-north.", rtype::desc, nsecs({ns1})).is_secure());
  EXPECT_TRUE(
      check(denial_kind::nodata, "ent.provx.cn-north.", rtype::desc, nsecs({apex})).is_secure());
  EXPECT_EQ(check(denial_kind::nodata, "pool1.provx.cn-north.", rtype::desc, nsecs({legacy})).code,
            error_code::nsec_missing);
}

TEST_F(ValidateDenial, WildcardAnswer) {
  // The answer for x.spot came from *.spot: *.spot's NSEC (the last, wrapping to the apex)
  // covers x.spot, whose closest encloser is spot.
  const auto wildcard = id(spot);
  EXPECT_TRUE(check(denial_kind::wildcard_answer, "x.spot.provx.cn-north.", rtype::desc,
                    nsecs({spot}), &wildcard)
                  .is_secure());
  // No NSEC: a closer name might exist.
  expect_bogus(
      check(denial_kind::wildcard_answer, "x.spot.provx.cn-north.", rtype::desc, {}, &wildcard),
      error_code::nsec_missing,
      "no NSEC proves the wildcard answer for x.spot.provx.cn-north. (no NSEC covers "
      "x.spot.provx.cn-north.)");
  // A wildcard that is not at the closest encloser.
  const auto apex_wildcard = id("*.provx.cn-north.");
  EXPECT_EQ(check(denial_kind::wildcard_answer, "x.spot.provx.cn-north.", rtype::desc,
                  nsecs({spot}), &apex_wildcard)
                .code,
            error_code::nsec_missing);
  EXPECT_TRUE(
      check(denial_kind::wildcard_answer, "x.spot.provx.cn-north.", rtype::desc, nsecs({spot}))
          .is_bogus());
}

TEST_F(ValidateDenial, WildcardAnswerThroughValidateRrset) {
  // What the core does: the RRset validates as an expansion, then the expansion is proven.
  auto set = z.rrset(spot, rtype::desc);
  auto sigs = z.sigs(spot, rtype::desc);
  for (auto& r : set) r.owner = id("gpu9.spot.provx.cn-north.");
  for (auto& r : sigs) r.owner = id("gpu9.spot.provx.cn-north.");
  std::optional<name::identifier> from;
  ASSERT_TRUE(validate_rrset(keys, set, sigs, z.now, &from).is_secure());
  ASSERT_TRUE(from);
  EXPECT_TRUE(check(denial_kind::wildcard_answer, "gpu9.spot.provx.cn-north.", rtype::desc,
                    nsecs({spot}), &*from)
                  .is_secure());
}

TEST_F(ValidateDenial, WildcardNodata) {
  EXPECT_TRUE(
      check(denial_kind::wildcard_nodata, "x.spot.provx.cn-north.", rtype::ep, nsecs({spot}))
          .is_secure());
  expect_bogus(
      check(denial_kind::wildcard_nodata, "x.spot.provx.cn-north.", rtype::desc, nsecs({spot})),
      error_code::nsec_missing,
      "no NSEC proves wildcard NODATA for DESC x.spot.provx.cn-north. (the NSEC of "
      "*.spot.provx.cn-north. lists the type or a CNAME)");
  EXPECT_EQ(check(denial_kind::wildcard_nodata, "x.spot.provx.cn-north.", rtype::ep, {}).code,
            error_code::nsec_missing);
}

TEST_F(ValidateDenial, NoDs) {
  EXPECT_TRUE(check(denial_kind::no_ds, legacy, rtype::ds, nsecs({legacy})).is_secure());
  expect_bogus(check(denial_kind::no_ds, ns1, rtype::ds, nsecs({ns1})), error_code::nsec_missing,
               "no NSEC proves no DS at the delegation ns1.provx.cn-north. (the NSEC at "
               "ns1.provx.cn-north. lists no NS)");
  EXPECT_EQ(check(denial_kind::no_ds, apex, rtype::ds, nsecs({apex})).code,
            error_code::nsec_missing);
  expect_bogus(check(denial_kind::no_ds, legacy, rtype::ds, {}), error_code::nsec_missing,
               "no NSEC proves no DS at the delegation legacy.provx.cn-north. (no NSEC at the "
               "delegation legacy.provx.cn-north.)");
}

TEST_F(ValidateDenial, NsecFromAWildcardExpansionProvesNothing) {
  // *.spot's NSEC and SIG renamed: the SIG verifies as an expansion, which NSEC must not be.
  auto proof = nsecs({spot});
  for (auto& r : proof) r.owner = id("x.spot.provx.cn-north.");
  expect_bogus(check(denial_kind::nodata, "x.spot.provx.cn-north.", rtype::ep, proof),
               error_code::dnssec_bogus,
               "NSEC of x.spot.provx.cn-north. is signed as a wildcard expansion of "
               "*.spot.provx.cn-north.");
}

TEST_F(ValidateDenial, NsecOutsideTheZoneIsIgnored) {
  // An unsigned NSEC of another zone neither breaks nor helps the proof.
  auto proof = nsecs({node});
  record::nsec other{id("b.other."), {rtype::desc, rtype::nsec}};
  proof.push_back(record::rr{id("a.other."), rtype::nsec, 300, other.encode()});
  EXPECT_TRUE(check(denial_kind::nodata, node, rtype::ep, proof).is_secure());
}

}  // namespace
}  // namespace cidns::resolve
