// discover(): the DISCOVER query, its reply made into resources (grouping, result order,
// endpoint order, partial results, validation, exit codes), and the sync and async forms
// against an in-process fake resolver (UDP, and TCP after TC).
#include <algorithm>
#include <chrono>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cidns/stub/discover.hpp"
#include "cidns/stub/endpoints.hpp"
#include "discover_fixtures.hpp"
#include "fake_resolver.hpp"

namespace cidns::stub {
namespace {

using namespace std::chrono_literals;
using testing::discover_reply;
using testing::fake_resolver;
using testing::h100_a;
using testing::h800_b;
using testing::id;

lookup_result result_of(wire::message reply) {
  lookup_result r;
  r.kind = classify(reply);
  r.validation = validation_of(reply);
  r.reply = std::move(reply);
  return r;
}

wire::message query() { return make_discover("kind=gpu", id("cn-north"), {}); }

discovery discover_from(wire::message reply, std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  return make_discovery(result_of(std::move(reply)), rng);
}

std::vector<std::string> hosts(const discovered& d) {
  std::vector<std::string> out;
  for (const auto& e : d.endpoints) out.push_back(e.host);
  return out;
}

TEST(StubDiscover, QueryCarriesScopeSelectorAndFlags) {
  const auto q =
      make_discover("accel.count>=8 order=price", id("cn-north"), {.dnssec = true, .cd = true});
  EXPECT_EQ(q.opcode, wire::opcode::discover);
  ASSERT_TRUE(q.question);
  EXPECT_EQ(q.question->name, id("cn-north."));
  EXPECT_EQ(q.question->type, record::rtype::resource);
  EXPECT_EQ(q.selector, "accel.count>=8 order=price");
  EXPECT_TRUE(q.has_flag(wire::flag::rd));
  EXPECT_TRUE(q.has_flag(wire::flag::do_));
  EXPECT_TRUE(q.has_flag(wire::flag::cd));
  EXPECT_FALSE(q.has_flag(wire::flag::qr));
  EXPECT_EQ(q.max_size, 65535u);
  // It survives the wire as it is.
  auto back = wire::decode(wire::encode(q));
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, q);
}

TEST(StubDiscover, NorecClearsRdAndRootIsTheDefaultScope) {
  const auto q = make_discover("kind=npu", name::identifier{}, {.norec = true});
  EXPECT_FALSE(q.has_flag(wire::flag::rd));
  EXPECT_FALSE(q.has_flag(wire::flag::do_));
  EXPECT_TRUE(q.question->name.is_root());
}

TEST(StubDiscover, GroupsByOwnerInOrderOfFirstAppearance) {
  const auto d = discover_from(discover_reply(query(), testing::two_resources(true)));
  EXPECT_EQ(d.kind, outcome::answer);
  EXPECT_EQ(exit_code(d), 0);
  ASSERT_EQ(d.resources.size(), 2u);
  const auto& a = d.resources[0];
  const auto& b = d.resources[1];
  EXPECT_EQ(a.name, id(h100_a));
  EXPECT_EQ(b.name, id(h800_b));
  ASSERT_TRUE(a.descriptor);
  EXPECT_EQ(a.descriptor->accel_family, "h100");
  ASSERT_TRUE(a.availability);
  EXPECT_EQ(a.availability->free, 3u);
  EXPECT_EQ(hosts(a), (std::vector<std::string>{"gw1.provx.example", "gw2.provx.example"}));
  ASSERT_TRUE(b.descriptor);
  EXPECT_EQ(b.descriptor->accel_family, "h800");
  EXPECT_EQ(b.availability->free, 1u);
  EXPECT_EQ(hosts(b), (std::vector<std::string>{"api.cloudy.example"}));
  // The records as received, SIGs included, stay with their owner.
  EXPECT_EQ(a.records.size(), 5u);
  EXPECT_EQ(a.records.front().type, record::rtype::sig);
  EXPECT_EQ(b.records.size(), 4u);
  EXPECT_EQ(b.records.back().type, record::rtype::sig);
  EXPECT_FALSE(d.partial);
  EXPECT_TRUE(d.delegations.empty());
}

TEST(StubDiscover, ResultOrderIsTheReplysNotTheNames) {
  auto answer = testing::two_resources(false);
  std::rotate(answer.begin(), answer.begin() + 1, answer.end());  // h800_b's DESC first
  const auto d = discover_from(discover_reply(query(), answer));
  ASSERT_EQ(d.resources.size(), 2u);
  EXPECT_EQ(d.resources[0].name, id(h800_b));
  EXPECT_EQ(d.resources[1].name, id(h100_a));
}

TEST(StubDiscover, EndpointsAreOrderedAsResolutionOrdersThem) {
  std::vector<record::rr> answer{
      testing::rr_of(h100_a, testing::grpc_ep(30, 1, "c")),
      testing::rr_of(h100_a, testing::grpc_ep(10, 1, "a1")),
      testing::rr_of(h100_a, testing::grpc_ep(20, 1, "b")),
      testing::rr_of(h100_a, testing::grpc_ep(10, 3, "a2")),
  };
  for (std::uint64_t seed = 1; seed < 20; ++seed) {
    const auto d = discover_from(discover_reply(query(), answer), seed);
    ASSERT_EQ(d.resources.size(), 1u);
    const auto h = hosts(d.resources[0]);
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h[0].substr(0, 1), "a");
    EXPECT_EQ(h[1].substr(0, 1), "a");
    EXPECT_EQ(h[2], "b");
    EXPECT_EQ(h[3], "c");
    // The same generator state gives the same order as order_endpoints itself.
    std::vector<record::ep> direct;
    for (const auto& r : answer) direct.push_back(record::ep::decode(r.data).value());
    std::mt19937_64 rng(seed);
    order_endpoints(direct, rng);
    EXPECT_EQ(d.resources[0].endpoints, direct);
  }
}

