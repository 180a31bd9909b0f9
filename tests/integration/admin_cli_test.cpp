// cidns-admin as an operator meets it: a reload that fails is a failure (exit 1, the errors
// in the reply), every counter of "stats" in the text, numeric flags checked with a message
// naming the flag and its range, unknown commands named with the valid ones, --version, and
// every message starting with the program's name. The daemon is a fake control socket in
// this process, answering as cidns-authd does (or will: the "errors" of a reload).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cidns/net/control.hpp"
#include "process.hpp"

namespace cidns::itest {
namespace {

using json = nlohmann::json;

class AdminCli : public ::testing::Test {
 protected:
  // Serves `reply(request)` on a control socket in the test's directory.
  void serve(std::function<json(const json&)> reply) {
    m_server = std::make_unique<net::control_server>(
        m_dir.file("control.sock"), [reply = std::move(reply)](std::string_view line) {
          return reply(json::parse(line, nullptr, false)).dump();
        });
    m_server->start();
  }

  run_result admin(std::vector<std::string> args) {
    args.insert(args.begin(), CIDNS_ADMIN_PATH);
    return run_command(args, m_dir);
  }

  // A control command with --socket (and --timeout) added.
  run_result control(std::vector<std::string> args) {
    args.push_back("--socket");
    args.push_back(m_dir.file("control.sock"));
    return admin(std::move(args));
  }

