// The engine over the real LMDB cache: a restarted engine (and a reopened cache) answers its
// first question from what the previous one learned, with no upstream query.
#include <cstdlib>
#include <filesystem>

#include "cidns/resolve/lmdb_cache.hpp"
#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

class ScenarioLmdbCache : public scenario {
 protected:
  void TearDown() override {
    m_engine.reset();
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
  }
  std::string make_dir() {
    std::string tmpl = std::filesystem::temp_directory_path() / "cidns-engine-XXXXXX";
    const char* d = mkdtemp(tmpl.data());
    EXPECT_NE(d, nullptr);
    m_dir = tmpl;
    return m_dir;
  }
  std::string m_dir;
};

TEST_F(ScenarioLmdbCache, WarmCacheAfterRestartAnswersWithoutUpstream) {
  lmdb_cache_options o;
  o.dir = make_dir();
  {
    auto c = lmdb_cache::open(o);
    ASSERT_TRUE(c);
    m_external = c.get();
    auto a = resolve("h100.pool1.provx.cn-north.", rtype::resource, wire::flag::do_);
    ASSERT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
    EXPECT_EQ(a.state, security::secure);
    m_engine.reset();
    m_external = nullptr;
  }
  auto c = lmdb_cache::open(o);
  ASSERT_TRUE(c);
  m_external = c.get();
  const auto sent = m_sent.size();
  m_now += 5'000;
  auto b = resolve("h100.pool1.provx.cn-north.", rtype::resource, wire::flag::do_);
  EXPECT_EQ(m_sent.size(), sent) << "the warm cache was not used";
  EXPECT_EQ(b.state, security::secure);
  EXPECT_TRUE(b.reply.has_flag(wire::flag::ad));
  EXPECT_EQ(count(b.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(count(b.reply.answer, rtype::ep), 1U);
  m_engine.reset();
  m_external = nullptr;
}

}  // namespace
}  // namespace cidns::resolve::test
