// Dynamic UPDATE against a real cidns-authd (issue 12): signed UPDATEs over TCP and UDP,
// the change seen by queries, the authentication failures (unknown key, bad MAC, stale time,
// replay), a scoped key refused outside its scope, durability (an acknowledged update
// survives kill -9 and a restart: the journal is replayed over the zonefile), discovery after
// updates (and past the discovery index's stale limit, rebuilt aside), queries under a stream of
// updates, and write-back on demand (control "flush", `cidns-admin server flush`).
#include <atomic>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "authd_harness.hpp"
#include "cidns/hmac/key.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "cidns/zone/load.hpp"
#include "update_harness.hpp"

namespace cidns::itest {
namespace {

// The zonefile's serial as the pipeline reads it (0 when it does not load).
std::uint32_t file_serial(const std::string& path) {
  zone::load_options o;
  o.read.origin = name::identifier::parse(provx).value();
  o.compile = true;
  auto loaded = zone::load(path, o);
  if (!loaded || !loaded->ok() || !loaded->compiled) return 0;
  return loaded->compiled->serial();
}

class AuthdUpdate : public AuthdIntegration {
 protected:
  void SetUp() override {
    m_agent = hmac::generate("pool1-agent");
    m_admin = hmac::generate("provx-admin");
    hmac::write_key_file(m_dir.file("agent.hmac"), m_agent);
    hmac::write_key_file(m_dir.file("admin.hmac"), m_admin);
    m_zone_file = copy_fixture("provx.zone");
  }

  std::unique_ptr<authd_server> start_dynamic(std::vector<std::string> more = {}) {
    authd_options o;
    o.extra = {"--hmac-key",     m_dir.file("agent.hmac"),
               "--hmac-key",     m_dir.file("admin.hmac"),
               "--allow-update", "provx.cn-north. pool1-agent. *.pool1.provx.cn-north. STATE",
               "--allow-update", "provx.cn-north. provx-admin. *.provx.cn-north. DESC STATE EP TXT",
               "--state-dir",    m_dir.file("state")};
    o.extra.insert(o.extra.end(), more.begin(), more.end());
    return authd_server::start(m_dir, {{std::string(provx), m_zone_file}}, o);
  }

  // state_update(state), signed with the agent's key, over TCP: the reply's rcode.
  wire::rcode update_state(const authd_server& s, std::string_view state) {
    auto m = state_update(state);
    hmac::sign(m, m_agent, unix_now());
    auto r = tcp_ask(s.endpoint(), m);
    return r ? r->rcode : wire::rcode::servfail;
  }

  run_result admin(std::vector<std::string> args) {
    args.insert(args.begin(), CIDNS_ADMIN_PATH);
    return run_command(args, m_dir);
  }

  std::string served_state(const authd_server& s) { return itest::served_state(s.endpoint()); }

  hmac::key m_agent, m_admin;
  std::string m_zone_file;
};

TEST_F(AuthdUpdate, ASignedUpdateIsAppliedSignedBackAndServed) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  auto q = state_update("free=1 score=7");
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r) << s->log();
  EXPECT_EQ(r->rcode, wire::rcode::noerror) << (r->error ? r->error->text : "") << s->log();
  ASSERT_EQ(r->answer.size(), 1U);  // the new SOA
  EXPECT_EQ(soa_serial(*r), first_serial + 1);
  // The reply is signed with the same key, over the request's MAC.
  hmac::keyring ring;
  ring.add(m_agent);
  EXPECT_EQ(hmac::verify(*r, ring, unix_now(), q.auth->mac).status, hmac::status::ok);
  EXPECT_EQ(served_state(*s), "free=1 score=7");
  // Over UDP too.
  auto q2 = state_update("free=0");
  hmac::sign(q2, m_agent, unix_now());
  auto r2 = udp_ask(s->endpoint(), q2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->rcode, wire::rcode::noerror);
  EXPECT_EQ(served_state(*s), "free=0");
  EXPECT_NE(s->log().find("update with key pool1-agent."), std::string::npos) << s->log();
  // Applied as a patch of the version in service (the changed RRsets only).
  EXPECT_NE(s->log().find("record(s), patched, "), std::string::npos) << s->log();
}

