// Zone signing and verification: what gets signed, the NSEC chain, re-signing,
// and the tamper matrix `cidns-admin zone verify` must catch, case by case.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/dnssec/zone_verifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/writer.hpp"
#include "common/hex.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;

constexpr std::uint64_t inception = 1764547200;   // 2025-12-01
constexpr std::uint64_t expiration = 1767225600;  // 2026-01-01
constexpr std::uint64_t during = 1765000000;

name::identifier id(std::string_view t) { return name::identifier::parse(t).value(); }

zone_key fixed_key(char seed_byte, bool ksk) {
  return zone_key::from(private_key::from_ed25519_seed(std::string(32, seed_byte)).value(), ksk);
}

const zone_key& child_key() {
  static const zone_key k = fixed_key('c', true);
  return k;
}

std::string zone_text() {
  auto ds = make_ds(id("child.example."), child_key().key_data).value();
  return R"($ORIGIN example.
$TTL 1h
@          SOA   ns1 hostmaster 1 1h 10m 14d 5m
@          NS    ns1
ns1        ADDR  127.0.0.50
a.pool     DESC  kind=gpu accel.count=8
a.pool     STATE free=3
b          DESC  kind=cpu vcpu=4
*.spot     DESC  kind=cpu vcpu=64
alias      CNAME a.pool
child      NS    ns1.child
ns1.child  ADDR  127.0.0.51
unsigned   NS    ns1.unsigned
ns1.unsigned ADDR 127.0.0.52
)" + record::format_rr(record::rr{id("child.example."), rtype::ds, 3600, ds.encode()}) +
         "\n";
}

zone::loaded_zone signed_zone(const std::vector<zone_key>& keys, std::string text = zone_text()) {
  zone::load_options o;
  o.read.origin = id("example.");
  o.sign = [&keys](zone::contents& z, const zone::layout& shape) -> result<void> {
    sign_options so;
    so.keys = keys;
    so.inception = inception;
    so.expiration = expiration;
    so.jobs = 2;
    auto r = sign_zone(z, shape, so);
    if (!r) return std::move(r).err();
    return {};
  };
  auto l = zone::load_text(text, "example.zone", o);
  for (const auto& m : l.messages()) ADD_FAILURE() << m;
  return l;
}

std::vector<problem> verify(zone::loaded_zone& l, std::uint64_t now = during,
                            std::vector<child_keys> children = {},
                            std::vector<record::rr> anchors = {}) {
  l.shape = zone::adjust(l.zone);
  verify_options vo;
  vo.now = now;
  vo.children = std::move(children);
  vo.anchors = std::move(anchors);
  return verify_zone(l.zone, l.shape, vo);
}

std::string dump(const std::vector<problem>& ps) {
  std::string s;
  for (const auto& p : ps) s += p.name + " " + p.type + ": " + p.message + "\n";
  return s;
}

// True when some problem is at `name`/`type` and says `what`.
bool reports(const std::vector<problem>& ps, std::string_view name, std::string_view type,
             std::string_view what) {
  return std::any_of(ps.begin(), ps.end(), [&](const problem& p) {
    return p.name == name && p.type == type && p.message.find(what) != std::string::npos;
  });
}

std::vector<const record::rr*> find(const zone::contents& z, std::string_view owner, rtype t) {
  std::vector<const record::rr*> out;
  for (const auto& r : z.records) {
    if (r.owner.text() == owner && r.type == t) out.push_back(&r);
  }
  return out;
}

std::vector<record::sig> sigs_over(const zone::contents& z, std::string_view owner, rtype t) {
  std::vector<record::sig> out;
  for (const auto* r : find(z, owner, rtype::sig)) {
    auto s = record::sig::decode(r->data).value();
    if (s.type_covered == t) out.push_back(s);
  }
  return out;
}

// Index of the first record matching, for tampering.
std::size_t index_of(const zone::contents& z, std::string_view owner, rtype t,
                     rtype covered = rtype::none) {
  for (std::size_t i = 0; i < z.records.size(); ++i) {
    const auto& r = z.records[i];
    if (r.owner.text() != owner || r.type != t) continue;
    if (covered != rtype::none && record::sig::decode(r.data).value().type_covered != covered) {
      continue;
    }
    return i;
  }
  ADD_FAILURE() << "no " << record::type_name(t) << " at " << owner;
  return 0;
}

void erase(zone::loaded_zone& l, std::size_t i) {
  l.zone.records.erase(l.zone.records.begin() + static_cast<std::ptrdiff_t>(i));
  l.zone.positions.erase(l.zone.positions.begin() + static_cast<std::ptrdiff_t>(i));
  l.zone.touch();
}

