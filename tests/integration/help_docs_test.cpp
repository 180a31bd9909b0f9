// The documentation matches the programs: every flag a program's --help shows (and, for
// cidns-admin, every command's --help, found by walking its "Subcommands:" lists) appears in
// the program's page, docs/<program>.md.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "process.hpp"

namespace cidns::itest {
namespace {

// The flags ("--name") a help text shows, and the commands it lists under "Subcommands:".
struct help_text {
  std::set<std::string> flags;
  std::vector<std::string> commands;
};

help_text read_help(const std::string& text) {
  help_text h;
  static const std::regex flag(R"((^|[^A-Za-z0-9-])(--[a-z][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator();
       ++it)
    h.flags.insert((*it)[2].str());
  static const std::regex command(R"(^  ([a-z][a-z0-9-]*)(\s|$))");
  bool in_commands = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("Subcommands:")) {
      in_commands = true;
    } else if (line.empty() || !line.starts_with(" ")) {
      in_commands = false;
    } else if (std::smatch m; in_commands && std::regex_search(line, m, command)) {
      h.commands.push_back(m[1].str());
    }
  }
  return h;
}

// `flag` in `doc` as a whole word ("--in" is not found in "--include").
bool mentions(const std::string& doc, const std::string& flag) {
  for (auto at = doc.find(flag); at != std::string::npos; at = doc.find(flag, at + 1)) {
    const std::size_t after = at + flag.size();
    if (after == doc.size()) return true;
    const char c = doc[after];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return true;
  }
  return false;
}

class HelpDocs : public ::testing::Test {
 protected:
  // Runs `program ARGS --help` and, recursively, each listed command's --help; every flag
  // missing from docs/<name>.md is added to `missing` as "cmd words: --flag".
  void check(const std::string& program, const std::string& name,
             const std::vector<std::string>& words, const std::string& doc,
             std::vector<std::string>& missing) {
    std::vector<std::string> argv = {program};
    argv.insert(argv.end(), words.begin(), words.end());
    argv.push_back("--help");
    auto r = run_command(argv, m_dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_FALSE(r.output.empty());
    const help_text h = read_help(r.output);
    std::string where = name;
    for (const auto& w : words) where += " " + w;
    for (const auto& f : h.flags) {
      if (!mentions(doc, f)) missing.push_back(where + ": " + f);
    }
    for (const auto& c : h.commands) {
      auto deeper = words;
      deeper.push_back(c);
      check(program, name, deeper, doc, missing);
    }
  }

  void expect_documented(const std::string& program, const std::string& name) {
    const std::string doc = read_file(std::string(CIDNS_SOURCE_DIR) + "/docs/" + name + ".md");
    ASSERT_FALSE(doc.empty()) << "docs/" << name << ".md";
    std::vector<std::string> missing;
    check(program, name, {}, doc, missing);
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    EXPECT_TRUE(missing.empty()) << "flags in --help but not in docs/" << name << ".md:" << list;
  }

  temp_dir m_dir;
};

TEST(HelpText, FlagsAndCommandsAreRead) {
  const auto h = read_help(
      "usage\nOptions:\n  -h,--help   Print this\n  --timeout INT  wait (see --json-x)\n\n"
      "Subcommands:\n  zone    Zonefile tools\n  server  talk\n\nfooter --not-a-command\n");
  EXPECT_EQ(h.flags, (std::set<std::string>{"--help", "--timeout", "--json-x", "--not-a-command"}));
  EXPECT_EQ(h.commands, (std::vector<std::string>{"zone", "server"}));
  EXPECT_TRUE(mentions("use `--in SCOPE`", "--in"));
  EXPECT_FALSE(mentions("use --include", "--in"));
}

TEST_F(HelpDocs, Admin) { expect_documented(CIDNS_ADMIN_PATH, "cidns-admin"); }
TEST_F(HelpDocs, Lookup) { expect_documented(CIDNS_LOOKUP_PATH, "cidns-lookup"); }
TEST_F(HelpDocs, Authd) { expect_documented(CIDNS_AUTHD_PATH, "cidns-authd"); }
TEST_F(HelpDocs, Resolverd) { expect_documented(CIDNS_RESOLVERD_PATH, "cidns-resolverd"); }

}  // namespace
}  // namespace cidns::itest
