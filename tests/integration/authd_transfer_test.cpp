// Zone transfers between real cidns-authd processes (issue 12, secondaries): a secondary gets
// the zone by full transfer, converges within 1 s of a NOTIFY after an UPDATE on the primary,
// resumes incrementally after its restart, falls back to a full transfer when the primary's
// history does not reach its copy, serves signed zones exactly as the primary does, keeps
// serving while the primary is down and stops after the SOA's expire; and the primary refuses
// transfers that are unsigned, signed with a key not allowed, or asked over UDP.
#include <thread>

#include <fmt/format.h>

#include "authd_harness.hpp"
#include "cidns/hmac/key.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/net/client.hpp"
#include "update_harness.hpp"

namespace cidns::itest {
namespace {

class AuthdTransfer : public AuthdIntegration {
 protected:
  void SetUp() override {
    m_agent = hmac::generate("pool1-agent");
    m_xfr = hmac::generate("xfr-key");
    hmac::write_key_file(m_dir.file("agent.hmac"), m_agent);
    hmac::write_key_file(m_dir.file("xfr.hmac"), m_xfr);
    m_zone_file = copy_fixture("provx.zone");
    const std::string address = pick_address();
    m_secondary_at = make_endpoint(address, pick_port(address));
  }

  // The primary: dynamic for the agent, transfers allowed to xfr-key, the secondary notified.
  std::unique_ptr<authd_server> start_primary(std::vector<std::string> more = {}) {
    authd_options o;
    o.extra = {
        "--hmac-key",     m_dir.file("agent.hmac"),
        "--hmac-key",     m_dir.file("xfr.hmac"),
        "--allow-update", "provx.cn-north. pool1-agent. *.pool1.provx.cn-north. STATE",
        "--allow-xfr",    "provx.cn-north. xfr-key",
        "--notify",       fmt::format("provx.cn-north. {} xfr-key", m_secondary_at.to_string()),
        "--state-dir",    m_dir.file("primary-state")};
    o.extra.insert(o.extra.end(), more.begin(), more.end());
    auto p = authd_server::start(m_dir, {{std::string(provx), m_zone_file}}, o);
    if (p) m_primary_at = p->endpoint();
    return p;
  }

  // The secondary of provx at m_secondary_at; ready once it serves the zone (a transfer done,
  // or its copy loaded).
  std::unique_ptr<authd_server> start_secondary() {
    authd_options o;
    o.at = m_secondary_at;
    o.ready_zone = std::string(provx);
    o.extra = {"--hmac-key",  m_dir.file("xfr.hmac"),
               "--secondary", fmt::format("provx.cn-north. {} xfr-key", m_primary_at.to_string()),
               "--state-dir", m_dir.file("secondary-state")};
    return authd_server::start(m_dir, {}, o);
  }

  wire::rcode update_state(const authd_server& s, std::string_view state) {
    auto m = state_update(state);
    hmac::sign(m, m_agent, unix_now());
    auto r = tcp_ask(s.endpoint(), m);
    return r ? r->rcode : wire::rcode::servfail;
  }

  std::uint32_t serial_at(const net::endpoint& at) {
    auto r = udp_ask(at, make_query(provx, rtype::soa));
    return r ? soa_serial(*r) : 0;
  }

  // An XFR request for provx (full), signed with `key` unless null.
  static wire::message xfr_request(const hmac::key* key) {
    wire::message q;
    q.id = next_id();
    q.opcode = wire::opcode::xfr;
    q.question = wire::question{name::identifier::parse(provx).value(), rtype::soa};
    if (key != nullptr) hmac::sign(q, *key, unix_now());
    return q;
  }

