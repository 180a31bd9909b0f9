// The trust anchor file (load_trust_anchor / parse_trust_anchor): DS and KEY lines as
// `cidns-admin zone ds` and `keygen` write them, and errors as file:line:col; and the
// validator fed garbage bytes in SIG, KEY and NSEC data, which must come back bogus.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cidns/record/presentation.hpp"
#include "validate_fixture.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;
using test::id;
using test::signed_zone;

const std::string source_dir = CIDNS_SOURCE_DIR;
constexpr std::string_view root_ds =
    ". 3600 DS 29509 ed25519 sha256 "
    "c4fe6a4f06017587a3c0984f9689518c3f616865e47193a925eb19e6643799e0\n";
constexpr std::string_view root_key =
    "; key-signing key 29509 for .\n"
    ". 3600 KEY zone|sep ed25519 YHwcSiJP+DeiYSQ/m+W/xWR0qUyXXY98/OjPwf74ydQ=\n";

TEST(TrustAnchor, DsLine) {
  auto a = parse_trust_anchor(root_ds, "root.anchor");
  ASSERT_TRUE(a) << a.err().message;
  EXPECT_TRUE(a->zone.is_root());
  ASSERT_EQ(a->ds.size(), 1U);
  EXPECT_EQ(a->ds[0].key_tag, 29509U);
  EXPECT_EQ(a->ds[0].algorithm, static_cast<std::uint32_t>(record::algorithm::ed25519));
  EXPECT_EQ(a->ds[0].digest_type, static_cast<std::uint32_t>(record::digest_type::sha256));
  EXPECT_EQ(a->ds[0].digest.size(), 32U);
}

TEST(TrustAnchor, KeyLineBecomesItsDs) {
  auto from_key = parse_trust_anchor(root_key, "K.key");
  auto from_ds = parse_trust_anchor(root_ds, "root.anchor");
  ASSERT_TRUE(from_key) << from_key.err().message;
  ASSERT_TRUE(from_ds) << from_ds.err().message;
  EXPECT_EQ(from_key->ds, from_ds->ds);
  // Both lines together, and a duplicate: one DS.
  auto both = parse_trust_anchor(
      std::string(root_key) + std::string(root_ds) + std::string(root_ds), "both");
  ASSERT_TRUE(both) << both.err().message;
  EXPECT_EQ(both->ds, from_ds->ds);
}

TEST(TrustAnchor, FilesOfTheSignedHierarchy) {
  auto a = load_trust_anchor(source_dir + "/zonefiles/signed/root.anchor");
  auto k = load_trust_anchor(source_dir + "/zonefiles/keys/K.+ed25519+29509.key");
  ASSERT_TRUE(a) << a.err().message;
  ASSERT_TRUE(k) << k.err().message;
  EXPECT_EQ(a->ds, k->ds);
  EXPECT_EQ(a->ds.at(0).key_tag, 29509U);
}

TEST(TrustAnchor, AnyZoneAndTheKeyItPins) {
  // A DS for a zone below the root, checked by validate_keys against that zone's KEY set.
  const auto& z = test::zone_once();
  const std::string line = record::format_rr({z.origin, rtype::ds, 3600, z.ds().encode()}) + "\n";
  auto a = parse_trust_anchor(line, "provx.anchor");
  ASSERT_TRUE(a) << a.err().message << "\n" << line;
  EXPECT_EQ(a->zone, z.origin);
  zone_keys out;
  EXPECT_TRUE(validate_keys(a->zone, z.rrset(z.origin.text(), rtype::key),
                            z.sigs(z.origin.text(), rtype::key), a->ds, z.now, out)
                  .is_secure());
}

void expect_error(std::string_view text, std::string_view starts_with, std::uint32_t line) {
  auto a = parse_trust_anchor(text, "anchor");
  ASSERT_FALSE(a) << text;
  EXPECT_EQ(a.err().message.substr(0, starts_with.size()), starts_with) << a.err().message;
  if (line != 0) {
    EXPECT_EQ(a.err().line, line) << a.err().message;
  }
}