TEST(ZoneSigner, SignsEveryAuthoritativeRRsetAndNothingElse) {
  auto l = signed_zone({fixed_key('z', true)});
  auto ps = verify(l);
  EXPECT_TRUE(ps.empty()) << dump(ps);
  const auto& z = l.zone;
  for (rtype t : {rtype::soa, rtype::ns, rtype::key, rtype::nsec}) {
    EXPECT_EQ(sigs_over(z, "example.", t).size(), 1U) << record::type_name(t);
  }
  EXPECT_EQ(sigs_over(z, "a.pool.example.", rtype::desc).size(), 1U);
  EXPECT_EQ(sigs_over(z, "*.spot.example.", rtype::desc).size(), 1U);
  EXPECT_EQ(sigs_over(z, "*.spot.example.", rtype::desc).front().labels, 2U);
  // Delegations: DS and NSEC signed, NS and glue not.
  EXPECT_EQ(sigs_over(z, "child.example.", rtype::ds).size(), 1U);
  EXPECT_EQ(sigs_over(z, "child.example.", rtype::nsec).size(), 1U);
  EXPECT_TRUE(sigs_over(z, "child.example.", rtype::ns).empty());
  EXPECT_TRUE(find(z, "ns1.child.example.", rtype::sig).empty());
  EXPECT_TRUE(find(z, "ns1.child.example.", rtype::nsec).empty());
  // The empty non-terminal pool.example. has no NSEC; the chain steps over it.
  EXPECT_TRUE(find(z, "pool.example.", rtype::nsec).empty());
  auto nsec_of = [&](std::string_view owner) {
    auto v = find(z, owner, rtype::nsec);
    EXPECT_EQ(v.size(), 1U) << owner;
    return v.empty() ? record::nsec{} : record::nsec::decode(v.front()->data).value();
  };
  EXPECT_EQ(nsec_of("example.").next.text(), "alias.example.");
  EXPECT_EQ(nsec_of("b.example.").next.text(), "child.example.");
  EXPECT_EQ(nsec_of("child.example.").types,
            (std::vector<rtype>{rtype::ns, rtype::ds, rtype::sig, rtype::nsec}));
  EXPECT_EQ(nsec_of("unsigned.example.").types,
            (std::vector<rtype>{rtype::ns, rtype::sig, rtype::nsec}));
  EXPECT_EQ(nsec_of("example.").types,
            (std::vector<rtype>{rtype::soa, rtype::ns, rtype::key, rtype::sig, rtype::nsec}));
  // The last name wraps to the apex; NSEC TTL = min(SOA TTL, negative TTL).
  EXPECT_EQ(nsec_of("unsigned.example.").next.text(), "example.");
  EXPECT_EQ(find(z, "example.", rtype::nsec).front()->ttl, 300U);
  EXPECT_EQ(find(z, "example.", rtype::key).front()->ttl, 3600U);
}

TEST(ZoneSigner, OutputIsDeterministicAndSorted) {
  auto a = signed_zone({fixed_key('z', true)});
  auto b = signed_zone({fixed_key('z', true)});
  EXPECT_EQ(zone::write_text(a.zone), zone::write_text(b.zone));
  auto copy = a.zone.records;
  a.zone.touch();
  a.zone.sort_canonical();
  EXPECT_EQ(copy, a.zone.records);
}

TEST(ZoneSigner, ResigningReplacesOldKeysSignaturesAndNsec) {
  auto first = signed_zone({fixed_key('a', true)});
  const std::string text = zone::write_text(first.zone);
  const auto second_key = fixed_key('b', true);
  auto second = signed_zone({second_key}, text);
  auto keys = find(second.zone, "example.", rtype::key);
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys.front()->data, second_key.key_data);
  for (const auto& r : second.zone.records) {
    if (r.type == rtype::sig) {
      EXPECT_EQ(record::sig::decode(r.data).value().key_tag, second_key.tag);
    }
  }
  EXPECT_EQ(find(second.zone, "a.pool.example.", rtype::nsec).size(), 1U);
  auto ps = verify(second);
  EXPECT_TRUE(ps.empty()) << dump(ps);
  auto direct = signed_zone({second_key});
  EXPECT_EQ(zone::write_text(second.zone), zone::write_text(direct.zone));
}

