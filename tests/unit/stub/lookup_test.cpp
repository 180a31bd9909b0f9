// lookup() against in-process fake resolvers: UDP, TC then TCP, spoofed replies ignored,
// timeouts and failover, and the async form.
#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cidns/record/data.hpp"
#include "cidns/stub/resolver.hpp"
#include "fake_resolver.hpp"

namespace cidns::stub {
namespace {

using namespace std::chrono_literals;
using testing::fake_resolver;
using testing::silent_server;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

record::rr txt_rr(std::string_view owner, std::string text) {
  return record::rr{id(owner), record::rtype::txt, 60, record::txt{{std::move(text)}}.encode()};
}

resolver_config config_for(std::vector<net::endpoint> servers,
                           std::chrono::milliseconds timeout = 300ms, int attempts = 1) {
  resolver_config c;
  c.servers = std::move(servers);
  c.timeout = timeout;
  c.attempts = attempts;
  return c;
}

// Answers every query with one TXT record saying `who`.
fake_resolver::responder answer_with(std::string who) {
  return [who](const wire::message& q, bool) {
    auto r = fake_resolver::reply_to(q);
    r.answer.push_back(txt_rr(q.question->name.text(), who));
    return std::vector<wire::message>{r};
  };
}

std::string txt_of(const lookup_result& r) {
  if (r.reply.answer.empty()) return "";
  auto t = record::txt::decode(r.reply.answer[0].data);
  return t && !t->text.empty() ? t->text[0] : "";
}

TEST(StubLookup, AnswersOverUdp) {
  fake_resolver server(answer_with("one"));
  resolver stub(config_for({server.endpoint()}));
  auto r = stub.lookup(id("a.provx.cn-north"), record::rtype::txt);
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(txt_of(*r), "one");
  EXPECT_FALSE(r->tcp);
  EXPECT_EQ(r->server, server.endpoint());
  EXPECT_EQ(r->kind, outcome::answer);
  EXPECT_EQ(r->validation.state, validation::insecure);
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 0);
}

TEST(StubLookup, QuerySetsTheRequestedFlags) {
  std::uint32_t seen = 0;
  fake_resolver server([&](const wire::message& q, bool) {
    seen = q.flags;
    return std::vector<wire::message>{fake_resolver::reply_to(q)};
  });
  resolver stub(config_for({server.endpoint()}));
  ASSERT_TRUE(stub.lookup(id("a."), record::rtype::desc, {.dnssec = true, .cd = true}));
  EXPECT_EQ(seen, wire::flag::rd | wire::flag::ad | wire::flag::do_ | wire::flag::cd);
  ASSERT_TRUE(stub.lookup(id("a."), record::rtype::desc, {.norec = true}));
  EXPECT_EQ(seen, 0u);
}

TEST(StubLookup, TruncatedUdpReplyIsAskedAgainOverTcp) {
  fake_resolver server([](const wire::message& q, bool tcp) {
    auto r = fake_resolver::reply_to(q);
    if (tcp) {
      r.answer.push_back(txt_rr(q.question->name.text(), "whole"));
    } else {
      r.set_flag(wire::flag::tc);
    }
    return std::vector<wire::message>{r};
  });
  resolver stub(config_for({server.endpoint()}));
  auto r = stub.lookup(id("big.provx.cn-north"), record::rtype::txt);
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_TRUE(r->tcp);
  EXPECT_TRUE(r->retried_after_tc);
  EXPECT_EQ(txt_of(*r), "whole");
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 1);
}

TEST(StubLookup, TcpFromTheStartWhenAsked) {
  fake_resolver server(answer_with("tcp"));
  resolver stub(config_for({server.endpoint()}));
  auto r = stub.lookup(id("a."), record::rtype::txt, {.tcp = true});
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_TRUE(r->tcp);
  EXPECT_FALSE(r->retried_after_tc);
  EXPECT_EQ(server.udp_queries(), 0);
}

