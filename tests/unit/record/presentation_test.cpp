// Unit tests for presentation text: parse_data, format_data, validate_data,
// format_rr and to_json, for every type, with unit conversions and errors.
#include "cidns/record/presentation.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cidns/record/data.hpp"
#include "test_util.hpp"

using namespace cidns::record;
using namespace record_test;

namespace {

// text -> wire -> typed -> wire -> text, and text -> wire -> text -> wire.
template <typename T>
void round_trip(rtype t, std::string_view text, std::string_view canonical) {
  SCOPED_TRACE(text);
  std::string w = wire(t, text);
  auto typed = T::decode(w);
  ASSERT_TRUE(typed.ok()) << typed.err().message;
  EXPECT_EQ(typed->encode(), w);
  EXPECT_TRUE(validate_data(t, w).ok()) << validate_data(t, w).err().message;
  std::string printed = format_data(t, w);
  EXPECT_EQ(printed, canonical);
  EXPECT_EQ(wire(t, printed), w);
  EXPECT_EQ(format_data(t, wire(t, printed)), printed);
}

const std::string key32 = base64_encode(std::string(32, '\x11'));
const std::string sig64 = base64_encode(std::string(64, '\x22'));

}  // namespace

TEST(Presentation, Soa) {
  round_trip<soa>(rtype::soa, "ns1 hostmaster 2026112501 1h 10m 14d 5m",
                  "ns1.provx.cn-north. hostmaster.provx.cn-north. 2026112501 3600 600 1209600 300");
  round_trip<soa>(rtype::soa, "@ Admin.Example. 0 0 0 0 0",
                  "provx.cn-north. admin.example. 0 0 0 0 0");
}

TEST(Presentation, NsCnameAddr) {
  round_trip<ns>(rtype::ns, "ns1", "ns1.provx.cn-north.");
  round_trip<cname>(rtype::cname, "h100-8x.POOL1", "h100-8x.pool1.provx.cn-north.");
  round_trip<addr>(rtype::addr, "127.0.0.21", "127.0.0.21");
  round_trip<addr>(rtype::addr, "127.0.0.21 5381", "127.0.0.21 5381");
  round_trip<addr>(rtype::addr, "::1 5380", "::1");
  round_trip<addr>(rtype::addr, "2001:DB8::1 53", "2001:db8::1 53");
  EXPECT_EQ(addr::decode(wire(rtype::addr, "::1"))->port, 5380u);
  EXPECT_EQ(addr::decode(wire(rtype::addr, "10.0.0.1"))->address_text(), "10.0.0.1");
}

TEST(Presentation, Txt) {
  round_trip<txt>(rtype::txt, R"("free text; \"quoted\"")", R"("free text; \"quoted\"")");
  round_trip<txt>(rtype::txt, R"(bare "two words" "" "back\\slash")",
                  R"("bare" "two words" "" "back\\slash")");
  round_trip<txt>(rtype::txt, R"("caf\195\169 tab\009")", R"("caf\195\169 tab\009")");
  EXPECT_EQ(txt::decode(wire(rtype::txt, R"("caf\195\169")"))->text[0], "caf\xc3\xa9");
}

TEST(Presentation, DescExample) {
  round_trip<desc>(
      rtype::desc,
      "kind=gpu accel.vendor=nvidia accel.model=nvidia-h100-sxm5 accel.family=h100 "
      "accel.count=8 accel.mem=80GiB region=cn-north.beijing "
      "frameworks=pytorch:2.4,mindspore:2.3 sched=k8s price=2.5CNY price.unit=accel-hour "
      "site=\"Beijing DC 3\" x-rack=r17",
      "kind=gpu accel.vendor=nvidia accel.model=nvidia-h100-sxm5 accel.family=h100 "
      "accel.count=8 accel.mem=80GiB region=cn-north.beijing site=\"Beijing DC 3\" "
      "frameworks=pytorch:2.4,mindspore:2.3 sched=k8s price=2.5CNY price.unit=accel-hour "
      "x-rack=r17");
  auto d = *desc::decode(wire(rtype::desc,
                              "kind=gpu accel.mem=80GiB site=\"Beijing DC 3\" price=2.5CNY "
                              "x-rack=r17 frameworks=a,b"));
  EXPECT_EQ(d.kind, static_cast<std::uint32_t>(kind::gpu));
  EXPECT_EQ(d.accel_mem, 81920u);
  EXPECT_EQ(d.site, "Beijing DC 3");
  EXPECT_EQ(d.price, 2500u);
  EXPECT_EQ(d.price_currency, "CNY");
  EXPECT_EQ(d.extensions.at("x-rack"), "r17");
  EXPECT_EQ(d.frameworks, (std::vector<std::string>{"a", "b"}));
}

