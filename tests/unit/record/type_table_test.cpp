// The type table is the one place a record type is described: a type known
// only to this test (GEO, number 13, the first beyond the shipped table) reads
// from text, writes wire data, prints text and JSON, and has its own index
// among known_types(), with no other change to lib/record.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../lib/record/field.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "test_util.hpp"

using namespace cidns::record;
using record_test::hex;
using record_test::parse;
using record_test::wire;

namespace {

constexpr rtype geo = static_cast<rtype>(13);

constexpr detail::field_desc geo_fields[] = {
    {.key = "region",
     .number = 1,
     .kind = detail::field_kind::region,
     .form = detail::field_form::positional},
    {.key = "port",
     .number = 2,
     .kind = detail::field_kind::number,
     .form = detail::field_form::positional_optional,
     .min = 1,
     .max = 65535,
     .dflt = 5380},
    {.key = "mem",
     .number = 3,
     .kind = detail::field_kind::size,
     .form = detail::field_form::keyvalue,
     .presence = true,
     .max = detail::max_json_exact,
     .aux = 20},
    {.key = "site",
     .number = 4,
     .kind = detail::field_kind::string,
     .form = detail::field_form::keyvalue,
     .presence = true},
};
constexpr detail::type_desc test_types[] = {{geo, "GEO", geo_fields}};

// Registers GEO once per process (every test here may run first or alone).
void add_geo() {
  static const bool added = detail::register_types(test_types);
  ASSERT_TRUE(added);
}

}  // namespace

TEST(TypeTable, KnownTypesFollowTheTable) {
  const auto all = detail::all_types();
  const auto known = known_types();
  ASSERT_EQ(known.size(), all.size());
  ASSERT_LE(known.size(), max_known_types);
  for (std::size_t i = 0; i < known.size(); ++i) {
    EXPECT_EQ(known[i], all[i].type);
    EXPECT_EQ(known_type_index(known[i]), i) << type_name(known[i]);
    EXPECT_TRUE(is_known_data_type(known[i]));
  }
  EXPECT_EQ(known_type_index(rtype::resource), std::nullopt);
  EXPECT_EQ(known_type_index(rtype::none), std::nullopt);
  EXPECT_EQ(known_type_index(static_cast<rtype>(999)), std::nullopt);
}

TEST(TypeTable, RegistrationRefusesBadTypes) {
  add_geo();
  // Known already, a meta-type, and fields out of order: nothing is added.
  const auto before = known_types().size();
  EXPECT_FALSE(detail::register_types(test_types));
  static constexpr detail::type_desc meta[] = {{rtype::resource, "RES", geo_fields}};
  EXPECT_FALSE(detail::register_types(meta));
  static constexpr detail::field_desc unordered[] = {geo_fields[1], geo_fields[0]};
  static constexpr detail::type_desc bad[] = {{static_cast<rtype>(77), "BAD", unordered}};
  EXPECT_FALSE(detail::register_types(bad));
  EXPECT_EQ(known_types().size(), before);
  EXPECT_FALSE(parse_type("BAD"));
}

TEST(TypeTable, NewTypeHasANameAndAnIndex) {
  add_geo();
  EXPECT_EQ(type_name(geo), "GEO");
  EXPECT_EQ(parse_type("geo"), geo);
  EXPECT_TRUE(is_known_data_type(geo));
  auto i = known_type_index(geo);
  ASSERT_TRUE(i);
  EXPECT_EQ(known_types()[*i], geo);
}

TEST(TypeTable, NewTypeFlowsThroughTextWireAndJson) {
  add_geo();
  // Text -> wire: region (1) "cn-north.beijing", port 5381 (2), mem 2 GiB = 2048 MiB (3),
  // site (4); the deterministic encoding in field order.
  std::string w = wire(geo, "cn-north.beijing 5381 site=\"DC 3\" mem=2GiB");
  EXPECT_EQ(hex(w),
            "0a10636e2d6e6f7274682e6265696a696e67"  // 1: "cn-north.beijing"
            "10852a"                                // 2: 5381
            "188010"                                // 3: 2048
            "220444432033");                        // 4: "DC 3"
  // Wire -> text: canonical, keys in table order; reads back to the same bytes.
  std::string text = format_data(geo, w);
  EXPECT_EQ(text, "cn-north.beijing 5381 mem=2GiB site=\"DC 3\"");
  EXPECT_EQ(wire(geo, text), w);
  EXPECT_TRUE(validate_data(geo, w).ok());
  EXPECT_EQ(format_rr({*cidns::name::identifier::parse("g.provx.cn-north."), geo, 60, w}),
            "g.provx.cn-north. 60 GEO " + text);

  // JSON: numbers in the stored unit (MiB), the type by its mnemonic.
  auto j = to_json(rr{*cidns::name::identifier::parse("g.provx.cn-north."), geo, 60, w});
  EXPECT_EQ(j["type"], "GEO");
  EXPECT_EQ(j["data"]["region"], "cn-north.beijing");
  EXPECT_EQ(j["data"]["port"], 5381);
  EXPECT_EQ(j["data"]["mem"], 2048);
  EXPECT_EQ(j["data"]["site"], "DC 3");

  // The table's checks apply: the range of port, the syntax of region, unknown keys.
  EXPECT_FALSE(parse(geo, "cn-north 0").ok());
  EXPECT_FALSE(parse(geo, "cn-north 5381 colour=red").ok());
  EXPECT_FALSE(parse(geo, "").ok());
}
