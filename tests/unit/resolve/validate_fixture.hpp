// A signed zone as the validator's tests see it: signed once with real Ed25519 keys (a KSK
// pinned by a DS, and a ZSK) through lib/dnssec's zone signer, with helpers to pick an RRset,
// its SIGs and its NSEC out of it, and to re-sign or tamper with them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/resolve/validator.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::resolve::test {

using record::rtype;

inline name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

inline dnssec::zone_key seeded_key(char fill, bool ksk) {
  auto k = dnssec::private_key::from_ed25519_seed(std::string(32, fill));
  EXPECT_TRUE(k) << k.err().message;
  return dnssec::zone_key::from(std::move(*k), ksk);
}

// Canonical order: apex, a.ent (ent is an empty non-terminal), legacy (an unsigned
// delegation; its glue is not signed), ns1, h100.pool1 (pool1 is an empty non-terminal),
// *.spot (a wildcard, the last name of the chain).
constexpr std::string_view zone_text = R"($ORIGIN provx.cn-north.
$TTL 1h
@           SOA   ns1 hostmaster 1 1h 10m 14d 5m
@           NS    ns1
ns1         ADDR  127.0.0.21
a.ent       TXT   "below an empty non-terminal"
h100.pool1  DESC  kind=gpu accel.vendor=nvidia accel.count=8 region=cn-north.beijing
h100.pool1  30s STATE free=3 score=8
legacy      NS    ns1.legacy
ns1.legacy  ADDR  127.0.0.31
*.spot      DESC  kind=cpu vcpu=64
)";

// SIGs are valid from `inception` to `expiration`; tests validate at `now`.
struct signed_zone {
  static constexpr std::uint64_t inception = 1'700'000'000;
  static constexpr std::uint64_t expiration = inception + 30 * 86400;
  static constexpr std::uint64_t now = inception + 86400;

  name::identifier origin = id("provx.cn-north.");
  dnssec::zone_key ksk = seeded_key('\x22', true);
  dnssec::zone_key zsk = seeded_key('\x11', false);
  dnssec::zone_key stranger = seeded_key('\x44', false);  // not a key of the zone
  std::vector<record::rr> records;                        // the signed zone, canonical order

  signed_zone() {
    zone::load_options options;
    options.read.origin = origin;
    options.sign = [&](zone::contents& z, const zone::layout& shape) -> result<void> {
      dnssec::sign_options so;
      so.keys = {ksk, zsk};
      so.inception = inception;
      so.expiration = expiration;
      so.jobs = 1;
      auto r = dnssec::sign_zone(z, shape, so);
      if (!r) return std::move(r).err();
      return {};
    };
    auto loaded = zone::load_text(zone_text, "provx.zone", options);
    for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
    records = std::move(loaded.zone.records);
  }

  // The records of one RRset (not SIGs) and the SIGs covering it.
  std::vector<record::rr> rrset(std::string_view owner, rtype type) const {
    std::vector<record::rr> out;
    for (const auto& r : records) {
      if (r.owner == id(owner) && r.type == type) out.push_back(r);
    }
    EXPECT_FALSE(out.empty()) << "no " << record::type_name(type) << " at " << owner;
    return out;
  }
  std::vector<record::rr> sigs(std::string_view owner, rtype type) const {
    return sigs_for(records, id(owner), type);
  }
  // An RRset followed by its SIGs, as a reply section carries them.
  std::vector<record::rr> signed_set(std::string_view owner, rtype type) const {
    auto out = rrset(owner, type);
    for (auto& s : sigs(owner, type)) out.push_back(std::move(s));
    return out;
  }

  // The DS that pins the KSK (what the parent publishes).
  record::ds ds() const { return dnssec::make_ds(origin, ksk.key_data).value(); }

  // The zone's keys as validate_keys makes them from the KEY RRset.
  zone_keys keys() const {
    zone_keys out;
    auto v =
        validate_keys(origin, rrset(origin.text(), rtype::key), sigs(origin.text(), rtype::key),
                      std::vector<record::ds>{ds()}, now, out);
    EXPECT_TRUE(v.is_secure()) << v.reason;
    return out;
  }

  // A SIG record over `set` by `key` (whose tag may have been changed), with `signer`.
  static record::rr sign(std::span<const record::rr> set, const dnssec::zone_key& key,
                         const name::identifier& signer, std::uint64_t from, std::uint64_t until) {
    std::vector<std::string_view> datas;
    for (const auto& r : set) datas.emplace_back(r.data);
    const dnssec::rrset_ref ref{set.front().owner, set.front().type, set.front().ttl, datas};
    auto s = dnssec::sign_rrset(key, signer, ref, from, until);
    return record::rr{set.front().owner, rtype::sig, set.front().ttl, s.encode()};
  }
};

// Built once per test binary: signing is cheap, but one zone keeps tests comparable.
inline const signed_zone& zone_once() {
  static const signed_zone z;
  return z;
}

}  // namespace cidns::resolve::test
