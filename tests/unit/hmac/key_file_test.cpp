// Unit tests for shared keys and their files (key.hpp): generation, the keyring, the key
// file's round trip and its errors (file and line), atomic writes with mode 0600.
#include "cidns/hmac/key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "cidns/record/base_encoding.hpp"

namespace hmac = cidns::hmac;

namespace {

std::string file_text(const std::string& name, const std::string& alg, const std::string& secret) {
  return "name: " + name + "\nalgorithm: " + alg + "\nsecret: " + secret + "\n";
}

const std::string secret16_b64 = cidns::record::base64_encode(std::string(16, 'x'));

TEST(HmacKey, GenerateMakesCanonicalNameAndRandomSecret) {
  auto a = hmac::generate("Provx-Agent");
  auto b = hmac::generate("provx-agent.");
  EXPECT_EQ(a.name, "provx-agent.");
  EXPECT_EQ(b.name, "provx-agent.");
  EXPECT_EQ(a.secret.size(), hmac::secret_size);
  EXPECT_NE(a.secret, b.secret);
  EXPECT_THROW(hmac::generate("bad name!"), std::invalid_argument);
  EXPECT_THROW(hmac::generate(""), std::invalid_argument);
}

TEST(HmacKey, KeyringFindsByCanonicalName) {
  hmac::keyring ring;
  EXPECT_TRUE(ring.add(hmac::key{"Agent.Provx", std::string(32, 'a')}));
  EXPECT_FALSE(ring.add(hmac::key{"agent.provx.", std::string(32, 'b')}));
  EXPECT_FALSE(ring.add(hmac::key{"bad name", std::string(32, 'c')}));
  EXPECT_EQ(ring.size(), 1u);
  const hmac::key* k = ring.find("agent.provx.");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->secret, std::string(32, 'a'));  // the first one stays
  EXPECT_EQ(ring.find("agent.provx"), nullptr);
  EXPECT_EQ(ring.find("other."), nullptr);
}

TEST(HmacKeyFile, FormatParseRoundTrip) {
  auto k = hmac::generate("provx-agent");
  const std::string text = hmac::format_key_file(k);
  EXPECT_NE(text.find("name: provx-agent.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("algorithm: hmac-sha256\n"), std::string::npos) << text;
  auto back = hmac::parse_key_file(text, "k.hmac");
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, k);
}

TEST(HmacKeyFile, CommentsBlankLinesSpacesAndAnyOrder) {
  auto r = hmac::parse_key_file("# a key\r\n\n  secret:   " + secret16_b64 +
                                    "  \r\nalgorithm:hmac-sha256\n\t# more\nname: A.B\n",
                                "k.hmac");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->name, "a.b.");
  EXPECT_EQ(r->secret, std::string(16, 'x'));
}

// Each error names the file and the line, in the message and in err().line.
void expect_error(const std::string& text, std::uint32_t line, const std::string& words) {
  auto r = hmac::parse_key_file(text, "agent.hmac");
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.err().line, line) << r.err().message;
  const std::string prefix = "agent.hmac:" + std::to_string(line) + ": ";
  EXPECT_EQ(r.err().message.substr(0, prefix.size()), prefix) << r.err().message;
  EXPECT_NE(r.err().message.find(words), std::string::npos) << r.err().message;
}

