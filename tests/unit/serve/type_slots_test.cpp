// The per-type query counters follow the type table: every known type has a
// slot of its own below RESOURCE's, and a type added to the table (here a
// test-only one, number 13, which the old `<= 12` counted as RESOURCE) gets
// its own slot and label with no change to the counters.
#include <gtest/gtest.h>

#include <set>

#include "../lib/record/field.hpp"
#include "cidns/serve/query_stats.hpp"

namespace cidns::serve {
namespace {

using record::rtype;

constexpr rtype geo = static_cast<rtype>(13);
constexpr record::detail::field_desc geo_fields[] = {
    {.key = "region",
     .number = 1,
     .kind = record::detail::field_kind::region,
     .form = record::detail::field_form::positional},
};
constexpr record::detail::type_desc test_types[] = {{geo, "GEO", geo_fields}};

TEST(TypeSlots, EveryKnownTypeHasItsOwnSlotBelowResource) {
  std::set<std::size_t> seen;
  for (rtype t : record::known_types()) {
    const std::size_t slot = stats_block::type_slot(t);
    EXPECT_LT(slot, stats_block::resource_type) << record::type_name(t);
    EXPECT_TRUE(seen.insert(slot).second) << record::type_name(t) << " shares a slot";
    EXPECT_EQ(stats_block::type_label(slot), record::type_name(t));
  }
  EXPECT_EQ(seen.size(), record::known_types().size());
  EXPECT_EQ(stats_block::type_slot(rtype::resource), stats_block::resource_type);
  EXPECT_EQ(stats_block::type_label(stats_block::resource_type), "RESOURCE");
  for (auto other : {0, 999, 65535}) {
    EXPECT_EQ(stats_block::type_slot(static_cast<rtype>(other)), stats_block::other_type);
  }
  EXPECT_EQ(stats_block::type_label(stats_block::other_type), "OTHER");
  EXPECT_LT(stats_block::other_type, stats_block::types);
}

TEST(TypeSlots, ANewTypeIsCountedUnderItsOwnName) {
  // Before: the 13th type fell into "other" and the label came from `<= 12`.
  if (!record::is_known_data_type(geo)) {
    EXPECT_EQ(stats_block::type_slot(geo), stats_block::other_type);
    ASSERT_TRUE(record::detail::register_types(test_types));
  }
  const std::size_t slot = stats_block::type_slot(geo);
  EXPECT_LT(slot, stats_block::resource_type);
  EXPECT_NE(slot, stats_block::type_slot(rtype::nsec));
  EXPECT_EQ(stats_block::type_label(slot), "GEO");

  query_stats stats;
  bump(stats.local().by_type[stats_block::type_slot(geo)], 3);
  bump(stats.local().by_type[stats_block::type_slot(rtype::desc)]);
  const stats_snapshot s = stats.snapshot();
  EXPECT_EQ(s.by_type[slot], 3U);
  EXPECT_EQ(s.by_type[stats_block::resource_type], 0U);
  EXPECT_EQ(s.by_type[stats_block::other_type], 0U);
  EXPECT_EQ(s.by_type[stats_block::type_slot(rtype::desc)], 1U);
}

}  // namespace
}  // namespace cidns::serve