  hmac::key m_agent, m_xfr;
  std::string m_zone_file;
  net::endpoint m_primary_at, m_secondary_at;
};

TEST_F(AuthdTransfer, FullTransferThenNotifyBringsUpdatesWithinASecond) {
  auto p = start_primary();
  ASSERT_TRUE(p);
  auto s = start_secondary();
  ASSERT_TRUE(s) << p->log();
  EXPECT_EQ(serial_at(s->endpoint()), first_serial);
  EXPECT_EQ(served_state(s->endpoint()), served_state(p->endpoint()));
  EXPECT_NE(s->log().find("full transfer applied"), std::string::npos) << s->log();
  // The SOA refresh is an hour: only the NOTIFY can bring the change this fast.
  for (int i = 1; i <= 3; ++i) {
    const std::string state = fmt::format("free={} score=7", i);
    ASSERT_EQ(update_state(*p, state), wire::rcode::noerror) << p->log();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually([&] { return served_state(s->endpoint()) == state; }, 1000ms))
        << s->log() << p->log();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
  }
  EXPECT_EQ(serial_at(s->endpoint()), first_serial + 3);
  EXPECT_NE(s->log().find("incremental transfer applied"), std::string::npos) << s->log();
  // Applied as a patch of the version in service, not a recompile of the zone.
  EXPECT_NE(s->log().find("records, patched, in"), std::string::npos) << s->log();
  EXPECT_NE(p->log().find("incremental, serial"), std::string::npos) << p->log();
  // The control socket and cidns-admin say the same.
  auto ts = control(*s, {{"cmd", "transfers"}});
  ASSERT_TRUE(ts.contains("transfers")) << ts.dump();
  const auto& z = ts["transfers"]["secondary"].at(0);
  EXPECT_EQ(z.value("state", ""), "ok");
  EXPECT_EQ(z.value("serial", 0U), first_serial + 3);
  EXPECT_EQ(z["transfers"].value("full", 0), 1);
  EXPECT_EQ(z["transfers"].value("incremental", 0), 3);
  auto tp = control(*p, {{"cmd", "transfers"}});
  EXPECT_EQ(tp["transfers"]["served"].value("incremental", 0), 3) << tp.dump();
  EXPECT_EQ(tp["transfers"]["notify"].at(0).value("acked_serial", 0U), first_serial + 3);
  auto text =
      run_command({CIDNS_ADMIN_PATH, "server", "transfers", "--socket", s->control_path()}, m_dir);
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("secondary provx.cn-north. from"), std::string::npos) << text.output;
}

TEST_F(AuthdTransfer, ARestartedSecondaryServesItsCopyThenResumesIncrementally) {
  auto p = start_primary();
  ASSERT_TRUE(p);
  auto s = start_secondary();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->process().stop(), 0);
  s.reset();
  // Two versions the secondary has not seen.
  ASSERT_EQ(update_state(*p, "free=4"), wire::rcode::noerror);
  ASSERT_EQ(update_state(*p, "free=5"), wire::rcode::noerror);
  s = start_secondary();
  ASSERT_TRUE(s);
  EXPECT_TRUE(eventually([&] { return served_state(s->endpoint()) == "free=5"; }, 3000ms))
      << s->log();
  EXPECT_NE(s->log().find("incremental transfer applied"), std::string::npos) << s->log();
  EXPECT_EQ(s->log().find("full transfer applied"), std::string::npos) << s->log();
}

TEST_F(AuthdTransfer, FallsBackToAFullTransferWhenTheHistoryDoesNotReach) {
  auto p = start_primary();
  ASSERT_TRUE(p);
  auto s = start_secondary();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->process().stop(), 0);
  s.reset();
  // The primary restarts without its history, at a newer serial (the zonefile edited).
  ASSERT_EQ(p->process().stop(), 0);
  p.reset();
  std::filesystem::remove_all(m_dir.file("primary-state"));
  write_file(m_zone_file, provx_with_serial(first_serial + 10));
  p = start_primary();
  ASSERT_TRUE(p);
  s = start_secondary();
  ASSERT_TRUE(s);
  EXPECT_TRUE(eventually([&] { return serial_at(s->endpoint()) == first_serial + 10; }, 3000ms))
      << s->log();
  EXPECT_NE(p->log().find("no history from"), std::string::npos) << p->log();
}