TEST(Presentation, DescAllKeys) {
  round_trip<desc>(
      rtype::desc,
      "x-z=\"last one\" mandatory=kind,x-a x-a=1 energy.green=60% energy.pue=1.25 "
      "sla.avail=99.95% price.unit=node-hour price.currency=USD price=0.001 sched=slurm "
      "frameworks=pytorch:2.4 site=\"DC \\\"7\\\"\" region=cn-north max_nodes=16 net.gbps=400 "
      "net.fabric=infiniband disk=2TiB mem=1.5TiB vcpu=0 accel.link=nvlink4 "
      "accel.tflops16=989 accel.mem=1024 accel.count=0 accel.family=x accel.model=y "
      "accel.vendor=z kind=storage",
      "kind=storage accel.vendor=z accel.model=y accel.family=x accel.count=0 accel.mem=1GiB "
      "accel.tflops16=989 accel.link=nvlink4 vcpu=0 mem=1536GiB disk=2TiB net.fabric=infiniband "
      "net.gbps=400 max_nodes=16 region=cn-north site=\"DC \\\"7\\\"\" frameworks=pytorch:2.4 "
      "sched=slurm price=0.001USD price.unit=node-hour sla.avail=99.95% energy.pue=1.25 "
      "energy.green=60% mandatory=kind,x-a x-a=1 x-z=\"last one\"");
  auto d = *desc::decode(wire(rtype::desc,
                              "energy.green=60% energy.pue=1.25 sla.avail=99.95% disk=2TiB "
                              "price=0.001CNY"));
  EXPECT_EQ(d.energy_green, 600000u);
  EXPECT_EQ(d.energy_pue, 1250u);
  EXPECT_EQ(d.sla_avail, 999500u);
  EXPECT_EQ(d.disk, 2048u);
  EXPECT_EQ(d.price, 1u);
  round_trip<desc>(rtype::desc, "", "");
  round_trip<desc>(rtype::desc, "price.currency=CNY", "price.currency=CNY");
  round_trip<desc>(rtype::desc, "price.currency=CNY price=3CNY", "price=3CNY");
  round_trip<desc>(rtype::desc, "sla.avail=999500 energy.green=0",
                   "sla.avail=99.95% energy.green=0%");
  round_trip<desc>(rtype::desc, "kind=7 sched=0", "kind=7 sched=0");
  EXPECT_EQ(desc::decode(wire(rtype::desc, "price=2.5"))->price_currency, std::nullopt);
}

TEST(Presentation, State) {
  round_trip<state>(rtype::state,
                    "free=3 score=8 updated=2026-11-25T10:00:00Z source=measured spot=1.9CNY",
                    "free=3 score=8 updated=2026-11-25T10:00:00Z source=measured spot=1.9CNY");
  round_trip<state>(rtype::state, "updated=20261125100000 score=0",
                    "score=0 updated=2026-11-25T10:00:00Z");
  round_trip<state>(rtype::state, "updated=1795600800", "updated=2026-11-25T10:00:00Z");
  EXPECT_EQ(state::decode(wire(rtype::state, "updated=1795600800"))->updated, 1795600800);
}

TEST(Presentation, Ep) {
  round_trip<ep>(rtype::ep, "10 1 grpc gw1.provx.example 443 alpn=h2 auth=mtls path=/v1",
                 "10 1 grpc gw1.provx.example 443 path=/v1 alpn=h2 auth=mtls");
  round_trip<ep>(rtype::ep, "0 0 task-api GW.Example.COM 8443 alpn=h2,http/1.1 auth=none",
                 "0 0 task-api GW.Example.COM 8443 alpn=h2,http/1.1");
  round_trip<ep>(rtype::ep, "1 2 https \"odd host\" 1", "1 2 https \"odd host\" 1");
  auto e = *ep::decode(wire(rtype::ep, "10 1 grpc gw1 443 auth=oidc"));
  EXPECT_EQ(e.host, "gw1");
  EXPECT_EQ(e.protocol, static_cast<std::uint32_t>(protocol::grpc));
  EXPECT_EQ(e.auth, static_cast<std::uint32_t>(ep_auth::oidc));
}

