// Signed zones served by a real cidns-authd, checked as a validator checks them:
// keys from cidns-admin keygen, zones signed and verified by cidns-admin, DS
// from cidns-admin zone ds; SIGs and NXDOMAIN proofs over UDP and TCP; and
// online signing that re-signs under continuous DO queries.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "authd_harness.hpp"
#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/denial.hpp"
#include "cidns/dnssec/key_files.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/record/presentation.hpp"
#include "signed_zone.hpp"

namespace cidns::itest {
namespace {

namespace at = authd::test;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

constexpr std::string_view nothere = "nothere.provx.cn-north.";
constexpr std::string_view spot = "x.spot.provx.cn-north.";

struct key_pair {
  std::string private_path;
  std::string public_path;
  std::uint16_t tag = 0;
};

// Problems a validator finds in a DO reply: SIGs in every section (all RRsets
// of answer and authority signed but delegation NS), checked at `now`.
std::vector<std::string> validate(
    const wire::message& r, std::span<const at::trusted_key> keys, std::uint64_t now,
    std::vector<std::pair<name::identifier, rtype>> unsigned_ok = {}) {
  at::section_rules rules;
  rules.now = now;
  rules.may_be_unsigned = std::move(unsigned_ok);
  std::vector<std::string> problems;
  auto add = [&](const at::section_check& c, std::string_view section) {
    for (const auto& p : c.problems) problems.push_back(std::string(section) + ": " + p);
  };
  add(at::check_section(r.answer, keys, rules), "answer");
  add(at::check_section(r.authority, keys, rules), "authority");
  rules.require_sigs = false;
  add(at::check_section(r.additional, keys, rules), "additional");
  if (!r.has_flag(wire::flag::do_)) problems.emplace_back("DO not echoed");
  if (r.has_flag(wire::flag::tc)) problems.emplace_back("truncated");
  return problems;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

class AuthdSigned : public AuthdIntegration {
 protected:
  std::string admin_path() const { return CIDNS_ADMIN_PATH; }

  // cidns-admin keygen into the test's key folder.
  key_pair keygen(std::string_view zone, std::string_view alg, bool ksk) {
    const std::string dir = m_dir.file("keys");
    std::filesystem::create_directories(dir);
    std::vector<std::string> argv = {admin_path(),      "keygen", "--zone",
                                     std::string(zone), "--alg",  std::string(alg),
                                     "--out",           dir,      "--json"};
    if (ksk) argv.emplace_back("--ksk");
    auto r = run_command(argv, m_dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ADD_FAILURE() << "keygen output is not JSON: " << r.output;
      return {};
    }
    return {j.value("private", ""), j.value("public", ""), j.value("key_tag", std::uint16_t{0})};
  }

  // The key a validator trusts, read back from keygen's files.
  at::trusted_key trusted(std::string_view zone, const key_pair& k) {
    auto zk = dnssec::load_zone_key(k.private_path);
    EXPECT_TRUE(zk) << (zk ? "" : zk.err().message);
    if (!zk) return {};
    EXPECT_EQ(zk->tag, k.tag);
    auto t = at::trust(id(zone), zk->key_data);
    EXPECT_TRUE(t) << (t ? "" : t.err().message);
    return t ? *t : at::trusted_key{};
  }

  // cidns-admin zone sign FILE -k KEY... -o OUT; returns OUT.
  std::string sign(const std::string& file, const std::vector<key_pair>& keys) {
    const std::string out = file + ".signed";
    std::vector<std::string> argv = {admin_path(), "zone", "sign", file, "-o", out, "-q"};
    for (const auto& k : keys) {
      argv.emplace_back("-k");
      argv.push_back(k.private_path);
    }
    auto r = run_command(argv, m_dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }

  // The DS lines cidns-admin zone ds prints for FILE, as records.
  std::vector<record::rr> zone_ds(const std::string& file) {
    auto r = run_command({admin_path(), "zone", "ds", file}, m_dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::string lines;
    std::size_t start = 0;
    while (start < r.output.size()) {
      std::size_t end = r.output.find('\n', start);
      if (end == std::string::npos) end = r.output.size();
      std::string line = r.output.substr(start, end - start);
      if (line.find(" DS ") != std::string::npos) lines += line + "\n";
      start = end + 1;
    }
    const std::string path = m_dir.file("ds-" + std::to_string(++m_ds_files));
    write_file(path, lines);
    auto recs = dnssec::read_records(path);
    EXPECT_TRUE(recs) << (recs ? "" : recs.err().message);
    return recs ? *recs : std::vector<record::rr>{};
  }

  std::optional<wire::message> ask(bool tcp, std::string_view name, rtype type) {
    auto q = make_query(name, type, wire::flag::do_);
    return tcp ? tcp_ask(m_server->endpoint(), q) : udp_ask(m_server->endpoint(), q, 2000ms);
  }

  std::unique_ptr<authd_server> m_server;
  int m_ds_files = 0;
};

// ---- offline signing ------------------------------------------------------------------------

TEST_F(AuthdSigned, ZonesSignedByCidnsAdminServeRepliesThatValidate) {
  // Keys: an Ed25519 ZSK and a P-256 KSK for provx, one SM2 key for cn-north.
  const key_pair zsk = keygen(provx, "ed25519", false);
  const key_pair ksk = keygen(provx, "p256", true);
  const key_pair sm2 = keygen(cn_north, "sm2", false);
  ASSERT_FALSE(testing::Test::HasFailure());
  const std::vector<at::trusted_key> keys = {trusted(provx, zsk), trusted(provx, ksk),
                                             trusted(cn_north, sm2)};

  // provx signed and verified; its DS (from the signed zone and from the KSK's
  // file alike) put into cn-north in place of the fixture's made-up one.
  const std::string provx_signed = sign(copy_fixture("provx.zone"), {zsk, ksk});
  auto verify = run_command({admin_path(), "zone", "verify", provx_signed}, m_dir);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  const auto ds = zone_ds(provx_signed);
  ASSERT_EQ(ds.size(), 1U);  // the KSK's only
  EXPECT_EQ(zone_ds(ksk.public_path), ds);
  const std::string ds_file = m_dir.file("provx.ds");
  write_file(ds_file, record::format_rr(ds[0]) + "\n");
  verify = run_command({admin_path(), "zone", "verify", provx_signed, "--anchor", ds_file}, m_dir);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  std::string parent = read_file(fixture_path("cn-north.zone"));
  const std::size_t old = parent.find("provx        DS");
  ASSERT_NE(old, std::string::npos);
  parent.replace(old, parent.find('\n', old) - old, record::format_rr(ds[0]));
  const std::string parent_file = m_dir.file("cn-north.zone");
  write_file(parent_file, parent);
  const std::string parent_signed = sign(parent_file, {sm2});
  verify =
      run_command({admin_path(), "zone", "verify", parent_signed, "--child", provx_signed}, m_dir);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  m_server = authd_server::start(
      m_dir, {{std::string(provx), provx_signed}, {std::string(cn_north), parent_signed}});
  ASSERT_TRUE(m_server);

  for (bool tcp : {false, true}) {
    SCOPED_TRACE(tcp ? "TCP" : "UDP");
    const std::uint64_t now = at::unix_now();
    struct query {
      std::string_view name;
      rtype type;
      wire::rcode rcode;
      std::size_t min_answer;
    };
    for (const auto& q : {query{provx, rtype::soa, wire::rcode::noerror, 2},
                          query{h100, rtype::resource, wire::rcode::noerror, 6},
                          query{spot, rtype::desc, wire::rcode::noerror, 2},
                          query{"info.cn-north.", rtype::txt, wire::rcode::noerror, 2},
                          query{"gpu.cn-north.", rtype::resource, wire::rcode::noerror, 10},
                          query{nothere, rtype::desc, wire::rcode::nxdomain, 0},
                          query{"nothere.cn-north.", rtype::desc, wire::rcode::nxdomain, 0}}) {
      SCOPED_TRACE(std::string(q.name) + " " + record::type_name(q.type));
      auto r = ask(tcp, q.name, q.type);
      ASSERT_TRUE(r) << "no reply";
      EXPECT_EQ(r->rcode, q.rcode);
      EXPECT_GE(r->answer.size(), q.min_answer);
      auto problems = validate(*r, keys, now);
      EXPECT_TRUE(problems.empty()) << joined(problems);
      if (q.rcode == wire::rcode::nxdomain) {
        auto proof = dnssec::prove_nxdomain(id(q.name), at::nsecs_of(r->authority));
        EXPECT_TRUE(proof) << (proof ? "" : proof.err().message);
      }
    }

    // The apex KEY set: signed by both keys, the keys keygen made.
    auto key_set = ask(tcp, provx, rtype::key);
    ASSERT_TRUE(key_set);
    auto problems = validate(*key_set, keys, now);
    EXPECT_TRUE(problems.empty()) << joined(problems);
    std::vector<std::string> served;
    std::size_t key_sigs = 0;
    for (const auto& rr : key_set->answer) {
      if (rr.type == rtype::key) served.push_back(rr.data);
      key_sigs += rr.type == rtype::sig ? 1 : 0;
    }
    EXPECT_EQ(key_sigs, 2U);
    std::sort(served.begin(), served.end());
    std::vector<std::string> made = {keys[0].key_data, keys[1].key_data};
    std::sort(made.begin(), made.end());
    EXPECT_EQ(served, made);
    // zone ds printed the DS of the served sep KEY (make_ds), and the parent serves it.
    bool pinned = false;
    for (const auto& k : served) {
      auto made_ds = dnssec::make_ds(id(provx), k);
      ASSERT_TRUE(made_ds);
      pinned = pinned || made_ds->encode() == ds[0].data;
    }
    EXPECT_TRUE(pinned) << "zone ds output matches no served KEY";
    auto served_ds = ask(tcp, provx, rtype::ds);
    ASSERT_TRUE(served_ds);
    problems = validate(*served_ds, keys, now);
    EXPECT_TRUE(problems.empty()) << joined(problems);
    ASSERT_FALSE(served_ds->answer.empty());
    EXPECT_EQ(served_ds->answer[0].data, ds[0].data);

    // A referral to the unsigned hpc: the NSEC at the cut proves there is no DS.
    auto referral = ask(tcp, "x.hpc.cn-north.", rtype::desc);
    ASSERT_TRUE(referral);
    problems = validate(*referral, keys, now, {{id("hpc.cn-north."), rtype::ns}});
    EXPECT_TRUE(problems.empty()) << joined(problems);
    auto no_ds = dnssec::prove_no_ds(id("hpc.cn-north."), at::nsecs_of(referral->authority));
    EXPECT_TRUE(no_ds) << (no_ds ? "" : no_ds.err().message);
  }

  // The 40-record TXT RRset is whole over TCP and verifies (canonical order).
  auto big = ask(true, "big.provx.cn-north.", rtype::txt);
  ASSERT_TRUE(big);
  EXPECT_EQ(count(big->answer, rtype::txt), 40U);
  auto problems = validate(*big, keys, at::unix_now());
  EXPECT_TRUE(problems.empty()) << joined(problems);

  // Without DO: nothing of DNSSEC.
  auto plain = udp_ask(m_server->endpoint(), make_query(nothere, rtype::desc), 2000ms);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->rcode, wire::rcode::nxdomain);
  EXPECT_EQ(at::dnssec_record_count(*plain), 0U);
}

// ---- online signing ----------------------------------------------------------------------

struct online_run {
  std::size_t queries = 0;
  std::vector<std::string> failures;  // at most a few dozen
  std::set<std::uint32_t> serials;
  std::set<std::uint64_t> inceptions;  // of the SOA's SIG
};

// Queries `ep` with DO for `how_long`, alternating UDP and TCP and the kinds
// of answer, and validates every reply at the time it arrived.
online_run query_continuously(const net::endpoint& ep, std::span<const at::trusted_key> keys,
                              std::chrono::milliseconds how_long) {
  online_run run;
  const auto end = std::chrono::steady_clock::now() + how_long;
  for (std::size_t i = 0; std::chrono::steady_clock::now() < end && run.failures.size() < 30; ++i) {
    const bool tcp = (i / 4) % 2 == 1;
    const std::size_t kind = i % 4;
    std::string_view name = kind == 0 ? provx : kind == 1 ? h100 : kind == 2 ? spot : nothere;
    const rtype type = kind == 0 ? rtype::soa : kind == 1 ? rtype::resource : rtype::desc;
    auto q = make_query(name, type, wire::flag::do_);
    auto r = tcp ? tcp_ask(ep, q, 2000ms) : udp_ask(ep, q, 2000ms);
    const std::uint64_t now = at::unix_now();
    ++run.queries;
    const std::string what =
        std::string(tcp ? "TCP " : "UDP ") + std::string(name) + " #" + std::to_string(i) + ": ";
    if (!r) {
      run.failures.push_back(what + "no reply");
      continue;
    }
    const auto expected = kind == 3 ? wire::rcode::nxdomain : wire::rcode::noerror;
    if (r->rcode != expected || (kind != 3 && r->answer.empty())) {
      run.failures.push_back(what + wire::rcode_name(r->rcode));
      continue;
    }
    for (const auto& p : validate(*r, keys, now)) run.failures.push_back(what + p);
    auto nsecs = at::nsecs_of(r->authority);
    if (kind == 3) {
      if (auto p = dnssec::prove_nxdomain(id(nothere), nsecs); !p) {
        run.failures.push_back(what + p.err().message);
      }
    }
    if (kind == 2) {
      if (auto p = dnssec::prove_wildcard_answer(id(spot), id("*.spot.provx.cn-north."), nsecs);
          !p) {
        run.failures.push_back(what + p.err().message);
      }
    }
    if (kind == 0) {
      run.serials.insert(soa_serial(*r));
      for (const auto& rr : r->answer) {
        if (rr.type != rtype::sig) continue;
        if (auto s = record::sig::decode(rr.data)) run.inceptions.insert(s->inception);
      }
    }
  }
  return run;
}

TEST_F(AuthdSigned, OnlineSigningResignsUnderLoadWithEveryReplyValid) {
  // The shortest validity config.cpp parse_validity takes is 4s; 8s re-signs
  // after 6s (a quarter left), so ten seconds of queries see one re-sign.
  const key_pair key = keygen(provx, "ed25519", false);
  ASSERT_FALSE(testing::Test::HasFailure());
  const std::vector<at::trusted_key> keys = {trusted(provx, key)};
  const std::string file = copy_fixture("provx.zone");  // unsigned
  authd_options o;
  o.extra = {"--key", key.private_path, "--sig-validity", "8s"};
  m_server = authd_server::start(m_dir, {{std::string(provx), file}}, o);
  ASSERT_TRUE(m_server);

  online_run run;
  std::thread client([&] { run = query_continuously(m_server->endpoint(), keys, 10s); });
  client.join();

  RecordProperty("queries", static_cast<int>(run.queries));
  RecordProperty("serials", static_cast<int>(run.serials.size()));
  RecordProperty("inceptions", static_cast<int>(run.inceptions.size()));
  EXPECT_TRUE(run.failures.empty()) << run.failures.size() << " failure(s) in " << run.queries
                                    << " queries:" << joined(run.failures);
  EXPECT_GT(run.queries, 100U);
  ASSERT_FALSE(run.serials.empty());
  EXPECT_GE(run.serials.size(), 2U) << "the SOA serial never went up";
  EXPECT_GT(*run.serials.rbegin(), first_serial);
  EXPECT_GE(run.inceptions.size(), 2U) << "the SIG inception never changed: no re-sign";
  EXPECT_NE(m_server->log().find("re-signing"), std::string::npos) << m_server->log();
}

}  // namespace
}  // namespace cidns::itest
