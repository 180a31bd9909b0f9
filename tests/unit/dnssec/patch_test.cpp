// compiled_zone::patched against a full compile: a version patched from the changed RRsets
// (zone::rrset_changes) holds the same records, names, NSEC cover and discovery results as
// the same zone compiled whole, unsigned, signed with the SIGs and NSECs brought by a
// transfer, and signed in place by dnssec::patch_signer; it shares the nodes it leaves
// alone; it declines (nullptr) what needs the full pipeline; and discovery stays right past
// compiled_zone::stale_limit changed resources, until an index built beside it is adopted
// (with_index).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/patch_signer.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/dnssec/zone_verifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/diff.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/writer.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;
using zone_ptr = std::shared_ptr<const zone::compiled_zone>;

constexpr std::uint64_t inception = 1764547200;   // 2025-12-01
constexpr std::uint64_t expiration = 1767225600;  // 2026-01-01
constexpr std::uint64_t during = 1765000000;

const std::vector<zone_key>& keys() {
  static const std::vector<zone_key> k{
      zone_key::from(private_key::from_ed25519_seed(std::string(32, 'k')).value(), true),
      zone_key::from(private_key::from_ed25519_seed(std::string(32, 'z')).value(), false)};
  return k;
}

// The zone at `serial` with `body` (records relative to example.).
std::string zone_text(int serial, std::string_view body) {
  return "$ORIGIN example.\n$TTL 1h\n@ SOA ns1 hostmaster " + std::to_string(serial) +
         " 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.50\nchild NS ns1.child\n"
         "ns1.child ADDR 127.0.0.51\n" +
         std::string(body);
}

constexpr std::string_view base_body =
    "a.pool DESC kind=gpu accel.count=8 price=2.5CNY price.unit=accel-hour\n"
    "a.pool STATE free=3 score=8\n"
    "b.pool DESC kind=gpu accel.count=4 price=1.5CNY price.unit=accel-hour\n"
    "b.pool STATE free=1\n"
    "c DESC kind=cpu vcpu=4\n"
    "note TXT \"hello\"\n"
    "alias CNAME a.pool\n";

zone_ptr compile(const std::string& text, bool sign) {
  zone::load_options o;
  o.read.origin = name::identifier::parse("example.").value();
  o.compile = true;
  if (sign) {
    o.sign = [](zone::contents& z, const zone::layout& shape) -> result<void> {
      sign_options so;
      so.keys = keys();
      so.inception = inception;
      so.expiration = expiration;
      so.jobs = 1;
      auto r = sign_zone(z, shape, so);
      if (!r) return std::move(r).err();
      return {};
    };
  }
  auto l = zone::load_text(text, "example.zone", o);
  for (const auto& m : l.messages()) ADD_FAILURE() << m;
  return l.compiled;
}

std::vector<std::string> lines(const zone::compiled_zone& z) {
  auto c = zone::decompile(z);
  c.sort_canonical();
  std::vector<std::string> out;
  for (const auto& r : c.records) out.push_back(record::format_rr(r));
  return out;
}

std::vector<std::string> names(const zone::compiled_zone& z) {
  std::vector<std::string> out;
  for (const auto& n : z.nodes()) out.push_back(n->name);
  return out;
}

std::vector<std::string> discovered(const zone::compiled_zone& z, std::string_view selector) {
  auto s = select::parse(selector).value();
  std::vector<std::string> out;
  for (auto id : z.discover(s, 0, static_cast<std::uint32_t>(z.name_count()))) {
    out.push_back(z.at(id).name);
  }
  return out;
}

// `patched` answers as `whole` does: records, names in order with their roles, NSEC cover,
// discovery.
void expect_same(const zone::compiled_zone& patched, const zone::compiled_zone& whole) {
  EXPECT_EQ(lines(patched), lines(whole));
  ASSERT_EQ(names(patched), names(whole));
  EXPECT_EQ(patched.serial(), whole.serial());
  EXPECT_EQ(patched.record_count(), whole.record_count());
  EXPECT_EQ(patched.is_signed(), whole.is_signed());
  EXPECT_EQ(patched.cuts(), whole.cuts());
  for (const auto& n : whole.nodes()) {
    const auto* p = patched.find(n->name);
    ASSERT_NE(p, nullptr) << n->name;
    EXPECT_EQ(p->role, n->role) << n->name;
    const auto* a = patched.covering_nsec(n->name);
    const auto* b = whole.covering_nsec(n->name);
    ASSERT_EQ(a == nullptr, b == nullptr) << n->name;
    if (a != nullptr) {
      EXPECT_EQ(a->datas(), b->datas()) << n->name;
    }
  }
  for (auto sel : {"kind=gpu", "kind=gpu order=price", "free>=1 limit=1000", "kind=cpu"}) {
    EXPECT_EQ(discovered(patched, sel), discovered(whole, sel)) << sel;
  }
}