TEST(Presentation, KeyDsSigNsec) {
  std::string half1 = key32.substr(0, 20), half2 = key32.substr(20);
  round_trip<key>(rtype::key, "zone|sep ed25519 " + half1 + " " + half2,
                  "zone|sep ed25519 " + key32);
  round_trip<key>(rtype::key, "sep|zone p256 " + key32, "zone|sep p256 " + key32);
  round_trip<key>(rtype::key, "0 sm2 " + key32, "0 sm2 " + key32);
  round_trip<key>(rtype::key, "zone 9 " + key32, "zone 9 " + key32);
  round_trip<key>(rtype::key, "5 ed25519 " + key32, "5 ed25519 " + key32);
  std::string digest(64, 'a');
  round_trip<ds>(rtype::ds,
                 "12345 ed25519 sha256 " + digest.substr(0, 30) + " " + digest.substr(30),
                 "12345 ed25519 sha256 " + digest);
  round_trip<ds>(rtype::ds, "1 ed25519 sha256 ABCDEF", "1 ed25519 sha256 abcdef");
  round_trip<sig>(
      rtype::sig,
      "DESC ed25519 4 3600 20261225000000 20261125000000 12345 provx.cn-north. " + sig64,
      "DESC ed25519 4 3600 20261225000000 20261125000000 12345 provx.cn-north. " + sig64);
  round_trip<sig>(
      rtype::sig, "type300 ed25519 0 1h 1795600800 2026-11-25T10:00:00Z 0 @ " + sig64,
      "TYPE300 ed25519 0 3600 20261125100000 20261125100000 0 provx.cn-north. " + sig64);
  round_trip<nsec>(rtype::nsec, "best.provx.cn-north. DESC STATE EP SIG NSEC",
                   "best.provx.cn-north. DESC STATE EP SIG NSEC");
  round_trip<nsec>(rtype::nsec, "best NSEC soa SOA TYPE300 type3",
                   "best.provx.cn-north. SOA ADDR NSEC TYPE300");
  round_trip<nsec>(rtype::nsec, "next", "next.provx.cn-north.");
}

TEST(Presentation, GenericForm) {
  EXPECT_EQ(wire(rtype::ns, "\\# 4 0a02612e"), bytes("0a02612e"));
  EXPECT_EQ(wire(rtype::ns, "\\# 4 0a02 612E"), bytes("0a02612e"));
  EXPECT_EQ(format_data(rtype::ns, bytes("0a02612e")), "a.");
  auto t300 = static_cast<rtype>(300);
  EXPECT_EQ(wire(t300, "\\# 3 abcdef"), bytes("abcdef"));
  EXPECT_EQ(format_data(t300, bytes("abcdef")), "\\# 3 abcdef");
  EXPECT_EQ(wire(t300, "\\# 0"), "");
  EXPECT_EQ(format_data(t300, ""), "\\# 0");
  // Known type, data that is not canonical or not valid: printed generically, read back.
  for (std::string_view h : {"0a02412e", "0a02612e2801", "0a01", "0801", "", "0a02612e0a02622e"}) {
    std::string d = bytes(h);
    std::string text = format_data(rtype::ns, d);
    EXPECT_EQ(text.substr(0, 3), "\\# ") << h;
    EXPECT_EQ(wire(rtype::ns, text), d) << h;
  }
  EXPECT_EQ(parse_error(t300, "abcdef"),
            "TYPE300: unknown type, write its data as \\# <length> <hex>");
  EXPECT_EQ(parse_error(t300, "\\# 2 abcdef"),
            "TYPE300: generic data is 3 bytes, the length says 2");
  parse_error(t300, "\\# 1 zz");
  parse_error(t300, "\\# x");
  parse_error(t300, "\\#");
}

