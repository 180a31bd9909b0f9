// The validator's KEY and RRset steps (validator.hpp) on a zone signed with real keys: the good
// case, and the signing issue's tamper matrix met at this level, each with its exact verdict
// code and reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "validate_fixture.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;
using test::id;
using test::signed_zone;
using wire::error_code;

constexpr std::string_view apex = "provx.cn-north.";
constexpr std::string_view node = "h100.pool1.provx.cn-north.";

void expect_bogus(const verdict& v, error_code code, std::string_view reason) {
  EXPECT_EQ(v.state, security::bogus) << v.reason;
  EXPECT_EQ(v.code, code) << v.reason;
  EXPECT_EQ(v.reason, reason);
}

// ---- validate_keys ----------------------------------------------------------------

verdict keys_with(std::span<const record::rr> key_rrset, std::span<const record::rr> sigs,
                  std::vector<record::ds> ds, std::uint64_t now, zone_keys& out) {
  return validate_keys(test::id(apex), key_rrset, sigs, ds, now, out);
}

TEST(ValidateKeys, GoodKeySetGivesEveryZoneKey) {
  const auto& z = test::zone_once();
  zone_keys out;
  auto v = keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {z.ds()}, z.now, out);
  EXPECT_TRUE(v.is_secure()) << v.reason;
  EXPECT_EQ(out.zone, id(apex));
  ASSERT_EQ(out.keys.size(), 2U);
  std::vector<std::uint16_t> tags{out.keys[0].tag, out.keys[1].tag};
  std::sort(tags.begin(), tags.end());
  std::vector<std::uint16_t> want{z.ksk.tag, z.zsk.tag};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(tags, want);
  for (const auto& k : out.keys) {
    EXPECT_EQ(k.algorithm, static_cast<std::uint32_t>(record::algorithm::ed25519));
  }
  // The keys verify the zone's data.
  EXPECT_TRUE(validate_rrset(out, z.rrset(node, rtype::desc), z.sigs(node, rtype::desc), z.now)
                  .is_secure());
}

TEST(ValidateKeys, DsDigestMismatch) {
  const auto& z = test::zone_once();
  auto ds = z.ds();
  ds.digest[0] = static_cast<char>(ds.digest[0] ^ 1);
  zone_keys out;
  expect_bogus(keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {ds}, z.now, out),
               error_code::ds_digest_mismatch, "DS digest mismatch for provx.cn-north.");
  EXPECT_TRUE(out.keys.empty());
}

TEST(ValidateKeys, DsOfNoKey) {
  const auto& z = test::zone_once();
  auto ds = dnssec::make_ds(z.origin, z.stranger.key_data).value();
  zone_keys out;
  expect_bogus(keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {ds}, z.now, out),
               error_code::key_missing, "no KEY matches the DS of provx.cn-north.");
  expect_bogus(keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {}, z.now, out),
               error_code::key_missing, "no DS to check the KEY of provx.cn-north. against");
  expect_bogus(keys_with({}, {}, {z.ds()}, z.now, out), error_code::key_missing,
               "no KEY matches the DS of provx.cn-north.");
}

TEST(ValidateKeys, KeyReplaced) {
  // The KSK swapped for a stranger's key, the set re-signed by it: the DS pins nothing there.
  const auto& z = test::zone_once();
  auto set = z.rrset(apex, rtype::key);
  for (auto& r : set) {
    if (r.data == z.ksk.key_data) r.data = test::seeded_key('\x44', true).key_data;
  }
  auto sig =
      signed_zone::sign(set, test::seeded_key('\x44', true), z.origin, z.inception, z.expiration);
  zone_keys out;
  expect_bogus(keys_with(set, std::vector<record::rr>{sig}, {z.ds()}, z.now, out),
               error_code::key_missing, "no KEY matches the DS of provx.cn-north.");
}

TEST(ValidateKeys, UnsupportedAlgorithmsMakeTheZoneInsecure) {
  const auto& z = test::zone_once();
  auto odd = z.ds();
  odd.algorithm = 99;
  auto odd_digest = z.ds();
  odd_digest.digest_type = 7;
  zone_keys out;
  auto v =
      keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {odd, odd_digest}, z.now, out);
  EXPECT_EQ(v.state, security::insecure);
  EXPECT_NE(v.reason.find("unsupported algorithm"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("provx.cn-north."), std::string::npos) << v.reason;
  EXPECT_TRUE(out.keys.empty());
  // One supported DS beside them: validated as usual.
  EXPECT_TRUE(
      keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {odd, z.ds()}, z.now, out)
          .is_secure());
}

