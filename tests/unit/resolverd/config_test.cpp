// cidns-resolverd's TOML configuration, sizes and root hints: values read, every problem named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "config.hpp"

namespace cidns::resolverd {
namespace {

class ResolverdConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-resolverd-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = (m_dir / name).string();
    std::ofstream(p) << text;
    return p;
  }
  // The message read_config throws, or "" when it does not.
  std::string problem(const std::string& text) {
    try {
      (void)read_config(write("bad.toml", text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path m_dir;
};

TEST_F(ResolverdConfig, ReadsEveryKey) {
  const auto path = write("r.toml", R"(
[server]
listen = ["127.0.0.1:5390", "[::1]:5390"]
threads = 3
allow = ["10.0.0.0/8", "::1"]
control = "off"
metrics = "127.0.0.1:9380"
cookies = false
[resolver]
root = "127.0.0.2"
trust-anchor = "root.anchor"
client-timeout = "4s"
[cache]
dir = "cache"
size = "64MiB"
max-ttl = "2h"
max-negative-ttl = 600
)");
  const config c = read_config(path);
  ASSERT_EQ(c.listen.size(), 2U);
  EXPECT_EQ(c.listen[1].to_string(), "[::1]:5390");
  EXPECT_EQ(c.threads, 3U);
  EXPECT_EQ(c.allow.to_string(), "10.0.0.0/8 ::1/128");
  EXPECT_EQ(c.control, "off");
  ASSERT_TRUE(c.metrics);
  EXPECT_EQ(c.metrics->port, 9380);
  EXPECT_FALSE(c.cookies);
  ASSERT_EQ(c.roots.size(), 1U);
  EXPECT_EQ(c.roots[0].to_string(), "127.0.0.2:5380");
  EXPECT_EQ(c.trust_anchor, (m_dir / "root.anchor").string()) << "relative to the file";
  EXPECT_EQ(c.cache_dir, (m_dir / "cache").string());
  EXPECT_EQ(c.cache_size, 64ULL << 20);
  EXPECT_EQ(c.max_ttl, 7200U);
  EXPECT_EQ(c.max_negative_ttl, 600U);
  EXPECT_EQ(c.client_deadline, std::chrono::seconds(4));
}

TEST_F(ResolverdConfig, ProblemsNameFileAndKey) {
  EXPECT_NE(
      problem("[server]\nthreads = -1\n").find("server.threads: expected a number of threads"),
      std::string::npos);
  EXPECT_NE(problem("[server]\nlisten = \"1.2.3.400\"\n").find("server.listen"), std::string::npos);
  EXPECT_NE(problem("[server]\nallow = \"10.0.0.0/40\"\n").find("server.allow: 10.0.0.0/40"),
            std::string::npos);
  EXPECT_NE(problem("[server]\ncookies = 1\n").find("server.cookies: expected true or false"),
            std::string::npos);
  EXPECT_NE(problem("[server]\nbogus = 1\n").find("server.bogus: unknown key"), std::string::npos);
  EXPECT_NE(problem("[zone]\nx = 1\n").find("zone: unknown section"), std::string::npos);
  EXPECT_NE(problem("[cache]\nsize = \"12 parsecs\"\n").find("cache.size"), std::string::npos);
  EXPECT_NE(problem("[cache]\nsize = \"10K\"\n").find("expected 1MiB..1TiB"), std::string::npos);
  EXPECT_NE(problem("[resolver]\nclient-timeout = \"0s\"\n").find("resolver.client-timeout"),
            std::string::npos);
  EXPECT_NE(problem("[resolver\n").find("bad.toml"), std::string::npos) << "TOML syntax";
}

TEST(ResolverdSize, Units) {
  EXPECT_EQ(parse_size("--cache-size", "1MiB"), 1ULL << 20);
  EXPECT_EQ(parse_size("--cache-size", "2G"), 2ULL << 30);
  EXPECT_EQ(parse_size("--cache-size", "4096K"), 4ULL << 20);
  EXPECT_EQ(parse_size("--cache-size", "1048576"), 1ULL << 20);
  for (const char* bad : {"", "MiB", "1", "2TiB", "5X", "-1M", "99999999999999999999G"}) {
    try {
      (void)parse_size("--cache-size", bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("--cache-size"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ResolverdConfig, RootHints) {
  const auto hints = write("root.hints", R"(# the roots
127.0.0.2
a.root-servers. 86400 ADDR 127.0.0.7 5391   ; a zonefile line
[::1]:5392
)");
  const auto roots = read_root_hints(hints);
  ASSERT_EQ(roots.size(), 3U);
  EXPECT_EQ(roots[0].to_string(), "127.0.0.2:5380");
  EXPECT_EQ(roots[1].to_string(), "127.0.0.7:5391");
  EXPECT_EQ(roots[2].to_string(), "[::1]:5392");
  try {
    (void)read_root_hints(write("bad.hints", "127.0.0.2\nnot-an-address\n"));
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.hints:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)read_root_hints(write("empty.hints", "# nothing\n")), std::runtime_error);
  EXPECT_THROW((void)read_root_hints((m_dir / "missing").string()), std::runtime_error);
}

}  // namespace
}  // namespace cidns::resolverd
