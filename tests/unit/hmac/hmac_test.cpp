// Unit tests for transaction authentication (signer.hpp): sign/verify round trips, every
// changed byte refused, keys, time window, replies bound to their request, a golden MAC.
#include "cidns/hmac/signer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cidns/record/base_encoding.hpp"
#include "common/hex.hpp"

namespace hmac = cidns::hmac;
namespace wire = cidns::wire;
using cidns::name::identifier;
using cidns::record::rr;
using cidns::record::rtype;
using cidns::test::hex;
using cidns::test::unhex;

namespace {

constexpr std::uint64_t t0 = 1700000000;

identifier id(std::string_view text) { return identifier::parse(text).value(); }

hmac::key test_key() {
  std::string secret;
  for (int i = 0; i < 32; ++i) secret.push_back(static_cast<char>(i));
  return hmac::key{"provx-agent.", secret};
}

wire::message update_message() {
  wire::message m;
  m.id = 0x1234;
  m.opcode = wire::opcode::update;
  m.question = wire::question{id("provx.cn-north."), rtype::txt};
  m.answer.push_back(rr{id("agent.provx.cn-north."), rtype::txt, 300, std::string("\x05hello")});
  return m;
}

hmac::keyring ring_with(const hmac::key& k) {
  hmac::keyring ring;
  EXPECT_TRUE(ring.add(k));
  return ring;
}

TEST(HmacSign, RoundTripOverTheWire) {
  auto k = test_key();
  auto m = update_message();
  hmac::sign(m, k, t0);
  ASSERT_TRUE(m.auth.has_value());
  EXPECT_EQ(m.auth->key, "provx-agent.");
  EXPECT_EQ(m.auth->time, t0);
  EXPECT_EQ(m.auth->fudge, hmac::default_fudge);
  EXPECT_EQ(m.auth->mac.size(), hmac::mac_size);

  auto ring = ring_with(k);
  auto v = hmac::verify(m, ring, t0 + 10);
  EXPECT_EQ(v.status, hmac::status::ok) << v.reason;
  EXPECT_EQ(v.used, ring.find("provx-agent."));
  EXPECT_EQ(hmac::to_rcode(v.status), wire::rcode::noerror);

  auto back = wire::decode(wire::encode(m));
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(hmac::verify(*back, ring, t0).status, hmac::status::ok);
}

TEST(HmacSign, KeyNameInAnyCaseFindsTheKey) {
  auto k = test_key();
  auto m = update_message();
  hmac::sign(m, k, t0);
  m.auth->key = "PROVX-Agent";  // the MAC covers the canonical name, not the text sent
  EXPECT_EQ(hmac::verify(m, ring_with(k), t0).status, hmac::status::ok);
}

TEST(HmacSign, SigningTwiceReplacesTheAuth) {
  auto k = test_key();
  auto m = update_message();
  hmac::sign(m, k, t0);
  hmac::sign(m, k, t0 + 1);
  EXPECT_EQ(m.auth->time, t0 + 1);
  EXPECT_EQ(hmac::verify(m, ring_with(k), t0).status, hmac::status::ok);
}

// Each named change to a signed message breaks its MAC.
TEST(HmacVerify, ChangedFieldsAreBadSig) {
  auto k = test_key();
  auto ring = ring_with(k);
  auto signed_m = update_message();
  hmac::sign(signed_m, k, t0);
  const auto expect_bad = [&](const char* what, auto change) {
    auto m = signed_m;
    change(m);
    auto v = hmac::verify(m, ring, t0);
    EXPECT_EQ(v.status, hmac::status::bad_sig) << what;
    EXPECT_EQ(hmac::to_rcode(v.status), wire::rcode::badsig) << what;
    EXPECT_EQ(v.used, ring.find(k.name)) << what;
  };
  expect_bad("id", [](wire::message& m) { m.id ^= 1; });
  expect_bad("question name", [](wire::message& m) { m.question->name = id("provy.cn-north."); });
  expect_bad("question type", [](wire::message& m) { m.question->type = rtype::ep; });
  expect_bad("record data", [](wire::message& m) { m.answer[0].data[3] ^= 0x20; });
  expect_bad("record ttl", [](wire::message& m) { m.answer[0].ttl = 301; });
  expect_bad("record removed", [](wire::message& m) { m.answer.clear(); });
  expect_bad("record added", [](wire::message& m) { m.additional.push_back(m.answer[0]); });
  expect_bad("flags", [](wire::message& m) { m.set_flag(wire::flag::rd); });
  expect_bad("time", [](wire::message& m) { m.auth->time += 1; });
  expect_bad("fudge", [](wire::message& m) { m.auth->fudge = 299; });
  expect_bad("mac", [](wire::message& m) { m.auth->mac[31] ^= 1; });
  expect_bad("short mac", [](wire::message& m) { m.auth->mac.pop_back(); });
  expect_bad("long mac", [](wire::message& m) { m.auth->mac.push_back('x'); });
  expect_bad("empty mac", [](wire::message& m) { m.auth->mac.clear(); });
}

// One flipped bit anywhere in the encoded message: it no longer decodes, or it decodes to the
// same message (a bit the decoder ignores, a name's case), or verification refuses it.
TEST(HmacVerify, EveryFlippedBitIsRefused) {
  auto k = test_key();
  auto ring = ring_with(k);
  auto m = update_message();
  hmac::sign(m, k, t0);
  const std::string bytes = wire::encode(m);
  int refused = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string changed = bytes;
      changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
      auto d = wire::decode(changed);
      if (!d) continue;
      // The key name is looked up in any case, as decode() treats names in the message.
      if (auto n = identifier::parse(d->auth ? d->auth->key : "x"); d->auth && n) {
        d->auth->key = n->text();
      }
      if (*d == m) continue;
      auto v = hmac::verify(*d, ring, t0);
      EXPECT_NE(v.status, hmac::status::ok) << "byte " << i << " bit " << bit;
      ++refused;
    }
  }
  EXPECT_GT(refused, static_cast<int>(bytes.size()));  // most changes decode and are caught
}

