// Issue 9, the daemon side: a waited-for reload that fails says so with its
// errors, zones keep their last error, drops are counted by reason, metrics
// labels are short decimals and per zone, and --metrics needs a port.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cidns/net/endpoint.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "config.hpp"
#include "raw_message.hpp"
#include "report.hpp"
#include "responder.hpp"
#include "zone_manager.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using test::f_flags;
using test::f_id;
using test::f_question;
using test::raw;
using test::raw_question;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReviewFixes : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-review-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
    m_file = (m_dir / "provx.zone").string();
    m_good = read_all(std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/provx.zone");
    write(m_good);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void write(const std::string& text) { std::ofstream(m_file, std::ios::trunc) << text; }
  std::vector<zone_config> provx() {
    zone_config z;
    z.name = name::identifier::parse("provx.cn-north.").value();
    z.file = m_file;
    return {z};
  }
  std::string config_error(const std::string& text) {
    const auto path = (m_dir / "authd.toml").string();
    std::ofstream(path) << text;
    try {
      read_config(path);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path m_dir;
  std::string m_file, m_good;
  zone_registry m_registry;
  serve::query_stats m_stats;
};

// Point 1: `reload --wait` on a broken zone said "ok": true; the errors were only in the log.
TEST_F(ReviewFixes, WaitedReloadOfABrokenZoneFailsWithItsErrors) {
  zone_manager zones(provx(), m_registry);
  ASSERT_TRUE(zones.load_all());
  zones.start();
  daemon_view view{zones, m_stats, nullptr, 0, {}};
  const auto lines = std::count(m_good.begin(), m_good.end(), '\n');
  write(m_good + "broken  DESC  kind=warp-drive\n");

  auto reply = nlohmann::json::parse(
      handle_control(view, R"({"cmd":"reload","zone":"provx.cn-north","wait":true})"));
  EXPECT_FALSE(reply.value("ok", true)) << reply.dump();
  ASSERT_EQ(reply["errors"].size(), 1U) << reply.dump();
  const auto& e = reply["errors"][0];
  EXPECT_EQ(e.value("zone", ""), "provx.cn-north.");
  EXPECT_EQ(e.value("file", ""), m_file);
  ASSERT_FALSE(e["messages"].empty());
  const std::string first = e["messages"][0].get<std::string>();
  EXPECT_EQ(first.rfind(m_file + ":" + std::to_string(lines + 1) + ":", 0), 0U) << first;
  EXPECT_NE(first.find(": error: "), std::string::npos) << first;
  ASSERT_EQ(reply["zones"].size(), 1U);

  // `zones` keeps it as the zone's last error, with a time.
  auto status = nlohmann::json::parse(handle_control(view, R"({"cmd":"zones"})"));
  const auto& z = status["zones"][0];
  ASSERT_TRUE(z.contains("last_error")) << status.dump();
  EXPECT_GT(z["last_error"].value("time", 0), 1'700'000'000);
  EXPECT_EQ(z["last_error"]["messages"], e["messages"]);

  // Fixed: ok again, no errors, and the last error is gone.
  write(m_good);
  reply = nlohmann::json::parse(handle_control(view, R"({"cmd":"reload","wait":true})"));
  EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
  EXPECT_FALSE(reply.contains("errors")) << reply.dump();
  EXPECT_FALSE(reply["zones"][0].contains("last_error")) << reply.dump();
  // Without wait: as before.
  reply = nlohmann::json::parse(handle_control(view, R"({"cmd":"reload"})"));
  EXPECT_TRUE(reply.value("ok", false));
  EXPECT_EQ(reply.value("queued", ""), "all");
  reply =
      nlohmann::json::parse(handle_control(view, R"({"cmd":"reload","zone":"x.","wait":true})"));
  EXPECT_FALSE(reply.value("ok", true));
  EXPECT_NE(reply.value("error", "").find("no zone x."), std::string::npos);
  zones.stop();
}

TEST_F(ReviewFixes, AMissingFileIsTheLastError) {
  zone_manager zones(provx(), m_registry);
  ASSERT_TRUE(zones.load_all());
  zones.start();
  std::filesystem::remove(m_file);
  auto errors = zones.reload_and_wait("");
  ASSERT_TRUE(errors);
  ASSERT_EQ(errors->size(), 1U);
  ASSERT_EQ(errors->front().messages.size(), 1U);
  EXPECT_NE(errors->front().messages[0].find(m_file), std::string::npos)
      << errors->front().messages[0];
  EXPECT_FALSE(zones.reload_and_wait("nowhere."));
  zones.stop();
}

// Point 6: replies and empty datagrams were counted as "undecodable".
TEST_F(ReviewFixes, DropsAreCountedByReason) {
  zone_manager zones(provx(), m_registry);
  ASSERT_TRUE(zones.load_all());
  responder r(m_registry, m_stats);
  std::string reply;
  EXPECT_FALSE(r.respond("", true, reply));  // empty
  wire::message answer;                      // a well-formed reply
  answer.id = 9;
  answer.flags = wire::flag::qr;
  EXPECT_FALSE(r.respond(wire::encode(answer), true, reply));
  const std::string bad_reply = raw()
                                    .fixed32(f_id, 5)
                                    .varint(f_flags, wire::flag::qr)
                                    .bytes(f_question, raw_question("a..b", 5))
                                    .str();
  EXPECT_FALSE(r.respond(bad_reply, true, reply));  // malformed, but a reply
  EXPECT_FALSE(r.respond("\x0f", true, reply));     // no header to read
  const auto s = m_stats.snapshot();
  EXPECT_EQ(s.dropped_by[static_cast<std::size_t>(serve::drop_reason::empty)], 1U);
  EXPECT_EQ(s.dropped_by[static_cast<std::size_t>(serve::drop_reason::reply)], 2U);
  EXPECT_EQ(s.dropped_by[static_cast<std::size_t>(serve::drop_reason::undecodable)], 1U);
  EXPECT_EQ(s.dropped, 4U);

  daemon_view view{zones, m_stats, nullptr, 0, {}};
  const std::string metrics = metrics_text(view);
  EXPECT_NE(metrics.find("cidns_dropped_total{reason=\"empty\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("cidns_dropped_total{reason=\"reply\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("cidns_dropped_total{reason=\"undecodable\"} 1\n"), std::string::npos)
      << metrics;
  auto stats = nlohmann::json::parse(handle_control(view, R"({"cmd":"stats"})"));
  EXPECT_EQ(stats["stats"]["dropped_by_reason"].value("reply", 0), 2) << stats.dump();
  EXPECT_EQ(stats["stats"].value("dropped", 0), 4);
}

// Point 6: le="4.9999999999999996e-06"; zone loads without a zone label.
TEST_F(ReviewFixes, MetricsLabelsAreShortDecimalsAndPerZone) {
  zone_manager zones(provx(), m_registry);
  ASSERT_TRUE(zones.load_all());
  daemon_view view{zones, m_stats, nullptr, 0, {}};
  const std::string metrics = metrics_text(view);
  EXPECT_NE(metrics.find("cidns_query_duration_seconds_bucket{le=\"0.000005\"}"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("cidns_query_duration_seconds_bucket{le=\"0.001\"}"), std::string::npos);
  EXPECT_NE(metrics.find("cidns_reply_size_bytes_bucket{le=\"1232\"}"), std::string::npos);
  EXPECT_EQ(metrics.find("e-0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("cidns_zone_loads_total{zone=\"provx.cn-north.\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("cidns_zone_load_failures_total{zone=\"provx.cn-north.\"} 0\n"),
            std::string::npos)
      << metrics;
}

// Point 2: "--metrics 127.0.0.1" took the query port 5380.
TEST_F(ReviewFixes, AMetricsAddressNeedsAPort) {
  auto no_port = net::parse_endpoint_with_port("127.0.0.1");
  ASSERT_FALSE(no_port);
  EXPECT_EQ(no_port.err().message, "127.0.0.1: a port is required (ADDR:PORT)");
  EXPECT_FALSE(net::parse_endpoint_with_port("[::1]"));
  EXPECT_FALSE(net::parse_endpoint_with_port("::1"));
  auto with = net::parse_endpoint_with_port("127.0.0.1:9380");
  ASSERT_TRUE(with);
  EXPECT_EQ(with->port, 9380);
  EXPECT_EQ(net::parse_endpoint_with_port("[::1]:0")->port, 0);  // a port, even 0
  EXPECT_EQ(config_error("[server]\nmetrics = \"127.0.0.1\"\n"),
            (m_dir / "authd.toml").string() +
                ": server.metrics: 127.0.0.1: a port is required (ADDR:PORT)");
  EXPECT_EQ(config_error("[server]\nmetrics = \"127.0.0.1:9380\"\n"), "");
  EXPECT_EQ(config_error("[server]\nlisten = \"127.0.0.1\"\n"), "");  // the query port: 5380
}

}  // namespace
}  // namespace cidns::authd
