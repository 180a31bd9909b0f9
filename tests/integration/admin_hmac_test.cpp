// cidns-admin keygen --hmac as a program: the key file it writes (mode 0600, readable by
// read_key_file), its default name, --json, and its refusal to overwrite.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cidns/hmac/key.hpp"
#include "common/run_program.hpp"

namespace {

using cidns::test::outcome;

class AdminHmacKeygen : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-admin-hmac-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  // Runs cidns-admin in the test's folder.
  outcome run(const std::string& args) const {
    return cidns::test::run_command("cd '" + m_dir.string() + "' && '" CIDNS_ADMIN "' " + args);
  }
  static unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::filesystem::path m_dir;
};

TEST_F(AdminHmacKeygen, DefaultFileInTheCurrentFolder) {
  auto o = run("keygen --hmac Provx-Agent.");
  ASSERT_EQ(o.code, 0) << o.out;
  const auto path = m_dir / "provx-agent.hmac";
  EXPECT_EQ(o.out, "provx-agent.hmac\n");
  EXPECT_EQ(mode_of(path), 0600u);
  auto k = cidns::hmac::read_key_file(path);
  ASSERT_TRUE(k.ok()) << k.err().message;
  EXPECT_EQ(k->name, "provx-agent.");
  EXPECT_EQ(k->secret.size(), cidns::hmac::secret_size);
}

TEST_F(AdminHmacKeygen, OutAndJson) {
  auto o = run("keygen --hmac xfr.provx --out keys.hmac --json");
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("\"name\": \"xfr.provx.\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"file\": \"keys.hmac\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"algorithm\": \"hmac-sha256\""), std::string::npos) << o.out;
  EXPECT_TRUE(cidns::hmac::read_key_file(m_dir / "keys.hmac").ok());
}

TEST_F(AdminHmacKeygen, RefusesToOverwrite) {
  ASSERT_EQ(run("keygen --hmac a --out a.key").code, 0);
  auto before = cidns::hmac::read_key_file(m_dir / "a.key");
  auto o = run("keygen --hmac a --out a.key");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("exists"), std::string::npos) << o.out;
  auto after = cidns::hmac::read_key_file(m_dir / "a.key");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(*before, *after);
}

TEST_F(AdminHmacKeygen, UsageErrors) {
  EXPECT_EQ(run("keygen --hmac 'bad name'").code, 2);
  EXPECT_EQ(run("keygen").code, 2);  // neither --zone nor --hmac
  EXPECT_EQ(run("keygen --hmac a --zone b.").code, 2);
  EXPECT_FALSE(std::filesystem::exists(m_dir / "a.hmac"));
}

}  // namespace
