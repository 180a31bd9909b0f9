// cidns-resolverd as a real process in front of the signed zonefiles/ hierarchy served by real
// cidns-authd processes: validated answers, a broken zone, the LMDB cache across restarts and
// processes, a small cache that evicts, kill -9 and a corrupt cache file, the access list, and
// cidns-admin resolver stats|flush.
#include <signal.h>

#include <fstream>

#include "resolverd_harness.hpp"

namespace cidns::itest {
namespace {

constexpr std::uint32_t do_ad = wire::flag::rd | wire::flag::do_ | wire::flag::ad;

class ResolverdIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    m_hierarchy = std::make_unique<hierarchy_servers>(
        m_dir, std::map<std::string, std::pair<std::string, std::string>>{
                   {"yangtze.cn-east.zone", {"price=0.6CNY", "price=0.5CNY"}}});
    ASSERT_TRUE(m_hierarchy->ok());
    m_cache = m_dir.file("cache");
  }

  std::unique_ptr<resolver_process> start(int host, std::vector<std::string> extra = {},
                                          bool validate = true) {
    auto r = std::make_unique<resolver_process>(m_dir, *m_hierarchy, m_cache, host,
                                                std::move(extra), validate);
    EXPECT_TRUE(r->wait_ready()) << r->log();
    return r;
  }

  std::optional<wire::message> ask(const resolver_process& r, std::string_view name,
                                   rtype type = rtype::resource, std::uint32_t flags = do_ad) {
    return udp_ask(r.endpoint(), make_query(name, type, flags), 3000ms);
  }

  temp_dir m_dir;
  std::unique_ptr<hierarchy_servers> m_hierarchy;
  std::string m_cache;
};

TEST_F(ResolverdIntegration, ResolvesAndValidatesTheHierarchy) {
  auto r = start(1);
  for (std::string_view name : {"h100-8x.pool1.provx.cn-north.", "infer-910b.ascend.cn-east.",
                                "overflow.quantfin.fin.", "anything.spot.provx.cn-north."}) {
    auto reply = ask(*r, name);
    ASSERT_TRUE(reply) << name << "\n" << r->log();
    EXPECT_EQ(reply->rcode, wire::rcode::noerror) << name;
    EXPECT_TRUE(reply->has_flag(wire::flag::ad)) << name << " not secure";
    EXPECT_TRUE(reply->has_flag(wire::flag::ra));
    EXPECT_GE(count(reply->answer, rtype::desc), 1U) << name;
    EXPECT_GE(count(reply->answer, rtype::sig), 1U) << name << ": DO asked for SIGs";
  }
  auto nx = ask(*r, "nonexistent.provx.cn-north.");
  ASSERT_TRUE(nx);
  EXPECT_EQ(nx->rcode, wire::rcode::nxdomain);
  EXPECT_TRUE(nx->has_flag(wire::flag::ad));
  EXPECT_GE(count(nx->authority, rtype::nsec), 1U) << "the proof travels with DO";
  // A client cookie is answered with client || server cookie, as cidns-authd does.
  auto q = make_query("h100-8x.pool1.provx.cn-north.", rtype::desc, do_ad);
  q.cookie = "clientck";
  auto with_cookie = udp_ask(r->endpoint(), q, 3000ms);
  ASSERT_TRUE(with_cookie);
  EXPECT_EQ(with_cookie->cookie.size(), 24U);
  EXPECT_EQ(with_cookie->cookie.substr(0, 8), "clientck");
  // Without DO: no SIGs, still AD when the client sets AD.
  auto plain =
      ask(*r, "h100-8x.pool1.provx.cn-north.", rtype::resource, wire::flag::rd | wire::flag::ad);
  ASSERT_TRUE(plain);
  EXPECT_EQ(count(plain->answer, rtype::sig), 0U);
  EXPECT_TRUE(plain->has_flag(wire::flag::ad));
}