TEST_F(AuthdUpdate, AuthenticationFailuresChangeNothing) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  const std::string before = served_state(*s);
  // Unsigned, and signed with a key the server does not know: NOTAUTH.
  auto q = state_update("free=9");
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notauth);
  hmac::sign(q, hmac::generate("stranger"), unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notauth);
  // A known key name with the wrong secret: BADSIG.
  auto forged = m_agent;
  forged.secret[0] ^= 1;
  q = state_update("free=9");
  hmac::sign(q, forged, unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badsig);
  // A MAC over other bytes: BADSIG.
  q = state_update("free=9");
  hmac::sign(q, m_agent, unix_now());
  q.id ^= 1;
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badsig);
  // Ten minutes old: BADTIME.
  q = state_update("free=9");
  hmac::sign(q, m_agent, unix_now() - 600);
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::badtime);
  EXPECT_EQ(served_state(*s), before);
  // Accepted once, then the same bytes again: refused as a replay.
  q = state_update("free=5");
  hmac::sign(q, m_agent, unix_now());
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::noerror);
  r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  EXPECT_NE(r->error->text.find("replay"), std::string::npos);
}

TEST_F(AuthdUpdate, AScopedKeyIsRefusedOutsideItsScope) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  wire::message q;
  q.id = next_id();
  q.opcode = wire::opcode::update;
  q.question = wire::question{name::identifier::parse(provx).value(), rtype::soa};
  q.changes.push_back({wire::change_kind::delete_rrset,
                       record::rr{name::identifier::parse(h100).value(), rtype::desc, 0, {}}});
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);
  ASSERT_TRUE(r->error);
  EXPECT_NE(r->error->text.find("may not change DESC"), std::string::npos) << r->error->text;
  auto desc = udp_ask(s->endpoint(), make_query(h100, rtype::desc));
  ASSERT_TRUE(desc);
  EXPECT_EQ(desc->answer.size(), 1U);
}

TEST_F(AuthdUpdate, AnAcknowledgedUpdateSurvivesKillMinusNine) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  auto q = state_update("free=2 score=4");
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rcode, wire::rcode::noerror);
  s->process().signal(SIGKILL);
  s->process().wait_for(5s);
  s.reset();
  auto again = start_dynamic();  // the same zonefile (unchanged) and state directory
  ASSERT_TRUE(again);
  EXPECT_EQ(served_state(*again), "free=2 score=4") << again->log();
  auto soa = udp_ask(again->endpoint(), make_query(provx, rtype::soa));
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa_serial(*soa), first_serial + 1);
  EXPECT_NE(again->log().find("replaying 1 journaled change"), std::string::npos) << again->log();
}

TEST_F(AuthdUpdate, DiscoveryFollowsUpdates) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  auto discover = [&](std::string selector) {
    wire::message d = make_query(provx, rtype::resource);
    d.opcode = wire::opcode::discover;
    d.selector = std::move(selector);
    auto r = tcp_ask(s->endpoint(), d);
    EXPECT_TRUE(r && r->rcode == wire::rcode::noerror);
    return r ? count(r->answer, rtype::desc) : 0;
  };
  EXPECT_EQ(discover("kind=gpu free>=7"), 0U);
  auto q = state_update("free=7");
  hmac::sign(q, m_agent, unix_now());
  auto r = tcp_ask(s->endpoint(), q);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rcode, wire::rcode::noerror);
  EXPECT_EQ(discover("kind=gpu free>=7"), 1U);
}

// STATE changes to more resources than the discovery index tolerates stale: discovery stays
// right throughout, and the index is rebuilt beside the version in service (not on the update's
// path) and adopted.
TEST_F(AuthdUpdate, DiscoveryStaysRightWhileItsIndexIsRebuiltAside) {
  constexpr int pools = static_cast<int>(zone::compiled_zone::stale_limit) + 16;
  {
    std::ofstream out(m_zone_file, std::ios::app);
    for (int i = 0; i < pools; ++i) {
      out << fmt::format("r{0}.pool1 DESC kind=gpu accel.count=1\nr{0}.pool1 30s STATE free=0\n",
                         i);
    }
  }
  auto s = start_dynamic({"--log-level", "debug"});
  ASSERT_TRUE(s);
  auto discover = [&] {
    wire::message d = make_query(provx, rtype::resource);
    d.opcode = wire::opcode::discover;
    d.selector = "kind=gpu free>=5 limit=200";
    auto r = tcp_ask(s->endpoint(), d);
    EXPECT_TRUE(r && r->rcode == wire::rcode::noerror);
    return r ? count(r->answer, rtype::desc) : 0;
  };
  for (int i = 0; i < pools; ++i) {
    auto q = state_update("free=5", fmt::format("r{}.pool1.provx.cn-north.", i));
    hmac::sign(q, m_agent, unix_now());
    auto r = tcp_ask(s->endpoint(), q);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->rcode, wire::rcode::noerror) << i;
    if (i % 10 == 0) {
      EXPECT_EQ(discover(), static_cast<std::size_t>(i + 1)) << i;
    }
  }
  EXPECT_EQ(discover(), static_cast<std::size_t>(pools));
  EXPECT_TRUE(
      eventually([&] { return s->log().find("discovery index rebuilt") != std::string::npos; }, 5s))
      << s->log();
  EXPECT_EQ(discover(), static_cast<std::size_t>(pools));
}

