// cidns-admin zone check / print as a program: output and exit codes (DESIGN §8).
#include <gtest/gtest.h>

#include "common/run_program.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

using cidns::test::outcome;

outcome run(const std::string& args) {
  const std::string dir = std::string(CIDNS_SOURCE_DIR) + "/tests/data/zones";
  return cidns::test::run_command("cd '" + dir + "' && '" CIDNS_ADMIN "' " + args);
}

TEST(Admin, CheckGoodZone) {
  auto o = run("zone check good.zone");
  EXPECT_EQ(o.code, 0) << o.out;
  // 11 names: the 9 that own records and the empty non-terminals pool1 and
  // spot, as cidns-authd counts them (compiled_zone::name_count).
  EXPECT_EQ(o.out, "zone provx.cn-north.: 14 records, 11 names, OK\n");
}

TEST(Admin, CheckLikelyMistakesWarnsAndExits0) {
  auto o = run("zone check forgotten-dot.zone");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("forgotten-dot.zone:10:1: warning: CNAME "
                       "h100-8x.pool1.provx.cn-north.provx.cn-north. ends in the origin "
                       "provx.cn-north. twice (a forgotten trailing dot?)\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(", OK (6 warnings)\n"), std::string::npos) << o.out;
}

TEST(Admin, CheckWarningsOnly) {
  auto o = run("zone check occluded.zone --origin provx.cn-north");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("occluded.zone:9:1: warning: "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(", OK (2 warnings)\n"), std::string::npos) << o.out;
}

TEST(Admin, CheckBrokenZone) {
  auto o = run("zone check two-soa.zone");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_EQ(o.out,
            "two-soa.zone:6:1: error: more than one SOA record at the apex (the other SOA is at "
            "line 3)\n"
            "two-soa.zone:7:1: error: SOA record at sub.provx.cn-north., not at the apex "
            "provx.cn-north.\n"
            "zone provx.cn-north.: 2 errors\n");
}

TEST(Admin, CheckMissingFileIsAnIoError) {
  auto o = run("zone check no-such.zone");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("cannot read no-such.zone"), std::string::npos) << o.out;
}

TEST(Admin, UsageErrorsExit2AndHelpExits0) {
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("zone").code, 2);
  EXPECT_EQ(run("zone check").code, 2);
  EXPECT_EQ(run("zone check good.zone --bogus").code, 2);
  EXPECT_EQ(run("zone check good.zone --origin 'bad!'").code, 2);
  EXPECT_EQ(run("--help").code, 0);
  EXPECT_EQ(run("zone --help").code, 0);
  auto h = run("zone check --help");
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("--origin"), std::string::npos);
}

TEST(Admin, PrintRoundTrips) {
  auto o = run("zone print good.zone");
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_TRUE(o.out.starts_with("$ORIGIN provx.cn-north.\n@ 3600 SOA ")) << o.out;
  auto j = run("zone print good.zone --json");
  ASSERT_EQ(j.code, 0) << j.out;
  EXPECT_NE(j.out.find("\"origin\": \"provx.cn-north.\""), std::string::npos);
  EXPECT_NE(j.out.find("\"records\""), std::string::npos);
  auto broken = run("zone print two-soa.zone");
  EXPECT_EQ(broken.code, 1);
}

}  // namespace
