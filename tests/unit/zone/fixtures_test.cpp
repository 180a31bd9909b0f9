// Broken-zone fixtures: every tests/data/zones/**/NAME.expected holds exactly the
// messages that reading and checking NAME.zone beside it must print (paths
// relative to tests/data/zones). A zone's first line may be
// "; test-origin: NAME" to read it as with --origin NAME.
// CIDNS_UPDATE_EXPECTED=1 rewrites the .expected files (review the diff!).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "zone_test_util.hpp"

namespace cidns::zone {
namespace {

namespace fs = std::filesystem;
using namespace testing;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> expected_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(zones_dir())) {
    if (e.path().extension() == ".expected") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string run_fixture(const fs::path& zone_file) {
  const std::string prefix = zones_dir();
  reader_options o;
  const std::string text = slurp(zone_file);
  constexpr std::string_view marker = "; test-origin: ";
  if (text.starts_with(marker)) {
    auto end = text.find('\n');
    o.origin = name::identifier::parse(text.substr(marker.size(), end - marker.size())).value();
  }
  auto r = read_file(zone_file.string(), o);
  if (!r) return "I/O error: " + r.err().message + "\n";
  std::string out;
  for (auto line : read_and_check(*r)) {
    for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) {
      line.erase(at, prefix.size());
    }
    out += line + "\n";
  }
  return out;
}

TEST(Fixtures, ExpectedMessages) {
  const bool update = std::getenv("CIDNS_UPDATE_EXPECTED") != nullptr;
  const auto files = expected_files();
  ASSERT_GE(files.size(), 15U);
  for (const auto& expected : files) {
    fs::path zone_file = expected;
    zone_file.replace_extension(".zone");
    SCOPED_TRACE(zone_file.string());
    const std::string got = run_fixture(zone_file);
    if (update) {
      std::ofstream(expected, std::ios::binary) << got;
      continue;
    }
    EXPECT_EQ(slurp(expected), got);
  }
}

}  // namespace
}  // namespace cidns::zone