// Queries while updates stream in: every reply is an answer from one whole version (the
// STATE RRset is replaced by a delete and an add in one update: never seen empty or doubled).
TEST_F(AuthdUpdate, QueriesUnderAStreamOfUpdatesNeverFail) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  std::atomic<bool> done{false};
  std::atomic<int> applied{0};
  std::thread writer([&] {
    for (int i = 0; i < 60 && !done; ++i) {
      auto q = state_update(fmt::format("free={}", i % 10));
      hmac::sign(q, m_agent, unix_now());
      auto r = tcp_ask(s->endpoint(), q);
      if (r && r->rcode == wire::rcode::noerror) ++applied;
    }
    done = true;
  });
  int queries = 0, bad = 0;
  while (!done) {
    auto r = udp_ask(s->endpoint(), make_query(h100, rtype::state));
    ++queries;
    if (!r || r->rcode != wire::rcode::noerror || r->answer.size() != 1) ++bad;
  }
  writer.join();
  EXPECT_EQ(applied.load(), 60);
  EXPECT_GT(queries, 60);
  EXPECT_EQ(bad, 0) << "of " << queries << " queries";
  auto soa = udp_ask(s->endpoint(), make_query(provx, rtype::soa));
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa_serial(*soa), first_serial + 60);
}

// Write-back on demand: the control command "flush" and `cidns-admin server flush`.
TEST_F(AuthdUpdate, ControlFlushWritesTheZoneBack) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  ASSERT_EQ(update_state(*s, "free=1 score=7"), wire::rcode::noerror) << s->log();
  EXPECT_EQ(file_serial(m_zone_file), first_serial);  // journaled, not written back yet

  auto reply = control(*s, {{"cmd", "flush"}});
  EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
  ASSERT_TRUE(reply.contains("errors")) << reply.dump();
  EXPECT_TRUE(reply["errors"].empty()) << reply.dump();
  ASSERT_TRUE(reply.contains("zones")) << reply.dump();
  const nlohmann::json zones = reply["zones"];
  const auto* z = zone_status(zones, provx);
  ASSERT_NE(z, nullptr) << reply.dump();
  EXPECT_EQ(z->value("serial", 0U), first_serial + 1);
  EXPECT_EQ(file_serial(m_zone_file), first_serial + 1) << s->log();
  EXPECT_NE(s->log().find("written back to"), std::string::npos) << s->log();

  // A zone the server does not serve: an error reply.
  reply = control(*s, {{"cmd", "flush"}, {"zone", "nowhere.cn-north."}});
  EXPECT_FALSE(reply.value("ok", true)) << reply.dump();
  EXPECT_NE(reply.value("error", "").find("no zone nowhere.cn-north."), std::string::npos)
      << reply.dump();
}

TEST_F(AuthdUpdate, AdminServerFlush) {
  auto s = start_dynamic();
  ASSERT_TRUE(s);
  ASSERT_EQ(update_state(*s, "free=2"), wire::rcode::noerror) << s->log();
  auto r = admin({"server", "flush", "provx.cn-north", "--socket", s->control_path()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("provx.cn-north."), std::string::npos) << r.output;
  EXPECT_EQ(file_serial(m_zone_file), first_serial + 1) << s->log();

  ASSERT_EQ(update_state(*s, "free=3"), wire::rcode::noerror) << s->log();
  r = admin({"server", "flush", "--json", "--socket", s->control_path()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  EXPECT_TRUE(j.value("ok", false)) << r.output;
  EXPECT_EQ(file_serial(m_zone_file), first_serial + 2) << s->log();

  r = admin({"server", "flush", "nowhere.cn-north.", "--socket", s->control_path()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no zone nowhere.cn-north. is configured"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace cidns::itest
