// cidns-admin keygen | zone sign | zone verify | zone ds as programs: files,
// output and exit codes (DESIGN §8), on the example provider zone.
#include <gtest/gtest.h>

#include "common/run_program.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using cidns::test::outcome;

outcome run(const std::string& args) {
  return cidns::test::run_command("'" CIDNS_ADMIN "' " + args);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AdminSigning : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-admin-sign-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::string path(const std::string& name) const { return (m_dir / name).string(); }
  static std::string zonefile() {
    return std::string(CIDNS_SOURCE_DIR) + "/zonefiles/provx.cn-north.zone";
  }
  // Makes a key; returns the .private path.
  std::string keygen(const std::string& extra = "") {
    auto o = run("keygen --zone provx.cn-north. --out '" + m_dir.string() + "' " + extra);
    EXPECT_EQ(o.code, 0) << o.out;
    return o.out.substr(0, o.out.find('\n'));
  }
  std::string sign(const std::string& key, const std::string& out, const std::string& extra = "") {
    auto o = run("zone sign '" + zonefile() + "' --key '" + key + "' -o '" + out + "' " + extra);
    EXPECT_EQ(o.code, 0) << o.out;
    return o.out;
  }

  std::filesystem::path m_dir;
};

TEST_F(AdminSigning, KeygenWritesBothFilesPrivateOnesMode0600) {
  auto o = run("keygen --zone provx.cn-north. --alg p256 --ksk --out '" + m_dir.string() + "'");
  ASSERT_EQ(o.code, 0) << o.out;
  std::istringstream lines(o.out);
  std::string priv, pub;
  std::getline(lines, priv);
  std::getline(lines, pub);
  EXPECT_NE(priv.find("Kprovx.cn-north.+p256+"), std::string::npos) << priv;
  EXPECT_TRUE(priv.ends_with(".private"));
  EXPECT_TRUE(pub.ends_with(".key"));
  struct stat st {};
  ASSERT_EQ(::stat(priv.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_NE(slurp(pub).find("provx.cn-north. 3600 KEY zone|sep p256 "), std::string::npos)
      << slurp(pub);
  EXPECT_NE(slurp(priv).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST_F(AdminSigning, KeygenUsageErrors) {
  EXPECT_EQ(run("keygen --zone provx.cn-north. --alg rsa --out '" + m_dir.string() + "'").code, 2);
  EXPECT_EQ(run("keygen --zone 'bad name' --out '" + m_dir.string() + "'").code, 2);
  EXPECT_EQ(run("keygen --out '" + m_dir.string() + "'").code, 2);
  EXPECT_EQ(run("keygen --zone x. --out /nonexistent/dir").code, 2);
}

TEST_F(AdminSigning, SignThenVerify) {
  const auto key = keygen("--ksk");
  const auto summary = sign(key, path("signed.zone"));
  EXPECT_NE(summary.find("zone provx.cn-north.: signed "), std::string::npos) << summary;
  auto v = run("zone verify '" + path("signed.zone") + "'");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(v.out, "zone provx.cn-north.: signatures, NSEC chain OK\n");
  auto j = run("zone verify --json '" + path("signed.zone") + "'");
  EXPECT_EQ(j.code, 0) << j.out;
  EXPECT_NE(j.out.find("\"ok\": true"), std::string::npos) << j.out;
  // The trust anchor from zone ds matches.
  auto ds = run("zone ds '" + key + "'");
  ASSERT_EQ(ds.code, 0) << ds.out;
  std::ofstream(path("anchor")) << ds.out;
  auto a = run("zone verify '" + path("signed.zone") + "' --anchor '" + path("anchor") + "'");
  EXPECT_EQ(a.code, 0) << a.out;
  // zone ds from the signed zone gives the same DS as from the key file.
  auto from_zone = run("zone ds '" + path("signed.zone") + "'");
  EXPECT_EQ(from_zone.code, 0);
  EXPECT_EQ(from_zone.out, ds.out);
}

TEST_F(AdminSigning, FixedWindowIsDeterministicWhateverTheJobs) {
  const auto key = keygen();
  const std::string window = "--inception 20261201000000 --expiration 20270101000000 -q";
  sign(key, path("a.zone"), window + " -j 1");
  sign(key, path("b.zone"), window + " -j 2");
  EXPECT_EQ(slurp(path("a.zone")), slurp(path("b.zone")));
  EXPECT_NE(slurp(path("a.zone")).find(" 20270101000000 20261201000000 "), std::string::npos);
  // Re-signing the signed output gives the same zone again.
  auto o = run("zone sign '" + path("a.zone") + "' --key '" + key + "' -o '" + path("c.zone") +
               "' " + window);
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_EQ(slurp(path("a.zone")), slurp(path("c.zone")));
}

TEST_F(AdminSigning, VerifyReportsTamperingAndExpiry) {
  const auto key = keygen();
  sign(key, path("signed.zone"), "--inception 20261201000000 --expiration 20270101000000 -q");
  std::string text = slurp(path("signed.zone"));
  auto at = text.find("free=3 ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "free=9 ");
  std::ofstream(path("tampered.zone")) << text;
  auto o = run("zone verify '" + path("tampered.zone") + "' --time 20261215000000");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("h100-8x.pool1.provx.cn-north. STATE: SIG STATE key tag "),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("signature does not verify"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("zone provx.cn-north.: 2 problems"), std::string::npos) << o.out;
  auto late = run("zone verify '" + path("signed.zone") + "' --time 20270102000000");
  EXPECT_EQ(late.code, 1);
  EXPECT_NE(late.out.find("signature expired 20270101000000"), std::string::npos) << late.out;
}

TEST_F(AdminSigning, SignErrors) {
  EXPECT_EQ(run("zone sign '" + zonefile() + "' --key '" + path("missing.private") + "'").code, 2);
  EXPECT_EQ(run("zone sign '" + zonefile() + "'").code, 2);  // --key is required
  const auto key = keygen();
  EXPECT_EQ(run("zone sign '" + zonefile() + "' --key '" + key + "' --validity soon").code, 2);
  EXPECT_EQ(run("zone sign '" + zonefile() + "' --key '" + key + "' --inception tomorrow").code, 2);
  std::ofstream(path("broken.zone"))
      << "$ORIGIN provx.cn-north.\n$TTL 1h\n@ SOA ns1 hm 1 1h 1h 1h 1h\n";
  auto o = run("zone sign '" + path("broken.zone") + "' --key '" + key + "'");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("no NS records at the apex"), std::string::npos) << o.out;
}

}  // namespace