TEST(StubLookup, RepliesWithWrongIdOrQuestionAreIgnored) {
  for (bool tcp : {false, true}) {
    fake_resolver server([](const wire::message& q, bool) {
      auto wrong_id = fake_resolver::reply_to(q);
      wrong_id.id = q.id + 1;
      wrong_id.answer.push_back(txt_rr(q.question->name.text(), "spoofed id"));
      auto wrong_question = fake_resolver::reply_to(q);
      wrong_question.question->name = id("other.provx.cn-north");
      wrong_question.answer.push_back(txt_rr("other.provx.cn-north", "spoofed question"));
      auto not_a_reply = fake_resolver::reply_to(q);
      not_a_reply.set_flag(wire::flag::qr, false);
      auto right = fake_resolver::reply_to(q);
      right.answer.push_back(txt_rr(q.question->name.text(), "genuine"));
      return std::vector<wire::message>{wrong_id, wrong_question, not_a_reply, right};
    });
    resolver stub(config_for({server.endpoint()}));
    auto r = stub.lookup(id("a.provx.cn-north"), record::rtype::txt, {.tcp = tcp});
    ASSERT_TRUE(r) << r.err().message;
    EXPECT_EQ(txt_of(*r), "genuine") << (tcp ? "tcp" : "udp");
  }
}

TEST(StubLookup, OnlyMismatchedRepliesEndInATimeout) {
  fake_resolver server([](const wire::message& q, bool) {
    auto wrong = fake_resolver::reply_to(q);
    wrong.id = q.id ^ 0x5a5a;
    return std::vector<wire::message>{wrong};
  });
  resolver stub(config_for({server.endpoint()}, 200ms, 2));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = stub.lookup(id("a."), record::rtype::txt);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("timeout"), std::string::npos) << r.err().message;
  EXPECT_EQ(server.udp_queries(), 2);
  EXPECT_GE(took, 350ms);
  EXPECT_LT(took, 2s);
}

TEST(StubLookup, FailsOverFromASilentResolverToTheNext) {
  silent_server dead;
  fake_resolver alive(answer_with("second"));
  resolver stub(config_for({dead.endpoint(), alive.endpoint()}, 250ms, 2));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = stub.lookup(id("a."), record::rtype::txt);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->server, alive.endpoint());
  EXPECT_EQ(txt_of(*r), "second");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 1500ms);
}

TEST(StubLookup, AllSilentNamesEveryTry) {
  silent_server a, b;
  resolver stub(config_for({a.endpoint(), b.endpoint()}, 100ms, 2));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = stub.lookup(id("a."), record::rtype::txt);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  // attempts × servers tries, each bounded by the timeout, round robin.
  const std::string expected =
      fmt::format("no reply: {0} timeout; {1} timeout; {0} timeout; {1} timeout",
                  a.endpoint().to_string(), b.endpoint().to_string());
  EXPECT_EQ(r.err().message, expected);
  EXPECT_GE(took, 380ms);
  EXPECT_LT(took, 2s);
}

TEST(StubLookup, ErrorRepliesAreValuesNotErrors) {
  fake_resolver server([](const wire::message& q, bool) {
    auto r = fake_resolver::reply_to(q, wire::rcode::servfail);
    r.error = wire::extended_error{static_cast<std::uint32_t>(wire::error_code::signature_expired),
                                   "signature expired on DESC h100.pool1.provx.cn-north."};
    return std::vector<wire::message>{r};
  });
  resolver stub(config_for({server.endpoint()}));
  auto r = stub.lookup(id("h100.pool1.provx.cn-north"), record::rtype::desc, {.dnssec = true});
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->kind, outcome::failure);
  EXPECT_EQ(r->validation.state, validation::bogus);
  EXPECT_EQ(r->validation.reason, "signature expired on DESC h100.pool1.provx.cn-north.");
}

TEST(StubLookup, AsyncLookupsRunConcurrentlyOnTheCallersContext) {
  silent_server dead;
  fake_resolver alive(answer_with("async"));
  resolver slow(config_for({dead.endpoint(), alive.endpoint()}, 300ms, 1));
  resolver fast(config_for({alive.endpoint()}));
  boost::asio::io_context io;
  std::vector<std::string> order;
  slow.async_lookup(io, id("a."), record::rtype::txt, {}, [&](result<lookup_result> r) {
    ASSERT_TRUE(r) << r.err().message;
    order.push_back("slow:" + txt_of(*r));
  });
  fast.async_lookup(io, id("b."), record::rtype::txt, {}, [&](result<lookup_result> r) {
    ASSERT_TRUE(r) << r.err().message;
    order.push_back("fast:" + txt_of(*r));
  });
  EXPECT_TRUE(order.empty());  // nothing is called back before the context runs
  const auto t0 = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_EQ(order, (std::vector<std::string>{"fast:async", "slow:async"}));
}

TEST(StubLookup, NoServerConfiguredIsAnError) {
  resolver stub(config_for({}));
  auto r = stub.lookup(id("a."), record::rtype::txt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "no resolver configured");
}

}  // namespace
}  // namespace cidns::stub