TEST(TrustAnchor, ErrorsSayFileLineColumn) {
  expect_error(std::string(root_ds) + "cn-north. 3600 DS 1 ed25519 sha256 00ff\n",
               "anchor:2:1: the trust anchor is for ., not also for cn-north.", 2);
  expect_error(std::string(root_ds) + "\n. 3600 TXT \"hello\"\n",
               "anchor:3:1: a trust anchor holds DS or KEY records, not TXT", 3);
  expect_error(". 3600 KEY 0 ed25519 YHwcSiJP+DeiYSQ/m+W/xWR0qUyXXY98/OjPwf74ydQ=\n",
               "anchor:1:1: the KEY is not a zone key", 1);
  expect_error("; nothing\n", "anchor:1:1: no DS or KEY record in the trust anchor", 1);
  // Syntax errors come from the zonefile reader, at the token at fault.
  expect_error(". 3600 DS 29509 ed25519 sha256 c4fe\n$INCLUDE other\n",
               "anchor:2:1: $INCLUDE is not allowed here", 2);
  auto missing = load_trust_anchor(source_dir + "/no/such/anchor");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.err().message.find("no/such/anchor"), std::string::npos);
}

TEST(TrustAnchor, SyntaxErrorColumn) {
  auto a = parse_trust_anchor(". 3600 DS 29509 nosuchalg sha256 c4fe\n", "anchor");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.err().message,
            "anchor:1:17: DS algorithm: unknown value \"nosuchalg\" (one of: ed25519 p256 sm2)");
  EXPECT_EQ(a.err().line, 1U);
  EXPECT_EQ(a.err().col, 17U);
}

// ---- garbage never crashes ----------------------------------------------------------

// Deterministic pseudo-random bytes (xorshift), some of them valid protobuf prefixes.
std::string garbage(std::uint32_t& state, std::size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state & 0xff);
  }
  return out;
}

TEST(ValidateGarbage, SigKeyAndNsecDataNeverCrash) {
  const auto& z = test::zone_once();
  const auto keys = z.keys();
  const auto node = id("h100.pool1.provx.cn-north.");
  const auto desc = z.rrset(node.text(), rtype::desc);
  auto good_sig = record::sig::decode(z.sigs(node.text(), rtype::desc).at(0).data).value();
  std::uint32_t state = 0x9e3779b9;
  for (int i = 0; i < 300; ++i) {
    const std::size_t n = static_cast<std::size_t>(i % 120);
    // SIG data: random bytes, and a real SIG with random signature / signer bytes.
    std::vector<record::rr> sigs{{node, rtype::sig, 3600, garbage(state, n)}};
    auto s = good_sig;
    s.signature = garbage(state, n);
    sigs.push_back({node, rtype::sig, 3600, s.encode()});
    s = good_sig;
    s.labels = state % 9;
    s.signature = garbage(state, 64);
    sigs.push_back({node, rtype::sig, 3600, s.encode()});
    EXPECT_TRUE(validate_rrset(keys, desc, sigs, z.now).is_bogus());

    // KEY data: random bytes in the KEY RRset, and KEYs with random public keys.
    auto key_set = z.rrset(z.origin.text(), rtype::key);
    key_set.push_back({z.origin, rtype::key, 3600, garbage(state, n)});
    record::key k{record::key_flag_zone, state % 5, garbage(state, n)};
    key_set.push_back({z.origin, rtype::key, 3600, k.encode()});
    zone_keys out;
    auto ds = z.ds();
    ds.algorithm = k.algorithm;
    ds.key_tag = dnssec::key_tag(key_set.back().data);
    EXPECT_FALSE(validate_keys(z.origin, key_set, z.sigs(z.origin.text(), rtype::key),
                               std::vector<record::ds>{ds, z.ds()}, z.now, out)
                     .is_secure());

    // NSEC data: random bytes at a real NSEC's owner with its real SIG, and alone.
    auto authority = z.signed_set(node.text(), rtype::nsec);
    authority.front().data = garbage(state, n);
    authority.push_back({id("zz.provx.cn-north."), rtype::nsec, 3600, garbage(state, n)});
    EXPECT_TRUE(
        validate_denial(keys, denial_kind::nodata, node, rtype::ep, authority, z.now).is_bogus());
  }
}

}  // namespace
}  // namespace cidns::resolve
