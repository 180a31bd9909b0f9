// cidns-lookup's command line as a dig user meets it: numeric flags and server addresses
// checked with a message naming the flag and the allowed range, dig habits (@SERVER, +short)
// answered with the equivalent flag, --version, a bad CIDNS_RESOLVER named, and each
// failure said once, after the program's name.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "process.hpp"

namespace cidns::itest {
namespace {

class LookupCli : public ::testing::Test {
 protected:
  run_result lookup(std::vector<std::string> args) {
    args.insert(args.begin(), CIDNS_LOOKUP_PATH);
    return run_command(args, m_dir);
  }
  temp_dir m_dir;
};

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::size_t occurrences(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Sets an environment variable for the child processes started in its scope.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : m_name(name) { ::setenv(name, value, 1); }
  ~scoped_env() { ::unsetenv(m_name); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* m_name;
};

TEST_F(LookupCli, ServerPortZeroIsRefused) {
  auto r = lookup({"--server", "127.0.0.1:0", "x.provx.cn-north."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-lookup: --server 127.0.0.1:0: port 0")) << r.output;
  EXPECT_TRUE(has(r.output, "1 to 65535")) << r.output;

  r = lookup({"--trace", "--root", "127.0.0.1:0", "x.provx.cn-north."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-lookup: --root 127.0.0.1:0: port 0")) << r.output;
}

TEST_F(LookupCli, NumericFlagsSayWhatIsWrong) {
  auto r = lookup({"--timeout", "abc", "x."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output,
                  "cidns-lookup: --timeout: 'abc' is not a whole number "
                  "(expected 1..60000 milliseconds)"))
      << r.output;

  r = lookup({"--timeout", "0", "x."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--timeout: '0' is out of range (expected 1..60000 milliseconds)"))
      << r.output;

  r = lookup({"--attempts", "11", "x."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--attempts: '11' is out of range (expected 1..10 rounds)"))
      << r.output;
}

TEST_F(LookupCli, DigHabitsGetTheEquivalentFlag) {
  auto r = lookup({"@127.0.0.1", "x.provx.cn-north."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "cidns-lookup: '@127.0.0.1' is dig's syntax: use --server 127.0.0.1"))
      << r.output;

  const std::vector<std::pair<std::string, std::string>> habits = {{"+short", "use --short"},
                                                                   {"+dnssec", "use --dnssec"},
                                                                   {"+tcp", "use --tcp"},
                                                                   {"+norec", "use --norec"},
                                                                   {"+cd", "use --cd"}};
  for (const auto& [habit, hint] : habits) {
    r = lookup({"x.provx.cn-north.", habit});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(has(r.output, "cidns-lookup: '" + habit + "' is dig's syntax: " + hint))
        << r.output;
    EXPECT_FALSE(has(r.output, "unknown record type")) << r.output;
  }
  r = lookup({"x.provx.cn-north.", "DESC", "+nocmd"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "'+nocmd' is dig's syntax")) << r.output;

  // An option's value is not a habit: "+3" given to --in is --in's business.
  r = lookup({"--server", "127.0.0.1:0", "x.provx.cn-north."});
  EXPECT_FALSE(has(r.output, "dig's syntax")) << r.output;
}

TEST_F(LookupCli, Version) {
  auto r = lookup({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output.starts_with("cidns-lookup ")) << r.output;
  EXPECT_FALSE(has(r.output, "required")) << r.output;
}

TEST_F(LookupCli, UsageErrorsStartWithTheProgram) {
  auto r = lookup({"--no-such-flag", "x."});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(r.output.starts_with("cidns-lookup: ")) << r.output;

  r = lookup({});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(r.output.starts_with("cidns-lookup: NAME is required")) << r.output;
}

TEST_F(LookupCli, BadResolverVariableIsNamed) {
  {
    scoped_env env("CIDNS_RESOLVER", "nonsense");
    auto r = lookup({"x.provx.cn-north."});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(r.output.starts_with("cidns-lookup: CIDNS_RESOLVER: 'nonsense'")) << r.output;
  }
  {
    scoped_env env("CIDNS_RESOLVER", "127.0.0.1:0");
    auto r = lookup({"x.provx.cn-north."});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(has(r.output, "CIDNS_RESOLVER")) << r.output;
    EXPECT_TRUE(has(r.output, "port 0")) << r.output;
  }
}

TEST_F(LookupCli, TimeoutNamesTheServerOnce) {
  // A UDP socket that never answers.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  const std::string server = "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));

  for (const bool trace : {false, true}) {
    std::vector<std::string> args = {"--timeout", "200", "--attempts", "1"};
    const std::vector<std::string> mode =
        trace ? std::vector<std::string>{"--trace", "--root", server}
              : std::vector<std::string>{"--server", server};
    args.insert(args.end(), mode.begin(), mode.end());
    args.push_back("x.provx.cn-north.");
    auto r = lookup(args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_FALSE(has(r.output, server + ": " + server)) << r.output;
    if (!trace) {
      EXPECT_TRUE(r.output.starts_with("cidns-lookup: ")) << r.output;
      EXPECT_EQ(occurrences(r.output, server), 1U) << r.output;
    }
  }
  ::close(fd);
}

}  // namespace
}  // namespace cidns::itest