TEST_F(ResolverdIntegration, BrokenZoneIsServfailWithItsReason) {
  auto r = start(1);
  auto reply = ask(*r, "a10-2x.hz1.yangtze.cn-east.", rtype::desc);
  ASSERT_TRUE(reply) << r->log();
  EXPECT_EQ(reply->rcode, wire::rcode::servfail);
  ASSERT_TRUE(reply->error);
  EXPECT_NE(reply->error->text.find("DESC a10-2x.hz1.yangtze.cn-east."), std::string::npos)
      << reply->error->text;
  // CD: the data as received, not validated.
  auto cd = ask(*r, "a10-2x.hz1.yangtze.cn-east.", rtype::desc, wire::flag::rd | wire::flag::cd);
  ASSERT_TRUE(cd);
  EXPECT_EQ(cd->rcode, wire::rcode::noerror);
  EXPECT_FALSE(cd->has_flag(wire::flag::ad));
  // The rest of yangtze's zone is still fine.
  auto good = ask(*r, "c6-32.hz1.yangtze.cn-east.", rtype::desc);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->rcode, wire::rcode::noerror);
  EXPECT_TRUE(good->has_flag(wire::flag::ad));
}

TEST_F(ResolverdIntegration, WithoutTrustAnchorAnswersSayNotValidated) {
  auto r = start(1, {}, false);
  auto reply = ask(*r, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, wire::rcode::noerror);
  EXPECT_FALSE(reply->has_flag(wire::flag::ad));
  ASSERT_TRUE(reply->error);
  EXPECT_NE(reply->error->text.find("not validated"), std::string::npos);
  EXPECT_NE(r->log().find("NOT validated"), std::string::npos);
}

TEST_F(ResolverdIntegration, WarmRestartAnswersWithoutUpstreamTraffic) {
  const std::vector<std::string> names = {"h100-8x.pool1.provx.cn-north.",
                                          "infer-910b.ascend.cn-east.", "nonexistent.fin."};
  {
    auto r = start(1);
    for (const auto& n : names) ASSERT_TRUE(ask(*r, n)) << n;
    EXPECT_GT(r->stats()["upstream"].value("queries", 0), 0);
    EXPECT_EQ(r->process().stop(), 0);
  }
  auto r = start(1);
  for (const auto& n : names) {
    auto reply = ask(*r, n);
    ASSERT_TRUE(reply) << n;
    EXPECT_NE(reply->rcode, wire::rcode::servfail) << n;
  }
  EXPECT_EQ(r->stats()["upstream"].value("queries", -1), 0) << r->log();
}

TEST_F(ResolverdIntegration, TwoProcessesShareOneCache) {
  auto a = start(1);
  auto b = start(6);
  ASSERT_TRUE(ask(*a, "h100-8x.pool1.provx.cn-north."));
  auto reply = ask(*b, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->has_flag(wire::flag::ad));
  EXPECT_EQ(b->stats()["upstream"].value("queries", -1), 0) << "b answered from a's cache";
}

TEST_F(ResolverdIntegration, SmallCacheEvictsAndKeepsAnswering) {
  auto r = start(1, {"--cache-size", "1MiB"});
  // Many distinct negative answers (each with its proof) overflow a 1 MiB map. With CD, so
  // that each is fetched and stored (a validating query would be answered from the cached
  // NSEC records after the first one: aggressive NSEC).
  for (int i = 0; i < 1500; ++i) {
    auto reply = ask(*r, "n" + std::to_string(i) + ".provx.cn-north.", rtype::desc,
                     wire::flag::rd | wire::flag::cd);
    ASSERT_TRUE(reply) << i << "\n" << r->log();
    ASSERT_EQ(reply->rcode, wire::rcode::nxdomain) << i;
  }
  auto s = r->stats();
  EXPECT_GT(s["cache"].value("evictions", 0), 0) << s.dump();
  EXPECT_GT(s["cache"].value("entries", 0), 0) << "never emptied";
  auto reply = ask(*r, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->has_flag(wire::flag::ad));
}