TEST(HmacKeyFile, ParseErrorsNameFileAndLine) {
  // A missing field is reported at the end of the file.
  expect_error("name: a.\nalgorithm: hmac-sha256\n", 2, "missing field 'secret'");
  expect_error("# only\nsecret: " + secret16_b64 + "\nalgorithm: hmac-sha256\n", 3,
               "missing field 'name'");
  expect_error("name: a.\nsecret: " + secret16_b64 + "\n", 2, "missing field 'algorithm'");
  expect_error("", 1, "missing field 'name'");
  // Bad values, on their own line.
  expect_error("name: a.\nalgorithm: hmac-sha256\nsecret: abc$\n", 3, "not base64");
  expect_error("name: a.\nalgorithm: hmac-sha256\n\nsecret: " +
                   cidns::record::base64_encode(std::string(15, 'x')) + "\n",
               4, "15 bytes");
  expect_error(file_text("a.", "hmac-sha256", cidns::record::base64_encode(std::string(65, 'x'))),
               3, "65 bytes");
  expect_error(file_text("a.", "hmac-md5", secret16_b64), 2, "unknown algorithm 'hmac-md5'");
  expect_error(file_text("a.", "HMAC-SHA256", secret16_b64), 2, "unknown algorithm");
  expect_error(file_text("bad name", "hmac-sha256", secret16_b64), 1, "bad key name");
  expect_error("name: a.\nname: b.\n", 2, "'name' given twice");
  expect_error("name: a.\nkey: x\n", 2, "unknown field 'key'");
  expect_error("name: a.\njust words\n", 2, "expected 'field: value'");
  expect_error("name:\n", 1, "no value");
}

TEST(HmacKeyFile, SizeBoundsOfTheSecretAreAccepted) {
  for (std::size_t n : {hmac::min_secret_size, hmac::max_secret_size}) {
    auto r = hmac::parse_key_file(
        file_text("a.", "hmac-sha256", cidns::record::base64_encode(std::string(n, 'q'))), "f");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->secret.size(), n);
  }
}

TEST(HmacKeyFile, HugeInputIsAnError) {
  auto r = hmac::parse_key_file(std::string(100000, '#'), "big.hmac");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("big.hmac"), std::string::npos);
}

class HmacKeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-hmac-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::size_t files_in_dir() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(m_dir)) ++n;
    return n;
  }
  static unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::filesystem::path m_dir;
};

TEST_F(HmacKeyFiles, WriteReadRoundTripMode0600NoTemporaryLeft) {
  const auto path = m_dir / "agent.hmac";
  auto k = hmac::generate("provx-agent");
  const mode_t old_umask = ::umask(0);  // a permissive umask must not loosen the mode
  hmac::write_key_file(path, k);
  ::umask(old_umask);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(files_in_dir(), 1u);
  auto back = hmac::read_key_file(path);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, k);
}

TEST_F(HmacKeyFiles, WriteReplacesAtomically) {
  const auto path = m_dir / "agent.hmac";
  { std::ofstream(path) << "old contents\n"; }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  const auto old_inode = std::filesystem::hard_link_count(path);
  EXPECT_EQ(old_inode, 1u);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  auto k = hmac::generate("a");
  hmac::write_key_file(path, k);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed over, not rewritten in place
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(files_in_dir(), 1u);
  EXPECT_EQ(*hmac::read_key_file(path), k);
}

TEST_F(HmacKeyFiles, WriteFailureThrowsAndLeavesNothing) {
  const auto path = m_dir / "no-such-folder" / "agent.hmac";
  EXPECT_THROW(hmac::write_key_file(path, hmac::generate("a")), std::runtime_error);
  EXPECT_EQ(files_in_dir(), 0u);
}

TEST_F(HmacKeyFiles, CreateNeverReplaces) {
  const auto path = m_dir / "agent.hmac";
  auto k1 = hmac::generate("a");
  auto k2 = hmac::generate("a");
  EXPECT_TRUE(hmac::create_key_file(path, k1));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_FALSE(hmac::create_key_file(path, k2));
  EXPECT_EQ(*hmac::read_key_file(path), k1);
  EXPECT_EQ(files_in_dir(), 1u);
}

TEST_F(HmacKeyFiles, ReadErrorsNameTheFile) {
  auto missing = hmac::read_key_file(m_dir / "missing.hmac");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.err().message.find("missing.hmac"), std::string::npos);
  const auto path = m_dir / "bad.hmac";
  { std::ofstream(path) << "name: a.\nalgorithm: hmac-sha1\n"; }
  auto bad = hmac::read_key_file(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message.substr(0, path.string().size() + 3), path.string() + ":2:")
      << bad.err().message;
}

}  // namespace