TEST_F(AuthdTransfer, ASignedZoneIsServedByTheSecondaryAsByThePrimary) {
  const std::string keys = m_dir.file("keys");
  std::filesystem::create_directories(keys);
  auto k = run_command(
      {CIDNS_ADMIN_PATH, "keygen", "--zone", std::string(provx), "--out", keys, "--json"}, m_dir);
  ASSERT_EQ(k.exit_code, 0) << k.output;
  const auto j = nlohmann::json::parse(k.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << k.output;
  const std::string key_file = j.value("private", "");
  ASSERT_FALSE(key_file.empty());
  auto p = start_primary({"--key", key_file});
  ASSERT_TRUE(p);
  auto s = start_secondary();
  ASSERT_TRUE(s);
  ASSERT_EQ(update_state(*p, "free=6"), wire::rcode::noerror);
  ASSERT_TRUE(eventually([&] { return served_state(s->endpoint()) == "free=6"; }, 1000ms));
  for (auto t : {rtype::state, rtype::desc}) {
    auto a = udp_ask(p->endpoint(), make_query(h100, t, wire::flag::do_));
    auto b = udp_ask(s->endpoint(), make_query(h100, t, wire::flag::do_));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(count(b->answer, rtype::sig), 1U);
    EXPECT_EQ(a->answer, b->answer);  // the same records and signatures
  }
  // A new name: the primary signs it and fixes the NSEC chain in place; the secondary
  // patches in the records, SIGs and NSECs the transfer brings.
  const std::string added = "new.pool1.provx.cn-north.";
  auto m = state_update("free=1");
  m.changes.clear();
  m.changes.push_back({wire::change_kind::add, record::rr{name::identifier::parse(added).value(),
                                                          rtype::state, 30, state_data("free=1")}});
  hmac::sign(m, m_agent, unix_now());
  auto r = tcp_ask(p->endpoint(), m);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rcode, wire::rcode::noerror) << p->log();
  ASSERT_TRUE(eventually([&] { return serial_at(s->endpoint()) == first_serial + 2; }, 1000ms))
      << s->log();
  for (auto [name, t] : {std::pair{added, rtype::state}, std::pair{added, rtype::nsec},
                         std::pair{std::string(h100), rtype::nsec},
                         std::pair{std::string("newz.pool1.provx.cn-north."), rtype::state}}) {
    auto a = udp_ask(p->endpoint(), make_query(name, t, wire::flag::do_));
    auto b = udp_ask(s->endpoint(), make_query(name, t, wire::flag::do_));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->rcode, b->rcode) << name;
    EXPECT_EQ(a->answer, b->answer) << name;
    EXPECT_EQ(a->authority, b->authority) << name;  // the same denial
  }
  EXPECT_NE(p->log().find("patched"), std::string::npos) << p->log();
  EXPECT_EQ(p->log().find("rebuilt"), std::string::npos) << p->log();
  EXPECT_NE(s->log().find("records, patched, in"), std::string::npos) << s->log();
  // The secondary's copy verifies as a signed zone.
  auto v = run_command({CIDNS_ADMIN_PATH, "zone", "verify",
                        m_dir.file("secondary-state") + "/secondary/provx.cn-north.zone"},
                       m_dir);
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST_F(AuthdTransfer, ServesWhileThePrimaryIsDownAndStopsAfterExpire) {
  // refresh 1 s, retry 1 s, expire 4 s.
  std::string text = read_file(m_zone_file);
  const std::string timers = "1h 10m 14d 5m";
  text.replace(text.find(timers), timers.size(), "1 1 4 5m");
  write_file(m_zone_file, text);
  auto p = start_primary();
  ASSERT_TRUE(p);
  auto s = start_secondary();
  ASSERT_TRUE(s);
  ASSERT_EQ(p->process().stop(), 0);
  const auto stopped = std::chrono::steady_clock::now();
  // Still served for a while (the refreshes fail), then withdrawn.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(serial_at(s->endpoint()), first_serial) << s->log();
  EXPECT_TRUE(eventually(
      [&] {
        auto r = udp_ask(s->endpoint(), make_query(provx, rtype::soa));
        return r && r->rcode == wire::rcode::refused;
      },
      6000ms))
      << s->log();
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, 3000ms);
  EXPECT_NE(s->log().find("no longer served"), std::string::npos) << s->log();
}

TEST_F(AuthdTransfer, ThePrimaryRefusesTransfersItMustNot) {
  auto p = start_primary();
  ASSERT_TRUE(p);
  // Unsigned: NOTAUTH. Signed with a key allowed to update but not to transfer: REFUSED.
  auto r = tcp_ask(p->endpoint(), xfr_request(nullptr));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notauth);
  r = tcp_ask(p->endpoint(), xfr_request(&m_agent));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  EXPECT_TRUE(r->answer.empty());
  // Over UDP: REFUSED, even with the right key.
  r = udp_ask(p->endpoint(), xfr_request(&m_xfr));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  // Over TCP with the right key: the SOA first, and the stream ends with it.
  auto c = net::tcp_client::connect(p->endpoint(), 2s);
  ASSERT_TRUE(c);
  const auto q = xfr_request(&m_xfr);
  const auto bytes = wire::encode(q);
  ASSERT_TRUE(
      c->send(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 2s));
  auto first = c->receive(2s);
  ASSERT_TRUE(first);
  auto m = wire::decode(*first);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode, wire::rcode::noerror);
  ASSERT_FALSE(m->answer.empty());
  EXPECT_EQ(m->answer.front().type, rtype::soa);
  EXPECT_EQ(m->answer.back().type, rtype::soa);  // a small zone: one message
  hmac::keyring ring;
  ring.add(m_xfr);
  EXPECT_EQ(hmac::verify(*m, ring, unix_now(), q.auth->mac).status, hmac::status::ok);
}

}  // namespace
}  // namespace cidns::itest
