// cidns-lookup --discover output (resolver/lookup/discover_output.cpp): the table's cells,
// the warning and summary lines, and the JSON shape.
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cidns/record/presentation.hpp"
#include "discover_fixtures.hpp"
#include "discover_output.hpp"
#include "fake_resolver.hpp"

namespace cidns::lookup {
namespace {

using stub::testing::discover_reply;
using stub::testing::h100_a;
using stub::testing::h800_b;
using stub::testing::id;

struct made {
  stub::discovery d;
  discover_request asked;
};

made discover(wire::message reply, bool dnssec = false) {
  stub::lookup_result r;
  r.kind = stub::classify(reply);
  r.validation = stub::validation_of(reply);
  r.reply = std::move(reply);
  r.server = stub::testing::loopback(5380);
  std::mt19937_64 rng(1);
  return {stub::make_discovery(std::move(r), rng),
          discover_request{.selector = "kind=gpu", .scope = id("cn-north"), .dnssec = dnssec}};
}

wire::message query() { return stub::make_discover("kind=gpu", id("cn-north"), {}); }

made secure_two(bool dnssec = false) {
  auto reply = discover_reply(query(), stub::testing::two_resources(true));
  reply.set_flag(wire::flag::ad);
  return discover(std::move(reply), dnssec);
}

TEST(LookupDiscoverOutput, RowCellsUseThePresentationUnits) {
  const auto m = secure_two();
  ASSERT_EQ(m.d.resources.size(), 2u);
  const auto row = make_row(m.d.resources[0]);
  EXPECT_EQ(row.name, h100_a);
  EXPECT_EQ(row.kind, "gpu");
  EXPECT_EQ(row.accel, "h100 ×8");
  EXPECT_EQ(row.memory, "80GiB");
  EXPECT_EQ(row.region, "cn-north");
  EXPECT_EQ(row.price, "2.5 CNY/accel-hour");
  EXPECT_EQ(row.free, "3");
  EXPECT_EQ(row.endpoint, "grpc gw1.provx.example:443");  // the best, not the first received
  EXPECT_EQ(row.validation, "secure");

  const auto b = make_row(m.d.resources[1]);
  EXPECT_EQ(b.price, "2.8 CNY/accel-hour");
  EXPECT_EQ(b.endpoint, "grpc api.cloudy.example:8443");
}

TEST(LookupDiscoverOutput, AbsentValuesAreDashes) {
  stub::discovered r;
  r.name = id(h100_a);
  r.endpoints = {stub::testing::grpc_ep(1, 1, "::1", 5380)};
  const auto row = make_row(r);
  EXPECT_EQ(row.kind, "-");
  EXPECT_EQ(row.accel, "-");
  EXPECT_EQ(row.memory, "-");
  EXPECT_EQ(row.price, "-");
  EXPECT_EQ(row.free, "-");
  EXPECT_EQ(row.endpoint, "grpc [::1]:5380");
  EXPECT_EQ(row.validation, "insecure");
}

TEST(LookupDiscoverOutput, TableIsAlignedWithASummary) {
  const auto m = secure_two();
  const std::string text = format_discovery(m.d, m.asked);
  EXPECT_EQ(text.rfind("IDENTIFIER", 0), 0u) << text;
  EXPECT_NE(text.find("h100 ×8"), std::string::npos) << text;
  EXPECT_NE(text.find(";; 2 resources, secure\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("PARTIAL"), std::string::npos);
  // Columns line up: ACCEL starts at the same column on every table line (counting "×" once).
  std::vector<std::size_t> starts;
  std::size_t pos = 0;
  for (int line = 0; line < 3; ++line) {
    const auto end = text.find('\n', pos);
    const std::string l = text.substr(pos, end - pos);
    const auto at = line == 0 ? l.find("ACCEL") : l.find(line == 1 ? "h100 ×" : "h800 ×");
    ASSERT_NE(at, std::string::npos) << l;
    starts.push_back(at);
    pos = end + 1;
  }
  EXPECT_EQ(starts[0], starts[1]);
  EXPECT_EQ(starts[1], starts[2]);
}

TEST(LookupDiscoverOutput, PartialWarningAndDelegations) {
  auto reply = discover_reply(query(), stub::testing::two_resources(false));
  reply.error = wire::extended_error{101, "no answer in time: farfar.cn-north."};
  reply.authority = {record::rr{id("provx.cn-north"), record::rtype::ns, 60,
                                record::ns{id("ns1.provx.cn-north")}.encode()}};
  const auto m = discover(std::move(reply));
  const std::string text = format_discovery(m.d, m.asked);
  EXPECT_NE(text.find(";; PARTIAL: no answer in time: farfar.cn-north.\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find(";; delegations not followed: provx.cn-north.\n"), std::string::npos);
  EXPECT_NE(text.find(";; 2 resources, insecure\n"), std::string::npos) << text;
}

TEST(LookupDiscoverOutput, NothingMatchedAndFailure) {
  const auto none = discover(discover_reply(query(), {}));
  const std::string text = format_discovery(none.d, none.asked);
  EXPECT_EQ(text.find("IDENTIFIER"), std::string::npos);
  EXPECT_NE(text.find(";; 0 resources, insecure\n"), std::string::npos) << text;

  auto bad = discover_reply(query(), {}, wire::rcode::servfail);
  bad.error = wire::extended_error{7, "signature expired on DESC x.cn-north."};
  const auto failed = discover(std::move(bad));
  const std::string ftext = format_discovery(failed.d, failed.asked);
  EXPECT_NE(ftext.find(";; DISCOVER failed: SERVFAIL"), std::string::npos) << ftext;
  EXPECT_NE(ftext.find("bogus: signature expired"), std::string::npos) << ftext;
}

TEST(LookupDiscoverOutput, DnssecListsTheRecordsWithSigs) {
  const auto m = secure_two(true);
  const std::string text = format_discovery(m.d, m.asked);
  EXPECT_NE(text.find(";; RECORDS:"), std::string::npos);
  EXPECT_NE(text.find(" SIG DESC "), std::string::npos) << text;
}

TEST(LookupDiscoverOutput, JsonUsesTheSharedRecordShape) {
  const auto m = secure_two(true);
  const auto j = discovery_to_json(m.d, m.asked);
  EXPECT_EQ(j["scope"], "cn-north.");
  EXPECT_EQ(j["selector"], "kind=gpu");
  EXPECT_EQ(j["outcome"], "answer");
  EXPECT_EQ(j["rcode"], "NOERROR");
  EXPECT_EQ(j["partial"], false);
  EXPECT_EQ(j["validation"]["state"], "secure");
  ASSERT_EQ(j["resources"].size(), 2u);
  const auto& a = j["resources"][0];
  EXPECT_EQ(a["name"], h100_a);
  // desc/state/endpoints are the "data" of record::to_json: fixed units, enum names.
  const auto desc_rr = record::to_json(m.d.resources[0].records[1]);
  EXPECT_EQ(a["desc"], desc_rr["data"]);
  EXPECT_EQ(a["desc"]["kind"], "gpu");
  EXPECT_EQ(a["desc"]["accel.mem"], 81920);
  EXPECT_EQ(a["state"]["free"], 3);
  ASSERT_EQ(a["endpoints"].size(), 2u);
  EXPECT_EQ(a["endpoints"][0]["host"], "gw1.provx.example");
  EXPECT_EQ(a["validation"]["state"], "secure");
  EXPECT_EQ(a["records"].size(), 5u);  // with --dnssec
  EXPECT_EQ(j["resources"][1]["name"], h800_b);

  const auto p = secure_two(false);
  const auto plain = discovery_to_json(p.d, p.asked);
  EXPECT_FALSE(plain["resources"][0].contains("records"));
}

}  // namespace
}  // namespace cidns::lookup