TEST(StubDiscover, UndecodableRecordsAreSkippedAndEmptyOwnersDropped) {
  auto answer = testing::two_resources(false);
  answer.push_back(record::rr{id("junk.provx.cn-north"), record::rtype::desc, 60, "\xff\xff"});
  answer.push_back(record::rr{id(h100_a), record::rtype::ep, 60, "\x08"});
  const auto d = discover_from(discover_reply(query(), answer));
  ASSERT_EQ(d.resources.size(), 2u);
  EXPECT_EQ(d.resources[0].endpoints.size(), 2u);
}

TEST(StubDiscover, PartialResultIsReadFromTheExtendedError) {
  auto reply = discover_reply(query(), testing::two_resources(false));
  reply.error = wire::extended_error{101, "no answer in time: gpu.farfar.cn-north."};
  const auto d = discover_from(reply);
  EXPECT_TRUE(d.partial);
  EXPECT_EQ(d.partial_reason, "no answer in time: gpu.farfar.cn-north.");
  EXPECT_EQ(d.kind, outcome::answer);
  EXPECT_EQ(d.resources.size(), 2u);
  EXPECT_EQ(exit_code(d), 0);

  reply.error = wire::extended_error{3, "stale"};
  EXPECT_FALSE(discover_from(reply).partial);
}

TEST(StubDiscover, AdMeansEveryResultIsSecure) {
  auto reply = discover_reply(query(), testing::two_resources(true));
  EXPECT_EQ(discover_from(reply).validation.state, validation::insecure);
  reply.set_flag(wire::flag::ad);
  const auto d = discover_from(reply);
  EXPECT_EQ(d.validation.state, validation::secure);
  for (const auto& r : d.resources) EXPECT_EQ(r.validation.state, validation::secure);
}

TEST(StubDiscover, NothingMatchedIsExitOne) {
  const auto d = discover_from(discover_reply(query(), {}));
  EXPECT_EQ(d.kind, outcome::nodata);
  EXPECT_TRUE(d.resources.empty());
  EXPECT_EQ(exit_code(d), 1);

  const auto nx = discover_from(discover_reply(query(), {}, wire::rcode::nxdomain));
  EXPECT_EQ(nx.kind, outcome::nxdomain);
  EXPECT_EQ(exit_code(nx), 1);
}

TEST(StubDiscover, DelegationsFromAnAuthoritativeServer) {
  auto reply = discover_reply(query(), {});
  const std::string ns = record::ns{id("ns1.provx.cn-north")}.encode();
  reply.authority = {record::rr{id("provx.cn-north"), record::rtype::ns, 86400, ns},
                     record::rr{id("provx.cn-north"), record::rtype::ns, 86400, ns},
                     record::rr{id("cloudy.cn-north"), record::rtype::ns, 86400, ns}};
  const auto d = discover_from(reply);
  EXPECT_EQ(d.kind, outcome::nodata);  // nothing matched here; the delegations are not results
  EXPECT_EQ(exit_code(d), 1);
  EXPECT_EQ(d.delegations,
            (std::vector<name::identifier>{id("provx.cn-north"), id("cloudy.cn-north")}));
}

