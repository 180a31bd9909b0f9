// The fixture of the signed-answer tests: a signed parent zone (names, CNAME
// chains, wildcards, empty non-terminals, delegations to a signed and an
// unsigned child), the signed child and an unsigned zone, compiled once and
// served through responder::respond(); replies are read back and checked with
// the validator helpers of signed_zone.hpp.
#pragma once

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
#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
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

// Errors fail the test; warnings do not (the fixture has a CNAME to nothing on purpose).
std::shared_ptr<const zone::compiled_zone> checked(zone::loaded_zone loaded) {
  for (const auto& d : loaded.diagnostics) {
    if (d.level == zone::severity::error) ADD_FAILURE() << d.message;
  }
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

  serve::query_stats m_stats;
  zone_registry m_registry;
  responder m_responder{m_registry, m_stats};
  std::uint32_t m_next_id = 0x2000;
};

void expect_ok(const result<void>& r, std::string_view what) {
  EXPECT_TRUE(r) << what << ": " << (r ? "" : r.err().message);
}

}  // namespace
}  // namespace cidns::authd