TEST(HmacVerify, WrongSecretIsBadSig) {
  auto k = test_key();
  auto m = update_message();
  hmac::sign(m, k, t0);
  auto other = k;
  other.secret[0] ^= 1;
  auto v = hmac::verify(m, ring_with(other), t0);
  EXPECT_EQ(v.status, hmac::status::bad_sig);
  EXPECT_NE(v.reason.find("provx-agent."), std::string::npos) << v.reason;
}

TEST(HmacVerify, UnknownKeyIsBadKey) {
  auto m = update_message();
  hmac::sign(m, test_key(), t0);
  auto v = hmac::verify(m, ring_with(hmac::key{"other-agent.", test_key().secret}), t0);
  EXPECT_EQ(v.status, hmac::status::bad_key);
  EXPECT_EQ(v.used, nullptr);
  EXPECT_EQ(hmac::to_rcode(v.status), wire::rcode::notauth);
  m.auth->key = "not a name!";
  EXPECT_EQ(hmac::verify(m, ring_with(test_key()), t0).status, hmac::status::bad_key);
}

TEST(HmacVerify, UnsignedMessage) {
  auto v = hmac::verify(update_message(), ring_with(test_key()), t0);
  EXPECT_EQ(v.status, hmac::status::unsigned_message);
  EXPECT_EQ(hmac::to_rcode(v.status), wire::rcode::notauth);
}

TEST(HmacVerify, TimeOutsideTheFudgeIsBadTime) {
  auto k = test_key();
  auto ring = ring_with(k);
  auto m = update_message();
  hmac::sign(m, k, t0);
  EXPECT_EQ(hmac::verify(m, ring, t0 + 300).status, hmac::status::ok);
  EXPECT_EQ(hmac::verify(m, ring, t0 - 300).status, hmac::status::ok);
  auto late = hmac::verify(m, ring, t0 + 301);
  EXPECT_EQ(late.status, hmac::status::bad_time);
  EXPECT_EQ(hmac::to_rcode(late.status), wire::rcode::badtime);
  EXPECT_NE(late.used, nullptr);
  EXPECT_EQ(hmac::verify(m, ring, t0 - 301).status, hmac::status::bad_time);
  EXPECT_EQ(hmac::verify(m, ring, 0).status, hmac::status::bad_time);
  EXPECT_EQ(hmac::verify(m, ring, UINT64_MAX).status, hmac::status::bad_time);

  // The message's own fudge counts, but never more than default_fudge.
  hmac::sign(m, k, t0, {}, 10);
  EXPECT_EQ(hmac::verify(m, ring, t0 + 10).status, hmac::status::ok);
  EXPECT_EQ(hmac::verify(m, ring, t0 + 11).status, hmac::status::bad_time);
  hmac::sign(m, k, t0, {}, 100000);
  EXPECT_EQ(hmac::verify(m, ring, t0 + 300).status, hmac::status::ok);
  EXPECT_EQ(hmac::verify(m, ring, t0 + 301).status, hmac::status::bad_time);
}