TEST(StubDiscover, FailuresAreExitTwo) {
  for (auto rc :
       {wire::rcode::servfail, wire::rcode::refused, wire::rcode::formerr, wire::rcode::notimp}) {
    // Even records in a failed reply are not results.
    const auto d = discover_from(discover_reply(query(), testing::two_resources(false), rc));
    EXPECT_EQ(d.kind, outcome::failure);
    EXPECT_TRUE(d.resources.empty());
    EXPECT_EQ(exit_code(d), 2);
  }
  auto bogus = discover_reply(query(), {}, wire::rcode::servfail);
  bogus.error = wire::extended_error{7, "signature expired on DESC x.cn-north."};
  const auto d = discover_from(bogus);
  EXPECT_EQ(d.validation.state, validation::bogus);
  EXPECT_EQ(exit_code(d), 2);
}

resolver_config config_for(const fake_resolver& server) {
  resolver_config c;
  c.servers = {server.endpoint()};
  c.timeout = 500ms;
  c.attempts = 1;
  return c;
}

// Answers DISCOVERs of "kind=gpu" with the two resources (AD set); anything else REFUSED.
fake_resolver::responder discover_responder(bool truncate_udp = false) {
  return [truncate_udp](const wire::message& q, bool tcp) {
    if (q.opcode != wire::opcode::discover || q.selector != "kind=gpu")
      return std::vector<wire::message>{fake_resolver::reply_to(q, wire::rcode::refused)};
    auto r = discover_reply(q, testing::two_resources(true));
    r.set_flag(wire::flag::ad);
    if (truncate_udp && !tcp) {
      r.answer.clear();
      r.set_flag(wire::flag::tc);
    }
    return std::vector<wire::message>{r};
  };
}

TEST(StubDiscoverExchange, SyncOverUdp) {
  fake_resolver server(discover_responder());
  const resolver stub(config_for(server));
  auto d = stub.discover("kind=gpu", id("cn-north"));
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(d->kind, outcome::answer);
  EXPECT_EQ(d->validation.state, validation::secure);
  ASSERT_EQ(d->resources.size(), 2u);
  EXPECT_EQ(d->resources[0].name, id(h100_a));
  EXPECT_EQ(d->resources[0].endpoints.front().host, "gw1.provx.example");
  EXPECT_EQ(d->lookup.server, server.endpoint());
  EXPECT_FALSE(d->lookup.tcp);
  EXPECT_EQ(server.udp_queries(), 1);

  auto other = stub.discover("kind=npu", id("cn-north"));
  ASSERT_TRUE(other) << other.err().message;
  EXPECT_EQ(exit_code(*other), 2);  // REFUSED
}

TEST(StubDiscoverExchange, TruncatedOverUdpRetriesOverTcp) {
  fake_resolver server(discover_responder(true));
  const resolver stub(config_for(server));
  auto d = stub.discover("kind=gpu", id("cn-north"));
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_TRUE(d->lookup.tcp);
  EXPECT_TRUE(d->lookup.retried_after_tc);
  EXPECT_EQ(d->resources.size(), 2u);
}

TEST(StubDiscoverExchange, AsyncCallsBackOnTheCallersContext) {
  fake_resolver server(discover_responder());
  const resolver stub(config_for(server));
  boost::asio::io_context io;
  std::optional<result<discovery>> got;
  stub.async_discover(io, "kind=gpu", id("cn-north"), {.tcp = true},
                      [&got](result<discovery> r) { got = std::move(r); });
  EXPECT_FALSE(got);  // nothing before the context runs
  io.run_for(5s);
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got) << got->err().message;
  EXPECT_TRUE((*got)->lookup.tcp);
  EXPECT_EQ((*got)->resources.size(), 2u);
  EXPECT_EQ(server.tcp_queries(), 1);
}

TEST(StubDiscoverExchange, NoReplyIsAnError) {
  testing::silent_server silent;
  resolver_config c;
  c.servers = {silent.endpoint()};
  c.timeout = 100ms;
  c.attempts = 1;
  const resolver stub(c);
  auto d = stub.discover("kind=gpu", id("cn-north"));
  ASSERT_FALSE(d);
  EXPECT_NE(d.err().message.find("timeout"), std::string::npos) << d.err().message;
}

}  // namespace
}  // namespace cidns::stub
