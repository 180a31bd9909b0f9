// cidns-authd configuration: TOML file and --zone arguments, and their errors.
#include "config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

using cidns::authd::parse_zone_arg;
using cidns::authd::read_config;

namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-config-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::string write(const std::string& text) {
    auto path = (m_dir / "authd.toml").string();
    std::ofstream(path) << text;
    return path;
  }

  // The message of the error read_config throws for `text`, or "" if none.
  std::string error_of(const std::string& text) {
    try {
      read_config(write(text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path m_dir;
};

}  // namespace

TEST_F(ConfigTest, ReadsEveryKey) {
  auto c = read_config(write(R"(
[server]
listen = ["127.0.0.21:5381", "[::1]:5380", "127.0.0.22"]
threads = 2
control = "off"
metrics = "127.0.0.1:9380"
tcp-idle-timeout = "3s"
tcp-max-connections = 12
udp-batch = 8
rrl-rate = 50
rrl-slip = 3
cookies = false

[[zone]]
name = "provx.cn-north"
file = "provx.zone"

[[zone]]
name = "."
file = "/abs/root.zone"
)"));
  ASSERT_EQ(c.listen.size(), 3u);
  EXPECT_EQ(c.listen[0].to_string(), "127.0.0.21:5381");
  EXPECT_EQ(c.listen[1].to_string(), "[::1]:5380");
  EXPECT_EQ(c.listen[2].port, 5380);
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.control, "off");
  ASSERT_TRUE(c.metrics.has_value());
  EXPECT_EQ(c.metrics->port, 9380);
  EXPECT_EQ(c.tcp_idle_timeout.count(), 3000);
  EXPECT_EQ(c.tcp_max_connections, 12u);
  EXPECT_EQ(c.udp_batch, 8u);
  EXPECT_EQ(c.rrl_rate, 50u);
  EXPECT_EQ(c.rrl_slip, 3u);
  EXPECT_FALSE(c.cookies);
  ASSERT_EQ(c.zones.size(), 2u);
  EXPECT_EQ(c.zones[0].name.text(), "provx.cn-north.");
  // Relative files are relative to the configuration file.
  EXPECT_EQ(c.zones[0].file, (m_dir / "provx.zone").string());
  EXPECT_EQ(c.zones[1].file, "/abs/root.zone");
  EXPECT_TRUE(c.zones[1].name.is_root());
}

TEST_F(ConfigTest, AbuseDefaults) {
  auto c = read_config(write("[server]\n"));
  EXPECT_EQ(c.rrl_rate, 0u);  // off, as in Knot
  EXPECT_EQ(c.rrl_slip, 2u);
  EXPECT_TRUE(c.cookies);
}

TEST_F(ConfigTest, AbuseKeyErrorsNameTheKey) {
  EXPECT_NE(error_of("[server]\nrrl-rate = -1\n").find("server.rrl-rate"), std::string::npos);
  EXPECT_NE(error_of("[server]\nrrl-rate = 10001\n").find("server.rrl-rate"), std::string::npos);
  EXPECT_NE(error_of("[server]\nrrl-rate = \"5\"\n").find("server.rrl-rate"), std::string::npos);
  EXPECT_NE(error_of("[server]\nrrl-slip = 101\n").find("server.rrl-slip"), std::string::npos);
  EXPECT_NE(error_of("[server]\ncookies = 1\n").find("server.cookies: expected true or false"),
            std::string::npos);
}

TEST_F(ConfigTest, UdpMaxSize) {
  EXPECT_EQ(read_config(write("[server]\n")).udp_max_size, 1232u);
  EXPECT_EQ(read_config(write("[server]\nudp-max-size = 512\n")).udp_max_size, 512u);
  EXPECT_EQ(read_config(write("[server]\nudp-max-size = 65507\n")).udp_max_size, 65507u);
  for (const char* bad : {"511", "65508", "65535", "-1", "\"4096\""}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(error_of(std::string("[server]\nudp-max-size = ") + bad + "\n")
                  .find("server.udp-max-size: expected a size in bytes, 512..65507"),
              std::string::npos);
  }
}

TEST_F(ConfigTest, ErrorsNameTheKey) {
  EXPECT_NE(error_of("[server]\nlisten = \"127.0.0.300\"\n").find("server.listen: 127.0.0.300"),
            std::string::npos);
  EXPECT_NE(error_of("[server]\nthreads = -1\n").find("server.threads"), std::string::npos);
  EXPECT_NE(error_of("[server]\nlisen = \"127.0.0.1\"\n").find("server.lisen: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("[sever]\n").find("sever: unknown section"), std::string::npos);
  EXPECT_NE(
      error_of("[server]\ntcp-idle-timeout = \"3 fortnights\"\n").find("server.tcp-idle-timeout"),
      std::string::npos);
  EXPECT_NE(error_of("[[zone]]\nfile = \"x.zone\"\n").find("zone.name: missing"),
            std::string::npos);
  EXPECT_NE(error_of("[[zone]]\nname = \"a.\"\n").find("zone.file: missing"), std::string::npos);
  EXPECT_NE(error_of("[[zone]]\nname = \"a@b\"\nfile = \"x\"\n").find("zone.name"),
            std::string::npos);
  EXPECT_NE(error_of("[server\n").find("authd.toml"), std::string::npos);  // TOML syntax
}

TEST(ZoneArg, NameEqualsFile) {
  auto z = parse_zone_arg("cn-north.=zonefiles/cn-north.zone");
  EXPECT_EQ(z.name.text(), "cn-north.");
  EXPECT_EQ(z.file, "zonefiles/cn-north.zone");
  EXPECT_THROW(parse_zone_arg("cn-north."), std::runtime_error);
  EXPECT_THROW(parse_zone_arg("=file"), std::runtime_error);
  EXPECT_THROW(parse_zone_arg("a@b=file"), std::runtime_error);
  EXPECT_THROW(parse_zone_arg("a.="), std::runtime_error);
}

TEST_F(ConfigTest, SigningKeysAndValidity) {
  auto c = read_config(write(R"(
[[zone]]
name = "provx.cn-north."
file = "provx.zone"
key = "Kprovx.private"
validity = "12h"

[[zone]]
name = "fin."
file = "fin.zone"
key = ["ksk.private", "/abs/zsk.private"]
)"));
  ASSERT_EQ(c.zones.size(), 2u);
  EXPECT_EQ(c.zones[0].keys, std::vector<std::string>{(m_dir / "Kprovx.private").string()});
  EXPECT_EQ(c.zones[0].sig_validity, 12u * 3600);
  EXPECT_EQ(c.zones[1].keys,
            (std::vector<std::string>{(m_dir / "ksk.private").string(), "/abs/zsk.private"}));
  EXPECT_EQ(c.zones[1].sig_validity, cidns::authd::default_sig_validity);
  EXPECT_NE(
      error_of("[[zone]]\nname = \"a.\"\nfile = \"x\"\nvalidity = \"2s\"\n").find("zone.validity"),
      std::string::npos);
  EXPECT_NE(error_of("[[zone]]\nname = \"a.\"\nfile = \"x\"\nvalidity = \"soon\"\n")
                .find("zone.validity"),
            std::string::npos);
  EXPECT_NE(error_of("[[zone]]\nname = \"a.\"\nfile = \"x\"\nkey = [1]\n").find("zone.key"),
            std::string::npos);
}

TEST(KeyArg, OneZoneOrNamed) {
  std::vector<cidns::authd::zone_config> one{parse_zone_arg("a.=a.zone")};
  cidns::authd::add_key_arg(one, "k.private");
  EXPECT_EQ(one[0].keys, std::vector<std::string>{"k.private"});
  std::vector<cidns::authd::zone_config> two{parse_zone_arg("a.=a.zone"),
                                             parse_zone_arg("b.=b.zone")};
  EXPECT_THROW(cidns::authd::add_key_arg(two, "k.private"), std::runtime_error);
  cidns::authd::add_key_arg(two, "b=kb.private");
  EXPECT_EQ(two[1].keys, std::vector<std::string>{"kb.private"});
  EXPECT_THROW(cidns::authd::add_key_arg(two, "c.=kc.private"), std::runtime_error);
  EXPECT_THROW(cidns::authd::parse_validity("--sig-validity", "3s"), std::runtime_error);
  EXPECT_EQ(cidns::authd::parse_validity("--sig-validity", "1d"), 86400u);
}