TEST(ValidateKeys, SignatureWindow) {
  const auto& z = test::zone_once();
  zone_keys out;
  expect_bogus(keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {z.ds()},
                         z.expiration + 1, out),
               error_code::signature_expired, "signature expired on KEY provx.cn-north.");
  expect_bogus(keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {z.ds()},
                         z.inception - 1, out),
               error_code::signature_not_yet_valid,
               "signature not yet valid on KEY provx.cn-north.");
  EXPECT_TRUE(out.keys.empty());
  // The window is inclusive at both ends.
  EXPECT_TRUE(
      keys_with(z.rrset(apex, rtype::key), z.sigs(apex, rtype::key), {z.ds()}, z.expiration, out)
          .is_secure());
}

TEST(ValidateKeys, SigMissingOrNotByThePinnedKey) {
  const auto& z = test::zone_once();
  zone_keys out;
  expect_bogus(keys_with(z.rrset(apex, rtype::key), {}, {z.ds()}, z.now, out),
               error_code::signatures_missing, "no signature on KEY provx.cn-north.");
  // Only the ZSK's SIG is left: no DS pins the ZSK.
  std::vector<record::rr> zsk_only;
  for (const auto& r : z.sigs(apex, rtype::key)) {
    if (record::sig::decode(r.data)->key_tag == z.zsk.tag) zsk_only.push_back(r);
  }
  ASSERT_EQ(zsk_only.size(), 1U);
  expect_bogus(keys_with(z.rrset(apex, rtype::key), zsk_only, {z.ds()}, z.now, out),
               error_code::signatures_missing,
               "no signature on KEY provx.cn-north. by a key its DS pins");
}

TEST(ValidateKeys, KeySetChangedAfterSigning) {
  const auto& z = test::zone_once();
  auto set = z.rrset(apex, rtype::key);
  set.push_back(record::rr{z.origin, rtype::key, 3600, z.stranger.key_data});
  zone_keys out;
  expect_bogus(keys_with(set, z.sigs(apex, rtype::key), {z.ds()}, z.now, out),
               error_code::dnssec_bogus, "bad signature on KEY provx.cn-north.");
}

// ---- validate_rrset: the tamper matrix ----------------------------------------------

struct ValidateRrset : ::testing::Test {
  const signed_zone& z = test::zone_once();
  zone_keys keys = z.keys();
  std::vector<record::rr> desc = z.rrset(node, rtype::desc);
  std::vector<record::rr> desc_sigs = z.sigs(node, rtype::desc);

  verdict check(std::span<const record::rr> set, std::span<const record::rr> sigs,
                std::uint64_t now = signed_zone::now) const {
    return validate_rrset(keys, set, sigs, now);
  }
  record::rr resign(const dnssec::zone_key& key, std::uint64_t from, std::uint64_t until,
                    const name::identifier& signer) const {
    return signed_zone::sign(desc, key, signer, from, until);
  }
};

TEST_F(ValidateRrset, Good) {
  ASSERT_EQ(desc_sigs.size(), 1U);
  EXPECT_TRUE(check(desc, desc_sigs).is_secure());
  // Every signed RRset of the zone validates, whatever SIGs of other RRsets come with it.
  for (auto [owner, type] : {std::pair{apex, rtype::soa}, std::pair{apex, rtype::ns},
                             std::pair{std::string_view("ns1.provx.cn-north."), rtype::addr},
                             std::pair{node, rtype::state}}) {
    EXPECT_TRUE(validate_rrset(keys, z.rrset(owner, type), z.records, z.now).is_secure())
        << owner << " " << record::type_name(type);
  }
}

TEST_F(ValidateRrset, TtlsDecrementedByACacheStillVerify) {
  for (auto& r : desc) r.ttl = 17;
  EXPECT_TRUE(check(desc, desc_sigs).is_secure());
}

TEST_F(ValidateRrset, DataChangedAfterSigning) {
  auto d = record::desc::decode(desc[0].data).value();
  d.accel_count = 16;
  desc[0].data = d.encode();
  expect_bogus(check(desc, desc_sigs), error_code::dnssec_bogus,
               "bad signature on DESC h100.pool1.provx.cn-north.");
  // A record added or removed is a change too.
  auto more = z.rrset(node, rtype::desc);
  more.push_back(desc[0]);
  EXPECT_EQ(check(more, desc_sigs).code, error_code::dnssec_bogus);
}

TEST_F(ValidateRrset, SignedByAnotherKeyWithTheSameTag) {
  auto forger = z.stranger;
  forger.tag = z.zsk.tag;
  auto sig = resign(forger, z.inception, z.expiration, z.origin);
  expect_bogus(check(desc, std::vector<record::rr>{sig}), error_code::dnssec_bogus,
               "bad signature on DESC h100.pool1.provx.cn-north.");
}