TEST(ZoneSigner, KeySigningKeySignsOnlyTheKeyRRset) {
  auto ksk = fixed_key('k', true);
  auto zsk = fixed_key('z', false);
  auto l = signed_zone({ksk, zsk});
  auto key_sigs = sigs_over(l.zone, "example.", rtype::key);
  EXPECT_EQ(key_sigs.size(), 2U);
  for (const auto& s : sigs_over(l.zone, "a.pool.example.", rtype::desc)) {
    EXPECT_EQ(s.key_tag, zsk.tag);
  }
  EXPECT_EQ(sigs_over(l.zone, "a.pool.example.", rtype::desc).size(), 1U);
  auto ps = verify(l);
  EXPECT_TRUE(ps.empty()) << dump(ps);
}

TEST(ZoneSigner, MixedAlgorithmsVerify) {
  auto l = signed_zone({zone_key::from(private_key::generate(record::algorithm::p256), true),
                        zone_key::from(private_key::generate(record::algorithm::sm2), false)});
  auto ps = verify(l);
  EXPECT_TRUE(ps.empty()) << dump(ps);
}

TEST(ZoneSigner, RefusesWithoutKeysOrWithABackwardsWindow) {
  zone::load_options o;
  o.read.origin = id("example.");
  auto l = zone::load_text(zone_text(), "example.zone", o);
  ASSERT_TRUE(l.ok());
  sign_options so;
  EXPECT_FALSE(sign_zone(l.zone, l.shape, so).ok());
  so.keys.push_back(fixed_key('z', false));
  so.inception = 10;
  so.expiration = 10;
  EXPECT_FALSE(sign_zone(l.zone, l.shape, so).ok());
}

// ---- the tamper matrix ------------------------------------------------------------

TEST(ZoneVerifyTamper, DescChangedAfterSigning) {
  auto l = signed_zone({fixed_key('z', true)});
  auto i = index_of(l.zone, "b.example.", rtype::desc);
  record::desc d = record::desc::decode(l.zone.records[i].data).value();
  d.vcpu = 400;
  l.zone.records[i].data = d.encode();
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "b.example.", "DESC", "does not verify")) << dump(ps);
  EXPECT_TRUE(reports(ps, "b.example.", "DESC", "no valid SIG")) << dump(ps);
  EXPECT_EQ(ps.size(), 2U) << dump(ps);
}

TEST(ZoneVerifyTamper, SignatureByTheWrongKey) {
  auto zone_key_ = fixed_key('z', true);
  auto l = signed_zone({zone_key_});
  auto i = index_of(l.zone, "b.example.", rtype::sig, rtype::desc);
  auto s = record::sig::decode(l.zone.records[i].data).value();
  // Another key signs, claiming the zone key's tag.
  auto intruder = fixed_key('x', true);
  intruder.tag = zone_key_.tag;
  auto desc = find(l.zone, "b.example.", rtype::desc);
  std::string_view datas[] = {desc.front()->data};
  auto forged = sign_rrset(intruder, id("example."), {id("b.example."), rtype::desc, 3600, datas},
                           s.inception, s.expiration);
  l.zone.records[i].data = forged.encode();
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "b.example.", "DESC", "does not verify")) << dump(ps);
  // A key the zone does not publish at all.
  auto stranger = fixed_key('y', true);
  l.zone.records[i].data =
      sign_rrset(stranger, id("example."), {id("b.example."), rtype::desc, 3600, datas},
                 s.inception, s.expiration)
          .encode();
  ps = verify(l);
  EXPECT_TRUE(reports(ps, "b.example.", "DESC", "no zone KEY with this tag")) << dump(ps);
}

TEST(ZoneVerifyTamper, ExpiredAndNotYetValidSignatures) {
  auto l = signed_zone({fixed_key('z', true)});
  auto late = verify(l, expiration + 1);
  EXPECT_TRUE(reports(late, "a.pool.example.", "STATE", "signature expired 20260101000000"))
      << dump(late);
  auto early = verify(l, inception - 1);
  EXPECT_TRUE(reports(early, "example.", "SOA", "signature not valid before 20251201000000"))
      << dump(early);
}

TEST(ZoneVerifyTamper, SigRemoved) {
  auto l = signed_zone({fixed_key('z', true)});
  erase(l, index_of(l.zone, "a.pool.example.", rtype::sig, rtype::state));
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "a.pool.example.", "STATE", "not signed (no SIG)")) << dump(ps);
  EXPECT_EQ(ps.size(), 1U) << dump(ps);
}

TEST(ZoneVerifyTamper, NsecRemoved) {
  auto l = signed_zone({fixed_key('z', true)});
  erase(l, index_of(l.zone, "b.example.", rtype::nsec));
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "b.example.", "NSEC", "no NSEC: the chain skips this name")) << dump(ps);
}

