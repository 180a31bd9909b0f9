// A zone past compiled_zone::parallel_index_min builds its DISCOVER index on two threads, in
// halves appended together: DISCOVER must answer as a walk over every resource would.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cidns/select/selector.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::zone {
namespace {

TEST(BigZoneIndex, TwoThreadIndexAgreesWithAWalkOverEveryResource) {
  std::string text =
      "$ORIGIN big.\n$TTL 1h\n@ SOA ns1 hostmaster 1 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.9\n";
  const std::uint32_t resources = compiled_zone::parallel_index_min + 5000;
  const char* families[] = {"h100", "a100", "910b"};
  for (std::uint32_t i = 0; i < resources; ++i) {
    text += "r" + std::to_string(i) + " DESC kind=" + (i % 5 == 0 ? "cpu" : "gpu") +
            " accel.family=" + families[i % 3] + " accel.count=" + std::to_string(1u << (i % 4)) +
            " region=cn-north\n  STATE free=" + std::to_string(i % 9) + "\n";
  }
  load_options o;
  o.compile = true;
  auto l = load_text(text, "big.zone", o);
  ASSERT_EQ(l.errors, 0u) << (l.messages().empty() ? "" : l.messages().front());
  const auto& z = *l.compiled;
  ASSERT_GE(z.name_count(), compiled_zone::parallel_index_min);

  for (const char* text_sel : {"kind=gpu accel.family=a100 limit=50", "free>=7 order=-accel.count",
                               "accel.count<=2 kind=cpu order=free limit=20"}) {
    auto sel = select::parse(text_sel);
    ASSERT_TRUE(sel) << text_sel;
    std::vector<std::uint32_t> all;
    record::desc d;
    record::state s;
    bool has_state = false;
    std::vector<std::pair<record::desc, record::state>> loaded(z.name_count());
    for (std::uint32_t i = 0; i < z.name_count(); ++i) {
      if (!z.load(i, d, s, has_state)) continue;
      loaded[i] = {d, s};
      if (select::matches(*sel, {&loaded[i].first, &loaded[i].second})) all.push_back(i);
    }
    std::stable_sort(all.begin(), all.end(), [&](std::uint32_t a, std::uint32_t b) {
      const int c = select::compare(*sel, {&loaded[a].first, &loaded[a].second},
                                    {&loaded[b].first, &loaded[b].second});
      return c != 0 ? c < 0 : a < b;
    });
    if (all.size() > sel->limit) all.resize(sel->limit);
    EXPECT_EQ(z.discover(*sel, 0, static_cast<std::uint32_t>(z.name_count())), all) << text_sel;
  }
}

// Compile gives back spent records and layout entries as it goes (moving the rest to fresh
// arrays, several times in a zone this big): every record must still land at its own name,
// empty non-terminals and a delegation with its glue included.
TEST(BigZoneCompile, RecordsSurviveTheArraysShrinkingAsTheZoneIsBuilt) {
  std::string text =
      "$ORIGIN big.\n$TTL 1h\n@ SOA ns1 hostmaster 1 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.9\nsub NS ns.sub\nns.sub ADDR 127.0.0.10\n";
  for (std::uint32_t i = 0; i < 150000; ++i) {
    // Every tenth resource sits below an empty non-terminal of its own.
    const std::string owner =
        "r" + std::to_string(i) + (i % 10 == 0 ? ".e" + std::to_string(i) : std::string());
    text += owner + " DESC kind=gpu accel.count=" + std::to_string(1 + i % 8) + "\n";
    if (i % 2 == 0) text += owner + " STATE free=" + std::to_string(i % 7) + "\n";
  }
  load_options keep;
  auto read = load_text(text, "big.zone", keep);
  ASSERT_EQ(read.errors, 0u) << (read.messages().empty() ? "" : read.messages().front());
  const std::vector<record::rr> expected = read.zone.records;  // sorted
  ASSERT_GT(expected.size(), 200000u);

  load_options o;
  o.compile = true;
  auto l = load_text(text, "big.zone", o);
  ASSERT_TRUE(l.compiled);
  EXPECT_EQ(l.compiled->record_count(), expected.size());
  // The apex, ns1, sub, ns.sub, the resources and their empty non-terminals e0 .. e149990.
  EXPECT_EQ(l.compiled->name_count(), 4u + 150000u + 15000u);
  auto back = decompile(*l.compiled);
  back.sort_canonical();
  ASSERT_EQ(back.records.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(back.records[i], expected[i]) << "record " << i << " " << expected[i].owner.text();
  }
}

}  // namespace
}  // namespace cidns::zone
