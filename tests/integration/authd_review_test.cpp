// Issue 9, the daemons' command lines: numeric flags checked as their config keys
// (exit 2, the flag and the range named), --metrics needs a port, --version, and
// messages that start with the program's name without doubled prefixes.
#include <regex>

#include "authd_harness.hpp"

namespace cidns::itest {
namespace {

TEST_F(AuthdIntegration, NumericFlagsAreCheckedAsTheirConfigKeys) {
  const std::string zone = std::string(provx) + "=" + copy_fixture("provx.zone");
  struct bad_flag {
    std::string flag, value, range;
  };
  for (const auto& b : {bad_flag{"-t", "-1", "(expected 0..1024)"},
                        bad_flag{"--threads", "1025", "(expected 0..1024)"},
                        bad_flag{"--udp-max-size", "100", "(expected 512..65507)"},
                        bad_flag{"--rrl-slip", "101", "(expected 0..100)"},
                        bad_flag{"--threads", "abc", "is not a whole number"}}) {
    SCOPED_TRACE(b.flag + " " + b.value);
    auto r =
        run_command({CIDNS_AUTHD_PATH, b.flag, b.value, "--zone", zone, "--control", "off"}, m_dir);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output.rfind("cidns-authd: ", 0), 0U) << r.output;
    EXPECT_NE(r.output.find(b.flag == "-t" ? "--threads" : b.flag), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(b.range), std::string::npos) << r.output;
  }
  const std::string conf = m_dir.file("threads.toml");
  write_file(conf, "[server]\nthreads = -1\n");
  auto r = run_command({CIDNS_AUTHD_PATH, "--config", conf, "--zone", zone}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("server.threads"), std::string::npos) << r.output;
}

TEST_F(AuthdIntegration, MetricsNeedsAPort) {
  const std::string zone = std::string(provx) + "=" + copy_fixture("provx.zone");
  auto r = run_command(
      {CIDNS_AUTHD_PATH, "--metrics", "127.0.0.1", "--zone", zone, "--control", "off"}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cidns-authd: --metrics 127.0.0.1: a port is required (ADDR:PORT)"),
            std::string::npos)
      << r.output;
  const std::string conf = m_dir.file("metrics.toml");
  write_file(conf, "[server]\nmetrics = \"127.0.0.1\"\n");
  r = run_command({CIDNS_AUTHD_PATH, "--config", conf, "--zone", zone}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("server.metrics: 127.0.0.1: a port is required"), std::string::npos)
      << r.output;
#ifdef CIDNS_RESOLVERD_PATH
  r = run_command({CIDNS_RESOLVERD_PATH, "--metrics", "127.0.0.1", "--root", "127.0.0.1:5380",
                   "--control", "off"},
                  m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cidns-resolverd: --metrics 127.0.0.1: a port is required (ADDR:PORT)"),
            std::string::npos)
      << r.output;
#endif
}

TEST_F(AuthdIntegration, VersionAndMessagePrefixes) {
  auto r = run_command({CIDNS_AUTHD_PATH, "--version"}, m_dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, std::string("cidns-authd ") + CIDNS_VERSION + "\n");
#ifdef CIDNS_RESOLVERD_PATH
  r = run_command({CIDNS_RESOLVERD_PATH, "--version"}, m_dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, std::string("cidns-resolverd ") + CIDNS_VERSION + "\n");
#endif
  r = run_command({CIDNS_AUTHD_PATH, "--bogus-flag"}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.rfind("cidns-authd: ", 0), 0U) << r.output;

  // A port in use: one "cannot listen on", not "cannot listen: cannot listen on".
  auto s = authd_server::start(m_dir, {{std::string(provx), fixture_path("provx.zone")}});
  ASSERT_TRUE(s);
  // Every log line names the program: "TIME cidns-authd LEVEL: …".
  EXPECT_TRUE(std::regex_search(s->log(), std::regex("Z cidns-authd info: zone "))) << s->log();
  const std::string zone = std::string(provx) + "=" + fixture_path("provx.zone");
  r = run_command(
      {CIDNS_AUTHD_PATH, "--listen", s->endpoint().to_string(), "--zone", zone, "--control", "off"},
      m_dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot listen on"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("cannot listen: "), std::string::npos) << r.output;
  // The metrics port in use: no "metrics: cannot listen on … (metrics)".
  r = run_command({CIDNS_AUTHD_PATH, "--listen", "127.0.0.1:0", "--metrics",
                   s->endpoint().to_string(), "--zone", zone, "--control", "off"},
                  m_dir);
  if (r.exit_code == 1) {  // (a UDP-only bind of the same port by chance would let it start)
    EXPECT_NE(r.output.find("(metrics)"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("metrics: cannot"), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace cidns::itest
