// A DISCOVER posting in both forms (lib/select/posting.hpp): a list turns into a bitmap once
// it would take twice the bitmap's bytes, and back when appended blocks thin it out; counts,
// copies and ORs agree with a plain list over any [first, last), word edges included.
#include "posting.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace cidns::select::detail {
namespace {

using ids = std::vector<std::uint32_t>;

posting make(const ids& v) {
  posting p;
  for (auto id : v) p.add(id);
  p.settle();
  return p;
}

ids in_range(const ids& v, std::uint32_t first, std::uint32_t last) {
  ids out;
  for (auto id : v) {
    if (id >= first && id < last) out.push_back(id);
  }
  return out;
}

// Every way of reading `p` answers as the list `want` does, on ranges cut at word edges.
void expect_reads_as(const posting& p, const ids& want) {
  const std::uint32_t top = want.empty() ? 200 : want.back() + 130;
  for (std::uint32_t first : {0u, 1u, 63u, 64u, 65u, 127u, 300u, top / 2}) {
    for (std::uint32_t last : {first, first + 1, first + 64, 128u, 1000u, top / 2 + 7, top}) {
      if (last < first) continue;
      const ids expected = in_range(want, first, last);
      ASSERT_EQ(p.count_in(first, last), expected.size()) << first << ".." << last;
      ids copied(expected.size());
      p.copy_in(first, last, copied.data());
      ASSERT_EQ(copied, expected) << first << ".." << last;
      // ORed into a bitmap based at 64 (ids below it left out).
      std::vector<std::uint64_t> words((top + 64) / 64, 0);
      p.or_into(words, 64, first, last);
      ids ored;
      for (std::size_t w = 0; w < words.size(); ++w) {
        for (std::uint32_t b = 0; b < 64; ++b) {
          if (words[w] >> b & 1) ored.push_back(static_cast<std::uint32_t>(64 + 64 * w + b));
        }
      }
      ASSERT_EQ(ored, in_range(expected, 64, 64 + 64 * static_cast<std::uint32_t>(words.size())))
          << first << ".." << last;
    }
  }
}

TEST(Posting, FewIdsStayAListManyBecomeABitmap) {
  const ids few = {3, 64, 700, 5000};
  auto p = make(few);
  EXPECT_FALSE(p.dense());
  expect_reads_as(p, few);

  ids many;
  for (std::uint32_t id = 0; id < 5000; id += 3) many.push_back(id);
  auto q = make(many);
  EXPECT_TRUE(q.dense());
  expect_reads_as(q, many);
  q.add(5001);  // added after it turned dense
  many.push_back(5001);
  expect_reads_as(q, many);
}

TEST(Posting, AppendedBlocksInEveryCombinationOfForms) {
  std::mt19937 rng(20261202);
  for (int round = 0; round < 40; ++round) {
    ids all;
    posting whole;
    std::uint32_t next = 0;
    for (int block = 0; block < 6; ++block) {
      // Each block dense or sparse at random, so that lists meet bitmaps both ways.
      const bool dense = rng() % 2 == 0;
      ids part;
      for (std::uint32_t i = 0; i < 2000; ++i, ++next) {
        if (dense ? rng() % 3 != 0 : rng() % 200 == 0) part.push_back(next);
      }
      all.insert(all.end(), part.begin(), part.end());
      whole.append(make(part));
    }
    whole.settle();
    expect_reads_as(whole, all);
  }
}

TEST(Posting, ABitmapThinnedOutByAppendsTurnsBackIntoAList) {
  ids dense_start;
  for (std::uint32_t id = 0; id < 640; ++id) dense_start.push_back(id);
  auto p = make(dense_start);
  ASSERT_TRUE(p.dense());
  ids all = dense_start;
  ids sparse = {100000, 200000, 300000};
  p.append(make(sparse));
  all.insert(all.end(), sparse.begin(), sparse.end());
  EXPECT_FALSE(p.dense());  // 643 ids over 300,000: a list is smaller
  expect_reads_as(p, all);
}

TEST(Posting, RepairSortsAListFilledOutOfOrder) {
  posting p;
  for (std::uint32_t id : {9u, 2u, 9u, 5u, 2u}) p.add(id);
  p.repair();
  p.settle();
  expect_reads_as(p, {2, 5, 9});
}

}  // namespace
}  // namespace cidns::select::detail