// A bad MAC is reported before a bad time (RFC 8945 §5.2 order).
TEST(HmacVerify, MacIsCheckedBeforeTime) {
  auto k = test_key();
  auto m = update_message();
  hmac::sign(m, k, t0);
  m.id ^= 1;
  EXPECT_EQ(hmac::verify(m, ring_with(k), t0 + 100000).status, hmac::status::bad_sig);
}

TEST(HmacReply, MacDependsOnTheRequestMac) {
  auto k = test_key();
  auto ring = ring_with(k);
  auto request = update_message();
  hmac::sign(request, k, t0);
  const std::string request_mac = request.auth->mac;

  auto reply = update_message();
  reply.set_flag(wire::flag::qr);
  hmac::sign(reply, k, t0 + 1, request_mac);
  EXPECT_EQ(hmac::verify(reply, ring, t0 + 1, request_mac).status, hmac::status::ok);
  EXPECT_EQ(hmac::verify(reply, ring, t0 + 1).status, hmac::status::bad_sig);
  std::string other = request_mac;
  other[0] ^= 1;
  EXPECT_EQ(hmac::verify(reply, ring, t0 + 1, other).status, hmac::status::bad_sig);

  // The same reply signed for no request (or another one) has another MAC.
  auto unbound = reply;
  hmac::sign(unbound, k, t0 + 1);
  EXPECT_NE(unbound.auth->mac, reply.auth->mac);
  EXPECT_EQ(hmac::mac_input(reply, k.name, t0 + 1, 300, request_mac),
            std::string("\x00\x20", 2) + request_mac + hmac::mac_input(reply, k.name, t0 + 1, 300));
}

TEST(HmacRcode, Mapping) {
  EXPECT_EQ(hmac::to_rcode(hmac::status::ok), wire::rcode::noerror);
  EXPECT_EQ(hmac::to_rcode(hmac::status::unsigned_message), wire::rcode::notauth);
  EXPECT_EQ(hmac::to_rcode(hmac::status::bad_key), wire::rcode::notauth);
  EXPECT_EQ(hmac::to_rcode(hmac::status::bad_sig), wire::rcode::badsig);
  EXPECT_EQ(hmac::to_rcode(hmac::status::bad_time), wire::rcode::badtime);
}

// Golden MAC input and MAC. The input is wire::encode of update_message() (checked field by
// field with `protoc --decode_raw`: 1: 0x00001234, 2: 3 (UPDATE), 5 {1: "provx.cn-north.",
// 2: 5}, 6 {1: "agent.provx.cn-north.", 2: 5, 3: 300, 4: "\005hello"}) followed by 00 0c
// "provx-agent." 00000000 6553f100 (t0) 0000012c (300). The MAC was computed apart from cidns, over
// the input's bytes written to a file:
//   xxd -r -p input.hex > input.bin
//   openssl dgst -sha256 -mac HMAC -macopt
//   hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f input.bin
TEST(HmacGolden, FixedKeyMessageAndTime) {
  const std::string input_hex =
      "0d341200001003"                                          // id (fixed32), opcode 3
      "2a130a0f70726f76782e636e2d6e6f7274682e1005"              // question
      "32240a156167656e742e70726f76782e636e2d6e6f7274682e1005"  // answer record ...
      "18ac0222060568656c6c6f"                                  // ... ttl 300, data
      "000c70726f76782d6167656e742e"                            // key name
      "000000006553f100"                                        // time
      "0000012c";                                               // fudge
  const std::string mac_hex = "cec77be02aa69d8eca76df4338d12bf92542a31cf24f4cd4f193a105932f07e2";
  auto m = update_message();
  const std::string input = hmac::mac_input(m, "provx-agent.", t0, 300);
  EXPECT_EQ(hex(input), input_hex);
  hmac::sign(m, test_key(), t0);
  EXPECT_EQ(hex(m.auth->mac), mac_hex);
  // The MAC input never includes the auth field itself.
  EXPECT_EQ(hmac::mac_input(m, "provx-agent.", t0, 300), input);
}

}  // namespace