TEST_F(ValidateRrset, SignedByAnUnknownKey) {
  auto sig = resign(z.stranger, z.inception, z.expiration, z.origin);
  expect_bogus(check(desc, std::vector<record::rr>{sig}), error_code::key_missing,
               fmt::format("no KEY of provx.cn-north. with tag {} for the signature on DESC "
                           "h100.pool1.provx.cn-north.",
                           z.stranger.tag));
  // Beside the good SIG it does no harm.
  EXPECT_TRUE(check(desc, std::vector<record::rr>{sig, desc_sigs[0]}).is_secure());
}

TEST_F(ValidateRrset, Expired) {
  expect_bogus(check(desc, desc_sigs, z.expiration + 1), error_code::signature_expired,
               "signature expired on DESC h100.pool1.provx.cn-north.");
  auto old = resign(z.zsk, z.inception - 100, z.now - 1, z.origin);
  expect_bogus(check(desc, std::vector<record::rr>{old}), error_code::signature_expired,
               "signature expired on DESC h100.pool1.provx.cn-north.");
}

TEST_F(ValidateRrset, NotYetValid) {
  auto early = resign(z.zsk, z.now + 1, z.expiration, z.origin);
  expect_bogus(check(desc, std::vector<record::rr>{early}), error_code::signature_not_yet_valid,
               "signature not yet valid on DESC h100.pool1.provx.cn-north.");
  // An expired SIG and a good one: the good one wins.
  auto old = resign(z.zsk, z.inception - 100, z.now - 1, z.origin);
  EXPECT_TRUE(check(desc, std::vector<record::rr>{old, desc_sigs[0]}).is_secure());
}

TEST_F(ValidateRrset, SigRemoved) {
  expect_bogus(check(desc, {}), error_code::signatures_missing,
               "no signature on DESC h100.pool1.provx.cn-north.");
  // SIGs over other types or at other owners do not count.
  expect_bogus(check(desc, z.sigs(node, rtype::state)), error_code::signatures_missing,
               "no signature on DESC h100.pool1.provx.cn-north.");
  expect_bogus(validate_rrset(keys, z.rrset("legacy.provx.cn-north.", rtype::ns), z.records, z.now),
               error_code::signatures_missing, "no signature on NS legacy.provx.cn-north.");
}

TEST_F(ValidateRrset, SignerIsNotTheZone) {
  auto sig = resign(z.zsk, z.inception, z.expiration, id("cn-north."));
  expect_bogus(check(desc, std::vector<record::rr>{sig}), error_code::dnssec_bogus,
               "signer cn-north. is not the zone provx.cn-north. (signature on DESC "
               "h100.pool1.provx.cn-north.)");
}

TEST_F(ValidateRrset, MostTellingReasonWins) {
  auto wrong_signer = resign(z.zsk, z.inception, z.expiration, id("cn-north."));
  auto unknown = resign(z.stranger, z.inception, z.expiration, z.origin);
  EXPECT_EQ(
      check(desc, std::vector<record::rr>{wrong_signer, unknown, desc_sigs[0]}, z.expiration + 5)
          .code,
      error_code::signature_expired);
  EXPECT_EQ(check(desc, std::vector<record::rr>{unknown, wrong_signer}).code,
            error_code::key_missing);
}

TEST_F(ValidateRrset, WildcardExpansionIsReported) {
  auto set = z.rrset("*.spot.provx.cn-north.", rtype::desc);
  auto sigs = z.sigs("*.spot.provx.cn-north.", rtype::desc);
  for (auto& r : set) r.owner = id("x.spot.provx.cn-north.");
  for (auto& r : sigs) r.owner = id("x.spot.provx.cn-north.");
  std::optional<name::identifier> from;
  EXPECT_TRUE(validate_rrset(keys, set, sigs, z.now, &from).is_secure());
  ASSERT_TRUE(from);
  EXPECT_EQ(from->text(), "*.spot.provx.cn-north.");
  // Not an expansion: reset to nullopt.
  EXPECT_TRUE(check(desc, desc_sigs).is_secure());
  EXPECT_TRUE(validate_rrset(keys, desc, desc_sigs, z.now, &from).is_secure());
  EXPECT_FALSE(from);
  // Renamed deeper than the wildcard's parent allows: the labels no longer fit.
  for (auto& r : set) r.owner = id("y.x.other.provx.cn-north.");
  for (auto& r : sigs) r.owner = id("y.x.other.provx.cn-north.");
  EXPECT_TRUE(validate_rrset(keys, set, sigs, z.now).is_bogus());
}

TEST_F(ValidateRrset, MixedOwnersAreRefused) {
  auto set = desc;
  set.push_back(z.rrset(node, rtype::state)[0]);
  EXPECT_TRUE(check(set, desc_sigs).is_bogus());
  EXPECT_TRUE(check({}, desc_sigs).is_bogus());
}

}  // namespace
}  // namespace cidns::resolve