// The changeset from `from` to `to` as RRset changes of `from`, patched without a signer
// (as a secondary applies a transfer).
zone_ptr transfer_patch(const zone::compiled_zone& from, const zone::compiled_zone& to) {
  const auto c = zone::diff(from, to);
  auto changes = zone::rrset_changes(from, std::span(&c, 1));
  EXPECT_TRUE(changes.ok()) << (changes.ok() ? "" : changes.err().message);
  if (!changes.ok()) return nullptr;
  return from.patched(*changes, nullptr);
}

struct edit {
  const char* what;
  std::string body;  // the new version's records (serial 2)
};

std::vector<edit> edits() {
  const std::string base(base_body);
  auto replace = [&base](std::string_view from, std::string_view to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  return {
      {"a STATE change", replace("free=3 score=8", "free=0 score=8")},
      {"a DESC change", replace("price=1.5CNY", "price=9CNY")},
      {"a new resource below new empty non-terminals",
       base + "x.y.z.pool DESC kind=gpu accel.count=2\nx.y.z.pool STATE free=2\n"},
      {"a resource removed",
       replace("b.pool DESC kind=gpu accel.count=4 price=1.5CNY price.unit=accel-hour\n"
               "b.pool STATE free=1\n",
               "")},
      {"a whole subtree removed (its empty non-terminal goes)",
       replace("a.pool DESC kind=gpu accel.count=8 price=2.5CNY price.unit=accel-hour\n"
               "a.pool STATE free=3 score=8\n"
               "b.pool DESC kind=gpu accel.count=4 price=1.5CNY price.unit=accel-hour\n"
               "b.pool STATE free=1\n"
               "c DESC kind=cpu vcpu=4\nnote TXT \"hello\"\nalias CNAME a.pool\n",
               "c DESC kind=cpu vcpu=4\nnote TXT \"hello\"\n")},
      {"a TXT added at a new first name", base + "0 TXT \"first\"\n"},
      {"a TTL change", replace("note TXT", "note 5m TXT")},
  };
}

TEST(Patched, UnsignedMatchesAFullCompile) {
  const auto base = compile(zone_text(1, base_body), false);
  ASSERT_TRUE(base);
  for (const auto& e : edits()) {
    SCOPED_TRACE(e.what);
    const auto whole = compile(zone_text(2, e.body), false);
    ASSERT_TRUE(whole);
    const auto p = transfer_patch(*base, *whole);
    ASSERT_TRUE(p);
    expect_same(*p, *whole);
  }
}

TEST(Patched, SignedByATransferMatchesAFullCompile) {
  const auto base = compile(zone_text(1, base_body), true);
  ASSERT_TRUE(base && base->is_signed());
  for (const auto& e : edits()) {
    SCOPED_TRACE(e.what);
    const auto whole = compile(zone_text(2, e.body), true);
    ASSERT_TRUE(whole);
    const auto p = transfer_patch(*base, *whole);
    ASSERT_TRUE(p);
    expect_same(*p, *whole);
  }
}

TEST(Patched, SignedInPlaceMatchesAFullSigningAndVerifies) {
  // The change as an UPDATE brings it (no SIGs, no NSECs); the patch signs with the zone's
  // keys at the same times as the full signing, so Ed25519 gives the same bytes.
  const auto base_plain = compile(zone_text(1, base_body), false);
  const auto base = compile(zone_text(1, base_body), true);
  ASSERT_TRUE(base_plain && base);
  ASSERT_TRUE(keys_published(keys(), base->apex().find(rtype::key)->datas()));
  const auto signer = patch_signer(keys(), base->origin(), inception, expiration);
  for (const auto& e : edits()) {
    SCOPED_TRACE(e.what);
    const auto plain = compile(zone_text(2, e.body), false);
    const auto whole = compile(zone_text(2, e.body), true);
    ASSERT_TRUE(plain && whole);
    const auto c = zone::diff(*base_plain, *plain);
    auto changes = zone::rrset_changes(*base, std::span(&c, 1));
    ASSERT_TRUE(changes.ok()) << changes.err().message;
    zone::patch_stats stats;
    const auto p = base->patched(*changes, &signer, &stats);
    ASSERT_TRUE(p);
    EXPECT_GT(stats.signatures, 0U);
    expect_same(*p, *whole);
    auto contents = zone::decompile(*p);
    const auto shape = zone::adjust(contents);
    verify_options vo;
    vo.now = during;
    const auto problems = verify_zone(contents, shape, vo);
    for (const auto& pr : problems)
      ADD_FAILURE() << pr.name << " " << pr.type << ": " << pr.message;
  }
}

TEST(Patched, SharesTheNodesItLeavesAlone) {
  const auto base = compile(zone_text(1, base_body), true);
  const auto next = compile(zone_text(2, edits()[0].body), true);
  const auto p = transfer_patch(*base, *next);
  ASSERT_TRUE(p);
  std::size_t shared = 0;
  for (std::size_t i = 0; i < p->nodes().size(); ++i) {
    if (p->nodes()[i] == base->nodes()[i]) ++shared;
  }
  // Only the apex (SOA) and a.pool (STATE) are new.
  EXPECT_EQ(shared, base->nodes().size() - 2);
}

zone::rrset_change change(std::string_view owner, rtype t, std::string_view data) {
  const auto origin = name::identifier::parse("example.").value();
  auto tokens = record::tokenize_line(data).value();
  return {name::identifier::parse(owner, origin).value(),  t,  3600,
          {record::parse_data(t, tokens, origin).value()}, {}, {}};
}

TEST(Patched, DeclinesWhatNeedsTheFullPipeline) {
  const auto base = compile(zone_text(1, base_body), false);
  const auto signed_base = compile(zone_text(1, base_body), true);
  ASSERT_TRUE(base && signed_base);
  const auto soa = change("example.", rtype::soa, "ns1 hostmaster 2 1h 10m 14d 5m");
  const auto signer = patch_signer(keys(), base->origin(), inception, expiration);
  auto patch = [&](const zone::compiled_zone& z, const zone::rrset_change& c,
                   const zone::rrset_signer* sign) {
    std::vector<zone::rrset_change> cs{soa, c};
    std::sort(cs.begin(), cs.end(), [](const auto& a, const auto& b) {
      return name::canonical_less{}(a.owner, b.owner);
    });
    return z.patched(cs, sign);
  };
  // The control: a TXT at a new name patches.
  EXPECT_TRUE(patch(*base, change("new", rtype::txt, "\"x\""), nullptr));
  EXPECT_TRUE(patch(*signed_base, change("new", rtype::txt, "\"x\""), &signer));
  // Delegations, keys and what lies below a cut go through the full pipeline.
  EXPECT_FALSE(patch(*base, change("child", rtype::ns, "ns2.child"), nullptr));
  EXPECT_FALSE(patch(*base, change("x.child", rtype::txt, "\"occluded\""), nullptr));
  EXPECT_FALSE(patch(*base, change("ns1.child", rtype::addr, "127.0.0.99"), nullptr));
  EXPECT_FALSE(patch(*base, change("example.", rtype::ns, "ns2"), nullptr));
  EXPECT_FALSE(patch(*base, change("new", rtype::ds, "1 15 2 00"), nullptr));
  // A signer makes the NSECs itself.
  const auto nsec = signed_base->find("c.example.")->find(rtype::nsec);
  ASSERT_NE(nsec, nullptr);
  zone::rrset_change n{
      name::identifier::parse("c.example.").value(), rtype::nsec, 300, nsec->datas(), {}, {}};
  EXPECT_FALSE(patch(*signed_base, n, &signer));
  // Without the SOA there is no new serial.
  std::vector<zone::rrset_change> only{change("new", rtype::txt, "\"x\"")};
  EXPECT_FALSE(base->patched(only, nullptr));
}

// A STATE change to each of `count` pools, one patch each (as a stream of updates), from
// `base`; returns every version.
std::vector<zone_ptr> state_stream(zone_ptr base, int count) {
  std::vector<zone_ptr> out{std::move(base)};
  for (int i = 0; i < count; ++i) {
    std::vector<zone::rrset_change> cs{
        change("example.", rtype::soa,
               "ns1 hostmaster " + std::to_string(i + 2) + " 1h 10m 14d 5m"),
        change("r" + std::to_string(i) + ".pool", rtype::state, "free=1")};
    auto next = out.back()->patched(cs, nullptr);
    EXPECT_TRUE(next);
    if (!next) break;
    out.push_back(std::move(next));
  }
  return out;
}

std::string pools(int count, int free) {
  std::string body;
  for (int i = 0; i < count; ++i) {
    const auto owner = "r" + std::to_string(i) + ".pool";
    body += owner + " DESC kind=gpu accel.count=" + std::to_string(i % 8 + 1) + "\n" + owner +
            " STATE free=" + std::to_string(free) + "\n";
  }
  return body;
}

TEST(Patched, DiscoveryFollowsChangesPastTheStaleLimitAndAFreshIndexCatchesUp) {
  constexpr int n = static_cast<int>(zone::compiled_zone::stale_limit) + 36;
  const auto base = compile(zone_text(1, pools(n, 0)), false);
  ASSERT_TRUE(base);
  EXPECT_TRUE(discovered(*base, "free>=1 limit=1000").empty());
  const auto versions = state_stream(base, n);
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(n) + 1);
  const auto& last = *versions.back();
  // The patch never rebuilds the index itself: every changed resource is checked directly.
  EXPECT_EQ(last.stale_resources(), static_cast<std::size_t>(n));
  const auto whole = compile(zone_text(n + 1, pools(n, 1)), false);
  ASSERT_TRUE(whole);
  EXPECT_EQ(discovered(last, "free>=1 limit=1000").size(), static_cast<std::size_t>(n));
  expect_same(last, *whole);

  // An index built on a version in the middle, adopted by the last: only the resources
  // changed after it stay stale, and the answers do not move.
  const auto& middle = *versions[n / 2];
  const auto adopted = last.with_index(middle.build_index(), middle);
  ASSERT_TRUE(adopted);
  EXPECT_EQ(adopted->stale_resources(), static_cast<std::size_t>(n - n / 2));
  expect_same(*adopted, *whole);
  EXPECT_EQ(adopted->nodes(), last.nodes());  // the same nodes, only the index is new
  const auto fresh = last.with_index(last.build_index(), last);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->stale_resources(), 0U);
  expect_same(*fresh, *whole);

  // A name added after the index was built: the index does not fit, so it is not adopted.
  std::vector<zone::rrset_change> add{
      change("example.", rtype::soa, "ns1 hostmaster 999 1h 10m 14d 5m"),
      change("new.pool", rtype::desc, "kind=cpu vcpu=2")};
  const auto grown = last.patched(add, nullptr);
  ASSERT_TRUE(grown);
  EXPECT_EQ(grown->with_index(middle.build_index(), middle), nullptr);
}