TEST(Presentation, Errors) {
  EXPECT_EQ(parse_error(rtype::desc, "kind=gpu acel.count=8"),
            "unknown DESC key \"acel.count\" (did you mean \"accel.count\"?)");
  EXPECT_EQ(parse_error(rtype::desc, "accel.mem=1.5KiB"),
            "DESC accel.mem: \"1.5KiB\" is not a whole number of MiB");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw1"), "EP: missing port");
  EXPECT_EQ(parse_error(rtype::desc, "kind=gpu kind=cpu"), "DESC: duplicate key \"kind\"");
  EXPECT_EQ(parse_error(rtype::desc, "x-a=1 x-a=2"), "DESC: duplicate key \"x-a\"");
  EXPECT_EQ(parse_error(rtype::desc, "Kind=gpu"), "DESC key \"Kind\": keys are lower case (kind)");
  EXPECT_EQ(parse_error(rtype::desc, "X-Rack=1"),
            "DESC key \"X-Rack\": keys are lower case (x-rack)");
  EXPECT_EQ(parse_error(rtype::desc, "x-a:b=1"),
            "DESC key \"x-a:b\": keys are made of a-z 0-9 '-' '_' '.'");
  EXPECT_EQ(parse_error(rtype::desc, "kind=GPU"), "DESC kind: \"GPU\" must be lower case (gpu)");
  EXPECT_EQ(parse_error(rtype::desc, "kind=tpu"),
            "DESC kind: unknown value \"tpu\" (one of: gpu npu cpu fpga hpc storage)");
  EXPECT_EQ(parse_error(rtype::desc, "price=2.5CNY price.currency=USD"),
            "DESC price.currency: currency USD conflicts with CNY given elsewhere");
  EXPECT_EQ(parse_error(rtype::desc, "price.currency=USD price=2.5CNY"),
            "DESC price: currency CNY conflicts with USD given elsewhere");
  EXPECT_EQ(parse_error(rtype::desc, "price=1.0005CNY"),
            "DESC price: \"1.0005\" has more than 3 decimals");
  EXPECT_EQ(parse_error(rtype::desc, "price=1cny"),
            "DESC price: \"cny\": a currency is 1-16 upper-case letters (CNY)");
  EXPECT_EQ(parse_error(rtype::desc, "accel.mem=99999999999TiB"),
            "DESC accel.mem: \"99999999999TiB\" is too large (at most 9007199254740991)");
  EXPECT_EQ(parse_error(rtype::desc, "accel.count=4294967296"),
            "DESC accel.count: \"4294967296\" is too large (at most 4294967295)");
  EXPECT_EQ(parse_error(rtype::desc, "region=cn-north*"),
            "DESC region: \"cn-north*\": a trailing '*' is a selector pattern, not allowed in a "
            "region");
  parse_error(rtype::desc, "region=cn..north");
  parse_error(rtype::desc, "region=CN");
  EXPECT_EQ(parse_error(rtype::desc, "sla.avail=100.01%"),
            "DESC sla.avail: \"100.01\" is too large (at most 1000000)");
  parse_error(rtype::desc, "energy.pue=1.2345");
  EXPECT_EQ(parse_error(rtype::desc, "kind=gpu mandatory=vcpu"),
            "DESC mandatory: key \"vcpu\" is mandatory but not set in this record");
  EXPECT_EQ(parse_error(rtype::desc, "mandatory=foo"), "DESC mandatory: unknown key \"foo\"");
  EXPECT_EQ(parse_error(rtype::desc, "mandatory=x-a"),
            "DESC mandatory: key \"x-a\" is mandatory but not set in this record");
  parse_error(rtype::desc, "kind=gpu mandatory=kind,kind");
  parse_error(rtype::desc, "kind=gpu mandatory=mandatory");
  parse_error(rtype::desc, "kind=gpu mandatory=Kind");
  EXPECT_EQ(parse_error(rtype::desc, "kind="), "DESC kind: missing value");
  EXPECT_EQ(parse_error(rtype::desc, "gpu"), "DESC: expected key=value, got \"gpu\"");
  EXPECT_EQ(parse_error(rtype::desc, "\"kind=gpu\""),
            "DESC: expected key=value, got a quoted string");
  parse_error(rtype::desc, "site=\"open");
  parse_error(rtype::desc, "site=a\"b\"");
  parse_error(rtype::desc, "frameworks=a,,b");
  parse_error(rtype::desc, "frameworks=a,");
  parse_error(rtype::desc, "x-=1");
  parse_error(rtype::desc, "site=\"\\999\"");
  EXPECT_EQ(parse_error(rtype::state, "score=11"), "STATE score: \"11\" is too large (at most 10)");
  parse_error(rtype::state, "updated=2026-02-30T00:00:00Z");
  parse_error(rtype::state, "source=guessed");
  parse_error(rtype::state, "spot=1.9cny");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 ftp gw1 443"),
            "EP protocol: unknown value \"ftp\" (one of: grpc https ssh k8s slurm task-api)");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc \"\" 443"), "EP host: must not be empty");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw 0"), "EP port: 0 is below the minimum 1");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw 65536"),
            "EP port: \"65536\" is too large (at most 65535)");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw 443 auth=basic"),
            "EP auth: unknown value \"basic\" (one of: none mtls oidc token)");
  EXPECT_EQ(parse_error(rtype::ep, "10 1 grpc gw 443 foo=1"), "unknown EP key \"foo\"");
  parse_error(rtype::ep, "x 1 grpc gw 443");
  EXPECT_EQ(parse_error(rtype::ns, "a b"), "NS: unexpected \"b\"");
  EXPECT_EQ(parse_error(rtype::ns, ""), "NS: missing server");
  parse_error(rtype::ns, "a..b");
  parse_error(rtype::ns, "a_b!");
  EXPECT_EQ(parse_error(rtype::addr, "1.2.3"),
            "ADDR address: \"1.2.3\" is not an IPv4 or IPv6 address");
  parse_error(rtype::addr, "1.2.3.4 0");
  parse_error(rtype::addr, "1.2.3.4 65536");
  EXPECT_EQ(parse_error(rtype::soa, "ns1 hostmaster 1 1h 10m 14d"), "SOA: missing negative_ttl");
  parse_error(rtype::soa, "ns1 hostmaster 1 1x 10m 14d 5m");
  parse_error(rtype::soa, "ns1 hostmaster -1 1h 10m 14d 5m");
  EXPECT_EQ(parse_error(rtype::txt, ""), "TXT: missing text");
  EXPECT_EQ(parse_error(rtype::txt, "\"\\200\""),
            "TXT text: string too long (at most 4096 bytes) or not UTF-8");
  EXPECT_EQ(parse_error(rtype::key, "zone ed25519"), "KEY: missing public_key");
  parse_error(rtype::key, "zone ed25519 AAA");
  EXPECT_EQ(parse_error(rtype::key, "zone|foo ed25519 " + key32),
            "KEY flags: unknown flag \"foo\" (zone, sep, or a number)");
  parse_error(rtype::key, "zone rsa " + key32);
  parse_error(rtype::ds, "1 ed25519 sha256 abc");
  parse_error(rtype::ds, "1 ed25519 sha1 abcd");
  parse_error(rtype::ds, "65536 ed25519 sha256 abcd");
  parse_error(rtype::sig, "DESC ed25519 4 3600 20261325000000 20261125000000 1 a. " + sig64);
  parse_error(rtype::sig, "FOO ed25519 4 3600 20261225000000 20261125000000 1 a. " + sig64);
  parse_error(rtype::sig, "DESC ed25519 4 3600 20261225000000 20261125000000 1 a.");
  parse_error(rtype::sig, "TYPE0 ed25519 4 3600 20261225000000 20261125000000 1 a. " + sig64);
  EXPECT_EQ(parse_error(rtype::nsec, "a. DESC BOGUS"), "NSEC types: unknown type \"BOGUS\"");
}

