// Per-thread query counters: each thread counts into its own block, the
// snapshot sums them, and two counter sets never share a block.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "cidns/serve/query_stats.hpp"

namespace cidns::serve {
namespace {

TEST(QueryStats, SnapshotSumsEveryThreadsBlock) {
  query_stats stats;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&stats] {
      stats_block& b = stats.local();
      EXPECT_EQ(&b, &stats.local());  // the same block on every call of one thread
      for (int i = 0; i < 1000; ++i) bump(b.by_opcode[0]);
      bump(b.by_rcode[3], 2);
      bump(b.reply_bytes, 100);
    });
  }
  for (auto& t : threads) t.join();
  const stats_snapshot s = stats.snapshot();
  EXPECT_EQ(s.queries(), 4000U);
  EXPECT_EQ(s.by_rcode[3], 8U);
  EXPECT_EQ(s.reply_bytes, 400U);
  EXPECT_EQ(s.cookie_new, 0U);
}

TEST(QueryStats, SeparateInstancesDoNotShareBlocks) {
  auto a = std::make_unique<query_stats>();
  bump(a->local().by_opcode[1], 5);
  a.reset();
  // A new one, maybe at the same address, starts from zero on the same thread.
  auto b = std::make_unique<query_stats>();
  bump(b->local().by_opcode[1]);
  EXPECT_EQ(b->snapshot().by_opcode[1], 1U);
  query_stats c;
  EXPECT_EQ(c.snapshot().queries(), 0U);
}

}  // namespace
}  // namespace cidns::serve
