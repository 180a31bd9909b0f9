// The stub's resolver configuration: CIDNS_RESOLVER, resolv.conf, precedence and errors.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cidns/stub/config.hpp"

namespace cidns::stub {
namespace {

TEST(StubConfig, EnvListsServersWithPorts) {
  auto cfg = parse_resolver_env("127.0.0.1, 127.0.0.2:5381,[::1]:53");
  ASSERT_TRUE(cfg) << cfg.err().message;
  ASSERT_EQ(cfg->servers.size(), 3u);
  EXPECT_EQ(cfg->servers[0].to_string(), "127.0.0.1:5380");
  EXPECT_EQ(cfg->servers[1].to_string(), "127.0.0.2:5381");
  EXPECT_EQ(cfg->servers[2].to_string(), "[::1]:53");
  EXPECT_EQ(cfg->source, "CIDNS_RESOLVER");
}

TEST(StubConfig, EnvErrorNamesTheVariableAndTheValue) {
  auto cfg = parse_resolver_env("127.0.0.1,x");
  ASSERT_FALSE(cfg);
  EXPECT_TRUE(cfg.err().message.starts_with("CIDNS_RESOLVER: 'x': invalid address"))
      << cfg.err().message;
  EXPECT_FALSE(parse_resolver_env(" , "));
}

TEST(StubConfig, FileSetsEverything) {
  auto cfg = parse_resolv_conf(
      "# resolvers of this host\n"
      "resolver 127.0.0.1\n"
      "resolver 127.0.0.2:5381   # second\n"
      "\n"
      "timeout 500ms\n"
      "attempts 3\n"
      "tls off\n",
      "/x/resolv.conf");
  ASSERT_TRUE(cfg) << cfg.err().message;
  ASSERT_EQ(cfg->servers.size(), 2u);
  EXPECT_EQ(cfg->servers[1].to_string(), "127.0.0.2:5381");
  EXPECT_EQ(cfg->timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(cfg->attempts, 3);
  EXPECT_FALSE(cfg->tls);
  EXPECT_EQ(cfg->source, "/x/resolv.conf");

  auto secs = parse_resolv_conf("timeout 3s\n", "f");
  ASSERT_TRUE(secs);
  EXPECT_EQ(secs->timeout, std::chrono::seconds(3));
  EXPECT_TRUE(secs->servers.empty());
}

TEST(StubConfig, FileErrorsNamePathAndLine) {
  const auto error_of = [](std::string_view text) {
    auto cfg = parse_resolv_conf(text, "/etc/cidns/resolv.conf");
    return cfg ? std::string("ok") : cfg.err().message;
  };
  EXPECT_EQ(error_of("resolver 127.0.0.1\n\nresolver nowhere\n")
                .rfind("/etc/cidns/resolv.conf:3: 'nowhere': invalid address", 0),
            0u);
  EXPECT_EQ(error_of("timeout soon\n"),
            "/etc/cidns/resolv.conf:1: invalid timeout 'soon' (expected e.g. 2s or 500ms)");
  EXPECT_EQ(error_of("attempts 0\n"),
            "/etc/cidns/resolv.conf:1: invalid attempts '0' (expected 1 to 10)");
  EXPECT_EQ(error_of("#\nnameserver 1.2.3.4\n")
                .rfind("/etc/cidns/resolv.conf:2: unknown keyword 'nameserver'", 0),
            0u);
  EXPECT_EQ(error_of("resolver\n"), "/etc/cidns/resolv.conf:1: 'resolver' takes exactly one value");
  EXPECT_NE(error_of("tls on\n").find("not supported yet"), std::string::npos);
  EXPECT_NE(error_of("tls maybe\n").find("invalid tls 'maybe'"), std::string::npos);
}

class StubConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    m_path = std::filesystem::temp_directory_path() /
             ("cidns-stub-config-" + std::to_string(::getpid()) + ".conf");
  }
  void TearDown() override { std::filesystem::remove(m_path); }
  void write(std::string_view text) { std::ofstream(m_path) << text; }
  std::filesystem::path m_path;
};

TEST_F(StubConfigFile, EnvServersReplaceTheFilesButKeepItsTimeout) {
  write("resolver 127.0.0.9\ntimeout 1s\nattempts 1\n");
  auto cfg = load_config("127.0.0.5:5999", m_path.string());
  ASSERT_TRUE(cfg) << cfg.err().message;
  ASSERT_EQ(cfg->servers.size(), 1u);
  EXPECT_EQ(cfg->servers[0].to_string(), "127.0.0.5:5999");
  EXPECT_EQ(cfg->timeout, std::chrono::seconds(1));
  EXPECT_EQ(cfg->attempts, 1);

  auto from_file = load_config(std::nullopt, m_path.string());
  ASSERT_TRUE(from_file);
  EXPECT_EQ(from_file->servers[0].to_string(), "127.0.0.9:5380");
  EXPECT_EQ(from_file->source, m_path.string());

  auto empty_env = load_config("", m_path.string());
  ASSERT_TRUE(empty_env);
  EXPECT_EQ(empty_env->servers[0].to_string(), "127.0.0.9:5380");
}

TEST_F(StubConfigFile, DefaultWhenNothingNamesAServer) {
  auto missing = load_config(std::nullopt, m_path.string());  // not written
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->servers.size(), 1u);
  EXPECT_EQ(missing->servers[0].to_string(), "127.0.0.1:5380");
  EXPECT_EQ(missing->timeout, std::chrono::seconds(2));
  EXPECT_EQ(missing->attempts, 2);
  EXPECT_EQ(missing->source, "default");

  write("timeout 4s\n");
  auto no_servers = load_config(std::nullopt, m_path.string());
  ASSERT_TRUE(no_servers);
  EXPECT_EQ(no_servers->servers[0].to_string(), "127.0.0.1:5380");
  EXPECT_EQ(no_servers->timeout, std::chrono::seconds(4));
}

TEST_F(StubConfigFile, BadFileIsAnErrorEvenWithTheEnvironmentSet) {
  write("resolver 127.0.0.1\nattempts many\n");
  auto cfg = load_config("127.0.0.2", m_path.string());
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.err().message.rfind(m_path.string() + ":2: invalid attempts", 0), 0u);
}

}  // namespace
}  // namespace cidns::stub
