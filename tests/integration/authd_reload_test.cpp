// cidns-authd reloads: under load with no failed query, and a broken file keeping
// the old zone in service.
#include "authd_harness.hpp"

namespace cidns::itest {
namespace {

// ---- reloads -------------------------------------------------------------------------------

TEST_F(AuthdIntegration, ReloadUnderLoadLosesNoQuery) {
  const std::string file = copy_fixture("provx.zone");
  auto s = authd_server::start(m_dir, {{std::string(provx), file}});
  ASSERT_TRUE(s);
  const net::endpoint ep = s->endpoint();

  std::atomic<bool> reloads_done{false};
  std::atomic<std::uint32_t> newest_seen{0};
  std::atomic<std::size_t> sent{0};
  std::vector<std::string> failures;  // written by the load thread only, read after join
  std::thread load([&] {
    constexpr std::size_t min_queries = 2000;
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    // After the last reload, keep asking a little longer so that the newest
    // serial is seen through this thread's own SOA queries too.
    std::size_t after_done = 0;
    for (std::size_t i = 0;; ++i) {
      if (reloads_done && i >= min_queries && after_done++ >= 10) break;
      if (std::chrono::steady_clock::now() > give_up) {
        failures.push_back("load did not finish in time");
        break;
      }
      const bool soa = i % 2 == 0;
      wire::message q = soa ? make_query(provx, rtype::soa) : make_query(h100, rtype::resource);
      auto r = udp_ask(ep, q, 500ms, 2);  // short timeout, one retry
      ++sent;
      if (!r) {
        failures.push_back("no reply to query " + std::to_string(i));
      } else if (r->rcode != wire::rcode::noerror || r->answer.empty()) {
        failures.push_back("query " + std::to_string(i) + ": " + wire::rcode_name(r->rcode));
      } else if (soa) {
        const std::uint32_t serial = soa_serial(*r);
        if (serial < newest_seen) failures.push_back("serial went back");
        if (serial > newest_seen) newest_seen = serial;
      }
      if (failures.size() > 20) break;
    }
  });

  std::uint32_t serial = first_serial;
  for (int round = 1; round <= 6; ++round) {
    SCOPED_TRACE(round);
    std::this_thread::sleep_for(50ms);  // let queries run against each version
    ++serial;
    write_file(file, provx_with_serial(serial));
    if (round % 2 == 1) {
      s->process().signal(SIGHUP);
      const auto end = std::chrono::steady_clock::now() + 10s;
      while (newest_seen < serial && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(5ms);
      }
      EXPECT_EQ(newest_seen.load(), serial) << "SIGHUP reload not seen";
    } else {
      // (no ASSERT here: the load thread must be joined before the test ends)
      auto reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
      EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
      const auto* z = zone_status(reply["zones"], provx);
      EXPECT_TRUE(z != nullptr && z->value("serial", 0U) == serial) << reply.dump();
      auto r = udp_ask(ep, make_query(provx, rtype::soa));
      EXPECT_TRUE(r && soa_serial(*r) == serial) << "control reload not in service at once";
    }
  }
  reloads_done = true;
  load.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_GE(sent.load(), 2000U);
  EXPECT_EQ(newest_seen.load(), serial);

  auto zones = control(*s, {{"cmd", "zones"}});
  const auto* z = zone_status(zones["zones"], provx);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->value("loads", 0U), 7U);  // the first load and six reloads
  EXPECT_EQ(z->value("failures", 1U), 0U);
}

TEST_F(AuthdIntegration, BrokenReloadKeepsTheOldZone) {
  const std::string file = copy_fixture("provx.zone");
  auto s = authd_server::start(m_dir, {{std::string(provx), file}});
  ASSERT_TRUE(s);

  // A good file with one bad line appended.
  std::string broken = read_file(file);
  const auto bad_line = std::count(broken.begin(), broken.end(), '\n') + 1;
  broken += "broken  DESC  kind=warp-drive\n";
  write_file(file, broken);

  // cidns-admin sees the same error the server will.
  auto check =
      run_command({CIDNS_ADMIN_PATH, "zone", "check", file, "--origin", "provx.cn-north"}, m_dir);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find(file + ":" + std::to_string(bad_line) + ":"), std::string::npos)
      << check.output;

  // The reply says it failed, and why (issue 9).
  auto reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
  ASSERT_FALSE(reply.value("ok", true)) << reply.dump();
  ASSERT_TRUE(reply.contains("errors") && reply["errors"].size() == 1) << reply.dump();
  EXPECT_EQ(reply["errors"][0].value("zone", ""), std::string(provx));
  EXPECT_EQ(reply["errors"][0].value("file", ""), file);
  EXPECT_NE(reply["errors"][0]["messages"].dump().find(file + ":" + std::to_string(bad_line) + ":"),
            std::string::npos)
      << reply.dump();
  auto zones = control(*s, {{"cmd", "zones"}});
  const auto* z = zone_status(zones["zones"], provx);
  ASSERT_NE(z, nullptr) << zones.dump();
  EXPECT_EQ(z->value("failures", 0U), 1U);
  ASSERT_TRUE(z->contains("last_error")) << zones.dump();
  EXPECT_GT((*z)["last_error"].value("time", 0), 0);
  EXPECT_FALSE((*z)["last_error"]["messages"].empty()) << zones.dump();
  EXPECT_EQ(z->value("serial", 0U), first_serial);
  EXPECT_TRUE(z->value("loaded", false));

  // The old version is still served.
  auto r = udp_ask(s->endpoint(), make_query(h100, rtype::resource));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer.size(), 3U);
  r = udp_ask(s->endpoint(), make_query("broken.provx.cn-north.", rtype::desc));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::nxdomain);

  // The log names the place: FILE:LINE:COL:
  const std::string log = s->log();
  const std::string place = file + ":" + std::to_string(bad_line) + ":";
  const auto at = log.find(place);
  ASSERT_NE(at, std::string::npos) << "no " << place << " in the log:\n" << log;
  EXPECT_TRUE(std::regex_search(log.substr(at + place.size(), 8), std::regex("^[0-9]+: ")))
      << log.substr(at, 120);

  // Fixed again: loads, and the error is cleared.
  write_file(file, provx_with_serial(first_serial + 1));
  reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
  z = zone_status(reply["zones"], provx);
  ASSERT_NE(z, nullptr) << reply.dump();
  EXPECT_EQ(z->value("serial", 0U), first_serial + 1);
  EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
  EXPECT_FALSE(reply.contains("errors")) << reply.dump();
  EXPECT_EQ(z->value("failures", 0U), 1U);
  EXPECT_FALSE(z->contains("last_error")) << reply.dump();
}

}  // namespace
}  // namespace cidns::itest
