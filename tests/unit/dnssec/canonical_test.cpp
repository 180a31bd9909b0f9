// The worked example of docs/PROTOCOL.md §4.1, byte for byte: KEY data, key
// tag, DS digest, SIG fields, SignedData and the Ed25519 signature (RFC 8032
// test 1 key, so anyone can recompute it with other tools).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/time.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/reader.hpp"
#include "common/hex.hpp"

namespace cidns::dnssec {
namespace {

using test::hex;
using test::unhex;

name::identifier id(std::string_view t) { return name::identifier::parse(t).value(); }

struct worked_example {
  zone_key key =
      zone_key::from(private_key::from_ed25519_seed(
                         unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
                         .value(),
                     true);
  name::identifier zone = id("provx.cn-north.");
  name::identifier owner = id("h100-8x.pool1.provx.cn-north.");
  std::string state = [] {
    record::state s;
    s.free = 3;
    s.score = 8;
    return s.encode();
  }();
  static constexpr std::uint64_t inception = 1764547200;   // 2025-12-01T00:00:00Z
  static constexpr std::uint64_t expiration = 1767225600;  // 2026-01-01T00:00:00Z
};

TEST(Canonical, WorkedExampleKeyData) {
  worked_example w;
  EXPECT_EQ(hex(w.key.key_data),
            "080310011a20d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(Canonical, WorkedExampleKeyTagIsTheFirstTwoBytesOfSha256) {
  worked_example w;
  EXPECT_EQ(hex(sha256(w.key.key_data)),
            "acf79cc1a19ccb8ffbafdd8b4caf647d03f9884426db66640df456a3801261bf");
  EXPECT_EQ(key_tag(w.key.key_data), 0xacf7);
  EXPECT_EQ(w.key.tag, 44279);
}

TEST(Canonical, WorkedExampleDsDigest) {
  worked_example w;
  std::string body;
  wire::encode_record_body(w.zone.text(), record::rtype::key, 0, w.key.key_data, body);
  EXPECT_EQ(hex(body),
            "0a0f70726f76782e636e2d6e6f7274682e10092226"
            "080310011a20d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(hex(ds_digest(w.zone, w.key.key_data)),
            "a8dcf1c237cb9161adfdac2b2b4a7489fc161be5fa92f99f756e52e35f397c89");
  auto ds = make_ds(w.zone, w.key.key_data).value();
  EXPECT_EQ(ds.key_tag, 44279U);
  EXPECT_EQ(ds.algorithm, 1U);
  EXPECT_EQ(ds.digest_type, 1U);
  EXPECT_EQ(ds.digest, ds_digest(w.zone, w.key.key_data));
}

TEST(Canonical, WorkedExampleSignedDataAndSignature) {
  worked_example w;
  EXPECT_EQ(hex(w.state), "08031008");
  std::string_view datas[] = {w.state};
  auto sig = sign_rrset(w.key, w.zone, {w.owner, record::rtype::state, 30, datas},
                        worked_example::inception, worked_example::expiration);
  EXPECT_EQ(hex(sig.encode_unsigned()),
            "080710011804201e2880f2d6ca063080b5b3c90638f7d902420f70726f76782e636e2d6e6f7274682e");
  std::string signed_bytes;
  signed_data(sig, w.owner, record::rtype::state, datas, signed_bytes);
  EXPECT_EQ(hex(signed_bytes),
            "0a29080710011804201e2880f2d6ca063080b5b3c90638f7d902420f70726f76782e636e2d6e6f727468"
            "2e12290a1d683130302d38782e706f6f6c312e70726f76782e636e2d6e6f7274682e1007181e22040803"
            "1008");
  // Ed25519 is deterministic: this is the golden signature.
  EXPECT_EQ(hex(sig.signature),
            "fcb3a14bbb1ae0c001ae567f691960777dff7726fc498bd082d1150530090e08"
            "da2692970eb8f1121df3d52b17e045c8761b095980af5ac58abcfe155f26860e");
  auto pub = public_key::from_wire(1, w.key.key.public_key_bytes()).value();
  EXPECT_TRUE(verify_rrset(sig, pub, {w.owner, record::rtype::state, 30, datas}).ok());
}

// docs/PROTOCOL.md §12.3 shows the example in hex and in presentation format:
// both must be what the code computes.
TEST(Canonical, WorkedExampleInProtocolMdIsWhatTheCodeComputes) {
  std::ifstream in(std::string(CIDNS_SOURCE_DIR) + "/docs/PROTOCOL.md");
  ASSERT_TRUE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  auto at = doc.find("### 12.3 Worked example");
  ASSERT_NE(at, std::string::npos);
  const std::string section = doc.substr(at, doc.find("### 12.4", at) - at);
  std::string squeezed;  // the table writes bytes in groups: compare without spaces and ticks
  for (char c : section) {
    if (c != ' ' && c != '`') squeezed.push_back(c);
  }
  worked_example w;
  std::string_view datas[] = {w.state};
  auto sig = sign_rrset(w.key, w.zone, {w.owner, record::rtype::state, 30, datas},
                        worked_example::inception, worked_example::expiration);
  std::string signed_bytes;
  signed_data(sig, w.owner, record::rtype::state, datas, signed_bytes);
  for (const std::string& bytes :
       {w.key.key_data, sha256(w.key.key_data), ds_digest(w.zone, w.key.key_data),
        sig.encode_unsigned(), signed_bytes, sig.signature}) {
    EXPECT_NE(squeezed.find(hex(bytes)), std::string::npos) << hex(bytes) << " is not in the doc";
  }
  // The presentation lines, read back as a zonefile would be.
  auto block = section.find("```\n");
  ASSERT_NE(block, std::string::npos);
  const std::string text = section.substr(block + 4, section.find("```", block + 4) - block - 4);
  zone::reader_options o;
  o.origin = name::identifier();
  auto r = zone::read_text(text, "PROTOCOL.md", o);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics.front().message);
  ASSERT_EQ(r.zone.records.size(), 3U);
  EXPECT_EQ(r.zone.records[0].data, w.key.key_data);
  EXPECT_EQ(r.zone.records[1].data, make_ds(w.zone, w.key.key_data).value().encode());
  EXPECT_EQ(r.zone.records[2].data, sig.encode());
}

TEST(Canonical, SignedDataSortsByDataAndDropsDuplicates) {
  worked_example w;
  record::sig s;
  s.type_covered = record::rtype::txt;
  s.original_ttl = 60;
  std::string a = "\x0a\x01"
                  "b",
              b = "\x0a\x01"
                  "a";
  std::string_view given[] = {a, b, a};
  std::string_view sorted[] = {b, a};
  std::string x, y;
  signed_data(s, w.owner, record::rtype::txt, given, x);
  signed_data(s, w.owner, record::rtype::txt, sorted, y);
  EXPECT_EQ(x, y);
}

TEST(Canonical, WildcardOwnerFromLabels) {
  EXPECT_EQ(sig_labels(id("*.spot.provx.cn-north.")), 3U);
  EXPECT_EQ(sig_labels(id("a.spot.provx.cn-north.")), 4U);
  EXPECT_EQ(signed_owner(id("a.spot.provx.cn-north."), 3).value().text(), "*.spot.provx.cn-north.");
  EXPECT_EQ(signed_owner(id("x.y.spot.provx.cn-north."), 3).value().text(),
            "*.spot.provx.cn-north.");
  EXPECT_EQ(signed_owner(id("a.spot.provx.cn-north."), 4).value().text(), "a.spot.provx.cn-north.");
  EXPECT_FALSE(signed_owner(id("a.b."), 3).ok());
}

TEST(Canonical, RoundTripsForEveryAlgorithm) {
  worked_example w;
  std::string_view datas[] = {w.state};
  for (auto alg : {record::algorithm::ed25519, record::algorithm::p256, record::algorithm::sm2}) {
    auto k = zone_key::from(private_key::generate(alg), false);
    auto sig = sign_rrset(k, w.zone, {w.owner, record::rtype::state, 30, datas}, 1, 2);
    auto pub = public_key::from_wire(static_cast<std::uint32_t>(alg), k.key.public_key_bytes());
    ASSERT_TRUE(pub.ok()) << algorithm_name(static_cast<std::uint32_t>(alg));
    EXPECT_TRUE(verify_rrset(sig, *pub, {w.owner, record::rtype::state, 30, datas}).ok())
        << algorithm_name(static_cast<std::uint32_t>(alg));
    // The same signature over other data, another TTL or another owner fails.
    std::string other = "\x08\x04";
    std::string_view changed[] = {other};
    EXPECT_FALSE(verify_rrset(sig, *pub, {w.owner, record::rtype::state, 30, changed}).ok());
    EXPECT_FALSE(verify_rrset(sig, *pub, {w.zone, record::rtype::state, 30, datas}).ok());
    sig.original_ttl = 31;
    EXPECT_FALSE(verify_rrset(sig, *pub, {w.owner, record::rtype::state, 30, datas}).ok());
  }
}

TEST(Canonical, ValidityWindow) {
  record::sig s;
  s.inception = 100;
  s.expiration = 200;
  EXPECT_TRUE(check_window(s, 100).ok());
  EXPECT_TRUE(check_window(s, 200).ok());
  EXPECT_NE(check_window(s, 201).err().message.find("signature expired"), std::string::npos);
  EXPECT_NE(check_window(s, 99).err().message.find("not valid before"), std::string::npos);
  EXPECT_EQ(record::format_sig_time(1764547200), "20251201000000");
  EXPECT_EQ(record::parse_time("20251201000000").value(), 1764547200U);
  EXPECT_EQ(record::parse_time("2025-12-01T00:00:00Z").value(), 1764547200U);
  EXPECT_FALSE(record::parse_time("tomorrow").ok());
}

}  // namespace
}  // namespace cidns::dnssec