// Records keep their own TTLs while changesets are folded: a record added with another TTL
// and removed again leaves its RRset's TTL as it was (as apply_changesets does), and an RRset
// left with mixed TTLs is refused (as the zone checker refuses it).
TEST(RrsetChanges, TtlsAreTheRecordsOwnUntilTheEnd) {
  const auto base = compile(zone_text(1, base_body), false);
  ASSERT_TRUE(base);
  auto rr = [](std::string_view owner, rtype t, std::uint32_t ttl, std::string_view data) {
    const auto c = change(owner, t, data);
    return record::rr{c.owner, t, ttl, c.data.front()};
  };
  auto soa = [&](int serial) {
    return rr("example.", rtype::soa, 3600,
              "ns1 hostmaster " + std::to_string(serial) + " 1h 10m 14d 5m");
  };
  const record::changeset add{1, 2, {soa(1)}, {soa(2), rr("note", rtype::txt, 7200, "\"x\"")}};
  const record::changeset remove{2, 3, {soa(2), rr("note", rtype::txt, 7200, "\"x\"")}, {soa(3)}};
  const std::vector<record::changeset> both{add, remove};
  auto folded = zone::rrset_changes(*base, both);
  ASSERT_TRUE(folded.ok()) << folded.err().message;
  const auto note = std::find_if(folded->begin(), folded->end(),
                                 [](const auto& c) { return c.type == rtype::txt; });
  ASSERT_NE(note, folded->end());
  EXPECT_EQ(note->ttl, 3600U);
  EXPECT_EQ(note->data.size(), 1U);
  auto mixed = zone::rrset_changes(*base, std::span(&add, 1));
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.err().message.find("different TTLs"), std::string::npos) << mixed.err().message;
}

}  // namespace
}  // namespace cidns::dnssec