TEST(ZoneVerifyTamper, NsecReordered) {
  auto l = signed_zone({fixed_key('z', true)});
  auto i = index_of(l.zone, "alias.example.", rtype::nsec);
  auto n = record::nsec::decode(l.zone.records[i].data).value();
  n.next = id("child.example.");  // skips b.example.
  l.zone.records[i].data = n.encode();
  auto ps = verify(l);
  EXPECT_TRUE(
      reports(ps, "alias.example.", "NSEC", "next name is child.example., expected b.example."))
      << dump(ps);
  EXPECT_TRUE(reports(ps, "alias.example.", "NSEC", "does not verify")) << dump(ps);
}

TEST(ZoneVerifyTamper, NsecTypesWrong) {
  auto l = signed_zone({fixed_key('z', true)});
  auto i = index_of(l.zone, "b.example.", rtype::nsec);
  auto n = record::nsec::decode(l.zone.records[i].data).value();
  n.types.insert(n.types.begin(), rtype::txt);
  std::sort(n.types.begin(), n.types.end());
  l.zone.records[i].data = n.encode();
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "b.example.", "NSEC", "type list is [TXT DESC SIG NSEC]")) << dump(ps);
}

TEST(ZoneVerifyTamper, KeyReplaced) {
  auto l = signed_zone({fixed_key('z', true)});
  auto anchor = record::rr{id("example."), rtype::ds, 3600,
                           make_ds(id("example."), fixed_key('z', true).key_data).value().encode()};
  EXPECT_TRUE(verify(l, during, {}, {anchor}).empty());
  auto i = index_of(l.zone, "example.", rtype::key);
  l.zone.records[i].data = fixed_key('q', true).key_data;
  auto ps = verify(l, during, {}, {anchor});
  EXPECT_TRUE(reports(ps, "example.", "KEY", "no apex KEY matches the trust anchor")) << dump(ps);
  EXPECT_TRUE(reports(ps, "b.example.", "DESC", "no zone KEY with this tag")) << dump(ps);
}

TEST(ZoneVerifyTamper, DsThatDoesNotMatchTheChild) {
  auto l = signed_zone({fixed_key('z', true)});
  EXPECT_TRUE(verify(l, during, {{id("child.example."), {child_key().key_data}}}).empty());
  auto ps = verify(l, during, {{id("child.example."), {fixed_key('d', true).key_data}}});
  EXPECT_TRUE(reports(ps, "child.example.", "DS", "matches no KEY of the child zone")) << dump(ps);
}

TEST(ZoneVerifyTamper, SignatureOverGlue) {
  auto k = fixed_key('z', true);
  auto l = signed_zone({k});
  auto glue = find(l.zone, "ns1.child.example.", rtype::addr);
  std::string_view datas[] = {glue.front()->data};
  auto s = sign_rrset(k, id("example."), {id("ns1.child.example."), rtype::addr, 3600, datas},
                      inception, expiration);
  l.zone.records.push_back({id("ns1.child.example."), rtype::sig, 3600, s.encode()});
  l.zone.positions.push_back({});
  l.zone.touch();
  l.zone.sort_canonical();
  auto ps = verify(l);
  EXPECT_TRUE(reports(ps, "ns1.child.example.", "ADDR", "SIG over glue")) << dump(ps);
}

// ---- the compiled zone finds covering NSECs ----------------------------------------

TEST(CompiledZone, CoveringNsec) {
  auto l = signed_zone({fixed_key('z', true)});
  auto shape = zone::adjust(l.zone);
  auto z = zone::compiled_zone::compile(std::move(l.zone), shape);
  ASSERT_TRUE(z->is_signed());
  EXPECT_EQ(z->earliest_expiration(), expiration);
  auto owner_of = [&](std::string_view name) -> std::string {
    const zone::rrset* n = z->covering_nsec(name);
    if (n == nullptr) return "(none)";
    for (const auto& node : z->nodes()) {
      if (node->find(rtype::nsec) == n) return node->name;
    }
    return "(lost)";
  };
  EXPECT_EQ(owner_of("example."), "example.");
  EXPECT_EQ(owner_of("aa.example."), "example.");
  EXPECT_EQ(owner_of("alias.example."), "alias.example.");
  EXPECT_EQ(owner_of("x.alias.example."), "alias.example.");
  EXPECT_EQ(owner_of("pool.example."), "ns1.example.");  // an empty non-terminal
  EXPECT_EQ(owner_of("c.example."), "b.example.");
  EXPECT_EQ(owner_of("x.child.example."), "child.example.");  // below a cut: the cut's NSEC
  EXPECT_EQ(owner_of("zzz.example."), "unsigned.example.");   // the last one, wrapping
}

}  // namespace
}  // namespace cidns::dnssec
