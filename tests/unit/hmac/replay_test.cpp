// Unit tests for the replay guard (replay.hpp): replays refused, expiry, a full guard.
#include "cidns/hmac/replay.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using cidns::hmac::replay_guard;

namespace {

constexpr std::uint64_t t0 = 1700000000;

TEST(ReplayGuard, SecondUseIsRefused) {
  replay_guard g;
  EXPECT_TRUE(g.first_use("k.", t0, "mac1", t0, 300));
  EXPECT_FALSE(g.first_use("k.", t0, "mac1", t0 + 1, 300));
  // Another MAC, key or time is another message.
  EXPECT_TRUE(g.first_use("k.", t0, "mac2", t0, 300));
  EXPECT_TRUE(g.first_use("j.", t0, "mac1", t0, 300));
  EXPECT_TRUE(g.first_use("k.", t0 + 1, "mac1", t0, 300));
  EXPECT_EQ(g.size(), 4u);
}

TEST(ReplayGuard, KeyAndMacDoNotRunTogether) {
  replay_guard g;
  EXPECT_TRUE(g.first_use("ab", t0, "c", t0, 300));
  EXPECT_TRUE(g.first_use("a", t0, "bc", t0, 300));
}

TEST(ReplayGuard, EntriesExpireAfterTheWindow) {
  replay_guard g;
  EXPECT_TRUE(g.first_use("k.", t0, "mac", t0, 300));
  EXPECT_TRUE(g.first_use("k.", t0 + 100, "late", t0 + 100, 300));
  // Still inside the window: remembered.
  EXPECT_FALSE(g.first_use("k.", t0, "mac", t0 + 300, 300));
  EXPECT_EQ(g.size(), 2u);
  // time + window < now: forgotten (verify() refuses such a message as BADTIME anyway).
  EXPECT_TRUE(g.first_use("k.", t0 + 200, "new", t0 + 301, 300));
  EXPECT_EQ(g.size(), 2u);
  EXPECT_FALSE(g.first_use("k.", t0 + 100, "late", t0 + 301, 300));
}

TEST(ReplayGuard, FullGuardRefuses) {
  replay_guard g(3);
  EXPECT_TRUE(g.first_use("k.", t0, "1", t0, 300));
  EXPECT_TRUE(g.first_use("k.", t0, "2", t0, 300));
  EXPECT_TRUE(g.first_use("k.", t0 + 1, "3", t0 + 1, 300));
  EXPECT_FALSE(g.first_use("k.", t0 + 1, "4", t0 + 1, 300));
  EXPECT_EQ(g.size(), 3u);
  // Once the oldest leave their window there is room again.
  EXPECT_TRUE(g.first_use("k.", t0 + 301, "4", t0 + 301, 300));
  EXPECT_EQ(g.size(), 2u);
}

TEST(ReplayGuard, HugeTimesDoNotOverflow) {
  replay_guard g;
  EXPECT_TRUE(g.first_use("k.", UINT64_MAX, "m", 0, UINT32_MAX));
  EXPECT_TRUE(g.first_use("k.", 0, "m", UINT64_MAX, UINT32_MAX));
  EXPECT_EQ(g.size(), 2u);
  // The entry at 0 leaves (expired), the one at UINT64_MAX stays.
  EXPECT_FALSE(g.first_use("k.", UINT64_MAX, "m", UINT64_MAX, 0));
  EXPECT_EQ(g.size(), 1u);
}

TEST(ReplayGuard, ConcurrentOffersAcceptOnce) {
  replay_guard g;
  std::vector<std::thread> threads;
  std::vector<int> accepted(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (g.first_use("k.", t0, std::to_string(i), t0, 300)) ++accepted[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  int total = 0;
  for (int a : accepted) total += a;
  EXPECT_EQ(total, 200);
  EXPECT_EQ(g.size(), 200u);
}

}  // namespace