TEST(Presentation, ErrorPositions) {
  auto r = parse(rtype::desc, "kind=gpu accel.mem=1.5KiB");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().line, 1u);
  EXPECT_EQ(r.err().col, 20u);  // the value inside the second token
  r = parse(rtype::desc, "kind=gpu acel.count=8");
  EXPECT_EQ(r.err().col, 10u);
  r = parse(rtype::ns, "ok a!b");
  EXPECT_EQ(r.err().col, 4u);
  r = parse(rtype::ns, "a!b");
  EXPECT_EQ(r.err().col, 2u);  // the bad character
  r = parse(rtype::desc, "site=\"x\\999\"");
  EXPECT_EQ(r.err().col, 8u);
}

TEST(Presentation, Limits) {
  std::string many;
  for (int i = 0; i < 65; ++i) many += "x-k" + std::to_string(i) + "=v ";
  parse_error(rtype::desc, many);
  std::string list = "frameworks=";
  for (int i = 0; i < 65; ++i) list += (i ? "," : "") + std::to_string(i);
  parse_error(rtype::desc, list);
  parse_error(rtype::desc, "site=" + std::string(4097, 'a'));
  wire(rtype::desc, "site=" + std::string(4096, 'a'));
}

TEST(Presentation, FormatRrAndValidate) {
  rr r{*cidns::name::identifier::parse("a.b."), rtype::ns, 3600, wire(rtype::ns, "ns1")};
  EXPECT_EQ(format_rr(r), "a.b. 3600 NS ns1.provx.cn-north.");
  rr e{*cidns::name::identifier::parse("a.b."), rtype::desc, 60, ""};
  EXPECT_EQ(format_rr(e), "a.b. 60 DESC");
  EXPECT_TRUE(validate_data(static_cast<rtype>(300), "garbage").ok());
  EXPECT_FALSE(validate_data(rtype::desc, "\xff").ok());
  EXPECT_FALSE(validate_data(rtype::state, bytes("100b")).ok());  // score 11
  EXPECT_TRUE(state::decode(bytes("100b")).ok());                 // structurally fine
  EXPECT_EQ(format_data(rtype::state, bytes("100b")), "\\# 2 100b");
  EXPECT_FALSE(validate_data(rtype::ep, bytes("0801")).ok());  // no port, no host
}