  temp_dir m_dir;
  std::unique_ptr<net::control_server> m_server;
};

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Every line of the output starts with "cidns-admin" (or is the --help hint).
void expect_prefixed(const std::string& output) {
  std::size_t start = 0;
  while (start < output.size()) {
    const std::size_t end = output.find('\n', start);
    const std::string line = output.substr(start, end - start);
    if (!line.empty() && !line.starts_with("Run with --help")) {
      EXPECT_TRUE(line.starts_with("cidns-admin")) << line;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

const json broken_reload = {
    {"ok", false},
    {"queued", "provx.cn-north."},
    {"zones", json::array({{{"name", "provx.cn-north."},
                            {"serial", 7},
                            {"records", 31},
                            {"loads", 1},
                            {"failures", 1},
                            {"last_error",
                             {{"time", 1764547200},
                              {"messages", json::array({"provx.zone:12:27: error: unknown DESC "
                                                        "key \"colour\"",
                                                        "provx.zone:14:1: error: second"})}}}}})},
    {"errors", json::array({{{"zone", "provx.cn-north."},
                             {"file", "provx.zone"},
                             {"messages", json::array({"provx.zone:12:27: error: unknown DESC key "
                                                       "\"colour\"",
                                                       "provx.zone:14:1: error: second"})}}})}};

TEST_F(AdminCli, FailedReloadExits1WithTheErrors) {
  serve([](const json& req) {
    EXPECT_EQ(req.value("cmd", ""), "reload");
    EXPECT_TRUE(req.value("wait", false));
    return broken_reload;
  });
  auto r = control({"server", "reload", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "provx.zone:12:27: error: unknown DESC key \"colour\"")) << r.output;
  EXPECT_TRUE(has(r.output, "provx.zone:14:1: error: second")) << r.output;
  EXPECT_TRUE(has(r.output, "not reloaded from provx.zone")) << r.output;

  r = control({"server", "reload", "--wait", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  EXPECT_FALSE(j.value("ok", true));
  ASSERT_TRUE(j.contains("errors"));
  EXPECT_EQ(j["errors"][0]["messages"].size(), 2U);
}

TEST_F(AdminCli, ReloadErrorsCountEvenWhenOkIsMissing) {
  json reply = broken_reload;
  reply["ok"] = true;  // a server that lists errors but says ok: the errors decide
  serve([reply](const json&) { return reply; });
  auto r = control({"server", "reload", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "provx.zone:14:1: error: second")) << r.output;
}

TEST_F(AdminCli, ReloadWithoutErrorsField) {
  // The reply of a server from before "errors": nothing failed.
  serve([](const json&) {
    return json{{"ok", true}, {"queued", "all"}, {"zones", json::array()}};
  });
  auto r = control({"server", "reload", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "reload queued: all")) << r.output;
}

TEST_F(AdminCli, ZonesShowTheLastError) {
  serve([](const json&) { return json{{"ok", true}, {"zones", broken_reload["zones"]}}; });
  auto r = control({"server", "zones"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "provx.zone:12:27: error: unknown DESC key")) << r.output;
  EXPECT_TRUE(has(r.output, "provx.zone:14:1: error: second")) << r.output;
  EXPECT_FALSE(has(r.output, "\"messages\"")) << r.output;  // text, not JSON

  // A server that sends the last error as text.
  m_server.reset();
  serve([](const json&) {
    return json{{"ok", true},
                {"zones", json::array({{{"name", "a."}, {"last_error", "1 error(s) in a.zone"}}})}};
  });
  r = control({"server", "zones"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "1 error(s) in a.zone")) << r.output;
}

TEST_F(AdminCli, StatsPrintEveryCounter) {
  serve([](const json&) {
    return json{{"ok", true},
                {"stats",
                 {{"queries", 12},
                  {"opcode", {{"QUERY", 10}}},
                  {"mean_latency_us", 3.25},
                  {"counter_added_later", 7},
                  {"dropped_total", {{"undecodable", 2}, {"reply", 1}}}}}};
  });
  for (const char* daemon : {"server", "resolver"}) {
    auto r = control({daemon, "stats"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(has(r.output, "queries: 12\n")) << r.output;
    EXPECT_TRUE(has(r.output, "opcode.QUERY: 10\n")) << r.output;
    EXPECT_TRUE(has(r.output, "mean_latency_us: 3.25\n")) << r.output;
    EXPECT_TRUE(has(r.output, "counter_added_later: 7\n")) << daemon << r.output;
    EXPECT_TRUE(has(r.output, "dropped_total.undecodable: 2\n")) << daemon << r.output;
    EXPECT_TRUE(has(r.output, "dropped_total.reply: 1\n")) << daemon << r.output;
  }
}

TEST_F(AdminCli, NumericFlagsNameTheFlagAndTheRange) {
  auto r = admin({"server", "status", "--timeout", "abc"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--timeout")) << r.output;
  EXPECT_TRUE(has(r.output, "'abc' is not a whole number (expected 1..600000 milliseconds)"))
      << r.output;
  EXPECT_TRUE(has(r.output, "1..600000")) << r.output;
  expect_prefixed(r.output);

  r = admin({"resolver", "stats", "--timeout", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--timeout: '0' is out of range (expected 1..600000 milliseconds)"))
      << r.output;

  r = admin({"zone", "verify", "x.zone", "--jobs", "-1"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--jobs: '-1' is out of range (expected 0..256 threads)")) << r.output;

  r = admin({"zone", "sign", "x.zone", "--key", "k", "-j", "many"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--jobs: 'many' is not a whole number (expected 0..256 threads)"))
      << r.output;
}

TEST_F(AdminCli, UnknownCommandsAreNamed) {
  auto r = admin({"bogus"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-admin: unknown command 'bogus' (expected one of: ")) << r.output;
  for (const char* c : {"keygen", "zone", "server", "resolver"})
    EXPECT_TRUE(has(r.output, c)) << r.output;
  EXPECT_FALSE(has(r.output, "A subcommand is required")) << r.output;

  r = admin({"server", "restart"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-admin server: unknown command 'restart' (expected one of: "))
      << r.output;
  EXPECT_TRUE(has(r.output, "status, transfers, zones, reload, flush, stats")) << r.output;

  r = admin({"zone"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-admin zone: a command is required")) << r.output;

  r = admin({});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-admin: a command is required")) << r.output;

  r = admin({"--bogus"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "unknown option '--bogus'")) << r.output;

  r = admin({"zone", "check"});  // CLI11's own message, with the program's name
  EXPECT_EQ(r.exit_code, 2) << r.output;
  expect_prefixed(r.output);
}

TEST_F(AdminCli, VersionAtEveryLevel) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--version"}, {"server", "--version"}, {"zone", "check", "--version"}}) {
    auto r = admin(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(r.output.starts_with("cidns-admin ")) << r.output;
    EXPECT_FALSE(has(r.output, "subcommand")) << r.output;
  }
}

TEST_F(AdminCli, NoSocketIsOneMessage) {
  auto r = control({"server", "status", "--timeout", "200"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  expect_prefixed(r.output);
  const std::string path = m_dir.file("control.sock");
  const auto first = r.output.find(path);
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(path, first + 1), std::string::npos) << r.output;  // said once
}

}  // namespace
}  // namespace cidns::itest