TEST_F(ResolverdIntegration, KillNineDuringWritesThenRestartIntact) {
  {
    auto r = start(1);
    std::atomic<bool> stop{false};
    std::thread load([&] {
      for (int i = 0; !stop; ++i)
        (void)ask(*r, "k" + std::to_string(i) + ".provx.cn-north.", rtype::desc);
    });
    std::this_thread::sleep_for(1500ms);
    r->process().signal(SIGKILL);
    stop = true;
    load.join();
    (void)r->process().wait_for(5s);
  }
  auto r = start(1);
  auto reply = ask(*r, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply) << r->log();
  EXPECT_TRUE(reply->has_flag(wire::flag::ad));
  EXPECT_EQ(r->log().find("moved aside"), std::string::npos) << r->log();
}

TEST_F(ResolverdIntegration, CorruptCacheFileIsMovedAside) {
  std::filesystem::create_directories(m_cache);
  {
    std::ofstream garbage(m_cache + "/data.mdb", std::ios::binary);
    for (int i = 0; i < 4096; ++i) garbage << "not an lmdb file ";
  }
  auto r = start(1);
  auto reply = ask(*r, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply) << r->log();
  EXPECT_TRUE(reply->has_flag(wire::flag::ad));
  EXPECT_NE(r->log().find("moved aside"), std::string::npos) << r->log();
  bool kept = false;
  for (const auto& e : std::filesystem::directory_iterator(m_cache)) {
    kept |= e.path().filename().string().find("corrupt") != std::string::npos;
  }
  EXPECT_TRUE(kept) << "the bad file is kept for inspection";
}

TEST_F(ResolverdIntegration, AccessListRefusesOthers) {
  auto r = start(1, {"--allow", "10.0.0.0/8"});
  auto reply = ask(*r, "h100-8x.pool1.provx.cn-north.");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, wire::rcode::refused);
}

TEST_F(ResolverdIntegration, AdminStatsAndFlush) {
  auto r = start(1);
  ASSERT_TRUE(ask(*r, "h100-8x.pool1.provx.cn-north."));
  auto stats = run_command(
      {CIDNS_ADMIN_PATH, "resolver", "stats", "--json", "--socket", r->control_path()}, m_dir);
  EXPECT_EQ(stats.exit_code, 0) << stats.output;
  auto j = nlohmann::json::parse(stats.output, nullptr, false);
  EXPECT_GE(j["stats"].value("queries", 0), 1) << stats.output;
  auto flush = run_command({CIDNS_ADMIN_PATH, "resolver", "flush", "provx.cn-north.", "--subtree",
                            "--socket", r->control_path()},
                           m_dir);
  EXPECT_EQ(flush.exit_code, 0) << flush.output;
  EXPECT_NE(flush.output.find("flushed"), std::string::npos) << flush.output;
  const auto before = r->stats()["upstream"].value("queries", 0);
  ASSERT_TRUE(ask(*r, "h100-8x.pool1.provx.cn-north."));
  EXPECT_GT(r->stats()["upstream"].value("queries", 0), before) << "flushed data is fetched again";
}

TEST(ResolverdFlags, BadValuesNameTheFlagAndExit2) {
  temp_dir dir;
  const std::string anchor = dir.file("bad.anchor");
  write_file(anchor, ". 3600 DS 1 ed25519 sha256 zz\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--root", "127.0.0.2", "--cache-size", "5X"}, "--cache-size"},
      {{"--cache", dir.file("c")}, "no root servers"},
      {{"--root", "127.0.0.2", "--threads", "-1"}, "--threads"},
      {{"--root", "127.0.0.2:0"}, "--root"},
      {{"--root", "127.0.0.2", "--listen", "1.2.3.4.5"}, "--listen"},
      {{"--root", "127.0.0.2", "--allow", "10.0.0.0/99"}, "--allow"},
      {{"--root", "127.0.0.2", "--trust-anchor", anchor, "--cache", dir.file("c"), "--control",
        "off", "--listen", "127.0.0.1:5399"},
       "bad.anchor:1:"},
      {{"--config", dir.file("missing.toml")}, "missing.toml"},
  };
  for (const auto& [args, expected] : cases) {
    std::vector<std::string> argv = {CIDNS_RESOLVERD_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv, dir);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  }
  auto version = run_command({CIDNS_RESOLVERD_PATH, "--version"}, dir);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("cidns-resolverd"), std::string::npos);
}

}  // namespace
}  // namespace cidns::itest