TEST(Presentation, Json) {
  rr r{*cidns::name::identifier::parse("h100.provx.cn-north."), rtype::desc, 86400,
       wire(rtype::desc,
            "kind=gpu accel.mem=80GiB frameworks=a,b price=2.5CNY x-rack=r17 "
            "sla.avail=99.95%")};
  auto j = to_json(r);
  EXPECT_EQ(j["name"], "h100.provx.cn-north.");
  EXPECT_EQ(j["type"], "DESC");
  EXPECT_EQ(j["ttl"], 86400);
  EXPECT_EQ(j["data"]["kind"], "gpu");
  EXPECT_EQ(j["data"]["accel.mem"], 81920);
  EXPECT_EQ(j["data"]["frameworks"], nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(j["data"]["price"], 2500);
  EXPECT_EQ(j["data"]["price.currency"], "CNY");
  EXPECT_EQ(j["data"]["sla.avail"], 999500);
  EXPECT_EQ(j["data"]["x-rack"], "r17");
  rr s{r.owner, rtype::sig, 60,
       wire(rtype::sig, "DESC ed25519 4 3600 20261225000000 20261125000000 12345 a. " + sig64)};
  auto js = to_json(s)["data"];
  EXPECT_EQ(js["type_covered"], "DESC");
  EXPECT_EQ(js["expiration"], "2026-12-25T00:00:00Z");
  EXPECT_EQ(js["signature"], sig64);
  rr n{r.owner, rtype::nsec, 60, wire(rtype::nsec, "a. SOA NSEC")};
  EXPECT_EQ(to_json(n)["data"]["types"], nlohmann::json::array({"SOA", "NSEC"}));
  rr a{r.owner, rtype::addr, 60, wire(rtype::addr, "::1")};
  EXPECT_EQ(to_json(a)["data"]["address"], "::1");
  rr u{r.owner, static_cast<rtype>(300), 60, bytes("abcd")};
  EXPECT_EQ(to_json(u)["data"]["hex"], "abcd");
  EXPECT_EQ(to_json(u)["type"], "TYPE300");
  EXPECT_NO_THROW((void)to_json(r).dump());
}

TEST(Presentation, TypeNames) {
  EXPECT_EQ(type_name(rtype::desc), "DESC");
  EXPECT_EQ(type_name(rtype::resource), "RESOURCE");
  EXPECT_EQ(type_name(static_cast<rtype>(300)), "TYPE300");
  EXPECT_EQ(parse_type("desc"), rtype::desc);
  EXPECT_EQ(parse_type("NsEc"), rtype::nsec);
  EXPECT_EQ(parse_type("TYPE6"), rtype::desc);
  EXPECT_EQ(parse_type("type65535"), static_cast<rtype>(65535));
  EXPECT_EQ(parse_type("resource"), rtype::resource);
  EXPECT_FALSE(parse_type("TYPE0"));
  EXPECT_FALSE(parse_type("TYPE65536"));
  EXPECT_FALSE(parse_type("TYPE01"));
  EXPECT_FALSE(parse_type("TYPE+1"));
  EXPECT_FALSE(parse_type("TYPE"));
  EXPECT_FALSE(parse_type("A"));
  EXPECT_TRUE(is_known_data_type(rtype::nsec));
  EXPECT_FALSE(is_known_data_type(rtype::resource));
  EXPECT_FALSE(is_known_data_type(rtype::none));
}
