// The signed hierarchy the engine's scenario tests resolve through, built in memory and served
// by the real authoritative answering code (cidns_authd_core's responder):
//   .                 127.0.0.2   signed (the trust anchor's zone)
//   cn-north.         127.0.0.3   signed; delegates provx (DS), plain and ext (no DS)
//   provx.cn-north.   127.0.0.4, 127.0.0.5   signed
//   plain.cn-north.   127.0.0.6   unsigned
//   fin.              127.0.0.7   unsigned; holds the address of ext's glueless server
//   ext.cn-north.     127.0.0.8   unsigned; its server is ns.ext-host.fin. (no glue)
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/resolve/engine.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::resolve::test {

using record::rtype;

inline name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

inline server_address addr(std::string_view text) { return server_address::parse(text).value(); }

// The fake clock starts here; SIGs are valid a day before to 30 days after.
inline constexpr std::uint64_t t0_s = 1'800'000'000;
inline constexpr std::uint64_t inception_s = t0_s - 86400;
inline constexpr std::uint64_t expiration_s = t0_s + 30 * 86400;

constexpr std::string_view root_text = R"($ORIGIN .
$TTL 1h
@                SOA  ns.root. hostmaster.root. 1 1h 10m 14d 5m
@                NS   ns.root.
ns.root.         ADDR 127.0.0.2
cn-north.        NS   ns1.cn-north.
ns1.cn-north.    ADDR 127.0.0.3
fin.             NS   ns1.fin.
ns1.fin.         ADDR 127.0.0.7
)";

constexpr std::string_view cn_north_text = R"($ORIGIN cn-north.
$TTL 1h
@          SOA  ns1 hostmaster 1 1h 10m 14d 5m
@          NS   ns1
ns1        ADDR 127.0.0.3
provx      NS   ns1.provx
provx      NS   ns2.provx
ns1.provx  ADDR 127.0.0.4
ns2.provx  ADDR 127.0.0.5
plain      NS   ns1.plain
ns1.plain  ADDR 127.0.0.6
ext        NS   ns.ext-host.fin.
)";

constexpr std::string_view provx_text = R"($ORIGIN provx.cn-north.
$TTL 1h
@           SOA   ns1 hostmaster 1 1h 10m 14d 5m
@           NS    ns1
@           NS    ns2
ns1         ADDR  127.0.0.4
ns2         ADDR  127.0.0.5
h100.pool1  DESC  kind=gpu accel.vendor=nvidia accel.count=8 region=cn-north.beijing
h100.pool1  30s STATE free=3 score=8
h100.pool1  EP    10 1 grpc gw1.provx.example 443
best        CNAME h100.pool1
toplain     CNAME node.plain.cn-north.
loopx       CNAME loopy.plain.cn-north.
*.spot      DESC  kind=cpu vcpu=64
)";

constexpr std::string_view plain_text = R"($ORIGIN plain.cn-north.
$TTL 1h
@      SOA   ns1 hostmaster 1 1h 10m 14d 5m
@      NS    ns1
ns1    ADDR  127.0.0.6
node   DESC  kind=cpu vcpu=16
back   CNAME h100.pool1.provx.cn-north.
loopy  CNAME loopx.provx.cn-north.
)";

constexpr std::string_view fin_text = R"($ORIGIN fin.
$TTL 1h
@             SOA   ns1 hostmaster 1 1h 10m 14d 5m
@             NS    ns1
ns1           ADDR  127.0.0.7
ns.ext-host   ADDR  127.0.0.8
)";

constexpr std::string_view ext_text = R"($ORIGIN ext.cn-north.
$TTL 1h
@      SOA   ns.ext-host.fin. hostmaster 1 1h 10m 14d 5m
@      NS    ns.ext-host.fin.
thing  DESC  kind=cpu vcpu=2
)";

inline dnssec::zone_key seeded_key(char fill, bool ksk) {
  auto k = dnssec::private_key::from_ed25519_seed(std::string(32, fill));
  EXPECT_TRUE(k) << k.err().message;
  return dnssec::zone_key::from(std::move(*k), ksk);
}

inline std::shared_ptr<const zone::compiled_zone> build_zone(
    std::string_view text, const name::identifier& origin,
    const std::vector<dnssec::zone_key>& keys) {
  zone::load_options options;
  options.read.origin = origin;
  options.compile = true;
  if (!keys.empty()) {
    options.sign = [&](zone::contents& z, const zone::layout& shape) -> result<void> {
      dnssec::sign_options so;
      so.keys = keys;
      so.inception = inception_s;
      so.expiration = expiration_s;
      so.jobs = 1;
      auto r = dnssec::sign_zone(z, shape, so);
      if (!r) return std::move(r).err();
      return {};
    };
  }
  auto loaded = zone::load_text(text, origin.text() + "zone", options);
  for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
  EXPECT_TRUE(loaded.compiled) << origin.text();
  return std::move(loaded.compiled);
}

inline std::string ds_line(const name::identifier& child, const dnssec::zone_key& k,
                           bool corrupt_digest) {
  auto ds = dnssec::make_ds(child, k.key_data).value();
  if (corrupt_digest) ds.digest[0] = static_cast<char>(ds.digest[0] ^ 0x5a);
  return record::format_rr(record::rr{child, rtype::ds, 3600, ds.encode()}) + "\n";
}

struct hierarchy_options {
  bool corrupt_provx_ds = false;    // cn-north's DS for provx has a wrong digest
  std::string cn_north_extra = {};  // more records for cn-north. (its $ORIGIN and $TTL apply)
};

// Every zone, compiled, and the keys (the tamper tests re-sign with them).
struct hierarchy {
  dnssec::zone_key root_key = seeded_key('\x01', true);
  dnssec::zone_key cn_key = seeded_key('\x02', true);
  dnssec::zone_key provx_ksk = seeded_key('\x03', true);
  dnssec::zone_key provx_zsk = seeded_key('\x04', false);
  std::map<std::string, std::shared_ptr<const zone::compiled_zone>> zones;  // by origin
  trust_anchor anchor;

  explicit hierarchy(hierarchy_options o = {}) {
    zones["."] = build_zone(std::string(root_text) + ds_line(id("cn-north."), cn_key, false),
                            id("."), {root_key});
    zones["cn-north."] =
        build_zone(std::string(cn_north_text) + o.cn_north_extra +
                       ds_line(id("provx.cn-north."), provx_ksk, o.corrupt_provx_ds),
                   id("cn-north."), {cn_key});
    zones["provx.cn-north."] =
        build_zone(provx_text, id("provx.cn-north."), {provx_zsk, provx_ksk});
    zones["plain.cn-north."] = build_zone(plain_text, id("plain.cn-north."), {});
    zones["fin."] = build_zone(fin_text, id("fin."), {});
    zones["ext.cn-north."] = build_zone(ext_text, id("ext.cn-north."), {});
    anchor.zone = id(".");
    anchor.ds.push_back(dnssec::make_ds(id("."), root_key.key_data).value());
  }

  // Which zone each server address serves.
  static std::vector<std::pair<std::string, std::string>> servers() {
    return {{"127.0.0.2:5380", "."},
            {"127.0.0.3:5380", "cn-north."},
            {"127.0.0.4:5380", "provx.cn-north."},
            {"127.0.0.5:5380", "provx.cn-north."},
            {"127.0.0.6:5380", "plain.cn-north."},
            {"127.0.0.7:5380", "fin."},
            {"127.0.0.8:5380", "ext.cn-north."}};
  }
};

inline const hierarchy& default_hierarchy() {
  static const hierarchy h;
  return h;
}

}  // namespace cidns::resolve::test
