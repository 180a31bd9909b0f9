// resolve(): descriptor, state and endpoints of a resource, CNAMEs followed; the RFC 2782
// style ordering of endpoints (by priority, weighted among equals, seeded for tests).
#include <map>

#include <gtest/gtest.h>

#include "cidns/stub/endpoints.hpp"
#include "cidns/stub/resolver.hpp"
#include "fake_resolver.hpp"

namespace cidns::stub {
namespace {

using namespace std::chrono_literals;
using testing::fake_resolver;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

record::ep ep_of(std::uint32_t priority, std::uint32_t weight, std::string host) {
  record::ep e;
  e.priority = priority;
  e.weight = weight;
  e.protocol = static_cast<std::uint32_t>(record::protocol::grpc);
  e.host = std::move(host);
  e.port = 443;
  return e;
}

std::vector<std::string> hosts(const std::vector<record::ep>& eps) {
  std::vector<std::string> out;
  for (const auto& e : eps) out.push_back(e.host);
  return out;
}

TEST(StubEndpoints, LowerPriorityAlwaysFirst) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) {
    std::vector<record::ep> eps{ep_of(20, 1, "c"), ep_of(10, 0, "a"), ep_of(30, 100, "d"),
                                ep_of(10, 5, "b")};
    order_endpoints(eps, rng);
    ASSERT_EQ(eps.size(), 4u);
    EXPECT_EQ(eps[0].priority, 10u);
    EXPECT_EQ(eps[1].priority, 10u);
    EXPECT_EQ(eps[2].host, "c");
    EXPECT_EQ(eps[3].host, "d");
  }
}

TEST(StubEndpoints, SeededOrderIsDeterministic) {
  const std::vector<record::ep> input{ep_of(1, 10, "a"), ep_of(1, 20, "b"), ep_of(1, 30, "c"),
                                      ep_of(1, 40, "d")};
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto x = input, y = input;
    std::mt19937_64 r1(seed), r2(seed);
    order_endpoints(x, r1);
    order_endpoints(y, r2);
    EXPECT_EQ(hosts(x), hosts(y));
  }
}

TEST(StubEndpoints, WeightsSetTheOddsOfComingFirst) {
  std::mt19937_64 rng(42);
  std::map<std::string, int> first;
  const int rounds = 4000;
  for (int i = 0; i < rounds; ++i) {
    std::vector<record::ep> eps{ep_of(1, 0, "zero"), ep_of(1, 10, "light"), ep_of(1, 30, "heavy")};
    order_endpoints(eps, rng);
    ++first[eps[0].host];
  }
  // Expected shares: heavy 30/40, light 10/40, zero only when the draw is 0 (~1/41).
  EXPECT_NEAR(first["heavy"], rounds * 30 / 40, rounds / 20);
  EXPECT_NEAR(first["light"], rounds * 10 / 40, rounds / 20);
  EXPECT_LT(first["zero"], rounds / 20);
}

TEST(StubEndpoints, AllZeroWeightsKeepEveryRecord) {
  std::mt19937_64 rng(1);
  std::vector<record::ep> eps{ep_of(5, 0, "a"), ep_of(5, 0, "b"), ep_of(5, 0, "c")};
  order_endpoints(eps, rng);
  auto h = hosts(eps);
  std::sort(h.begin(), h.end());
  EXPECT_EQ(h, (std::vector<std::string>{"a", "b", "c"}));
}

// A resource behind a CNAME: DESC, STATE and two EPs at the target, and a DESC elsewhere
// that must not be taken.
std::vector<wire::message> resource_reply(const wire::message& q, bool) {
  auto r = fake_resolver::reply_to(q);
  r.set_flag(wire::flag::ad);
  const auto target = id("h100-8x.pool1.provx.cn-north");
  r.answer.push_back({q.question->name, record::rtype::cname, 60, record::cname{target}.encode()});
  record::desc d;
  d.kind = static_cast<std::uint32_t>(record::kind::gpu);
  d.accel_count = 8;
  r.answer.push_back({target, record::rtype::desc, 3600, d.encode()});
  record::desc other;
  other.kind = static_cast<std::uint32_t>(record::kind::cpu);
  r.answer.push_back({id("other.provx.cn-north"), record::rtype::desc, 3600, other.encode()});
  record::state s;
  s.free = 3;
  r.answer.push_back({target, record::rtype::state, 30, s.encode()});
  r.answer.push_back({target, record::rtype::ep, 3600, ep_of(20, 1, "backup").encode()});
  r.answer.push_back({target, record::rtype::ep, 3600, ep_of(10, 1, "main").encode()});
  r.answer.push_back({target, record::rtype::ep, 3600, "\xff\xff garbage"});
  return {r};
}

TEST(StubResolve, DescriptorStateAndOrderedEndpoints) {
  fake_resolver server(resource_reply);
  resolver stub(resolver_config{{server.endpoint()}, 500ms, 1, false, "test"});
  auto r = stub.resolve(id("best.provx.cn-north"));
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->name, id("best.provx.cn-north"));
  EXPECT_EQ(r->canonical, id("h100-8x.pool1.provx.cn-north"));
  ASSERT_TRUE(r->descriptor);
  EXPECT_EQ(r->descriptor->accel_count, 8u);
  ASSERT_TRUE(r->availability);
  EXPECT_EQ(r->availability->free, 3u);
  EXPECT_EQ(hosts(r->endpoints), (std::vector<std::string>{"main", "backup"}));
  EXPECT_EQ(r->kind, outcome::answer);
  EXPECT_EQ(r->validation.state, validation::secure);
  EXPECT_EQ(r->lookup.reply.question->type, record::rtype::resource);
}

TEST(StubResolve, AsyncFormAndNegativeAnswers) {
  fake_resolver server([](const wire::message& q, bool) {
    return std::vector<wire::message>{fake_resolver::reply_to(q, wire::rcode::nxdomain)};
  });
  resolver stub(resolver_config{{server.endpoint()}, 500ms, 1, false, "test"});
  boost::asio::io_context io;
  std::optional<result<resolution>> got;
  stub.async_resolve(io, id("missing.provx.cn-north"), {},
                     [&](result<resolution> r) { got.emplace(std::move(r)); });
  io.run();
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->kind, outcome::nxdomain);
  EXPECT_FALSE((*got)->descriptor);
  EXPECT_TRUE((*got)->endpoints.empty());
}

}  // namespace
}  // namespace cidns::stub
