// contrib/examples/connect_best against a fake resolver and a local TCP listener: the first
// endpoint refuses, the next one (a host name resolved through ADDR) is connected to.
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "connect_best.hpp"
#include "fake_resolver.hpp"

namespace cidns::examples {
namespace {

using namespace std::chrono_literals;
using stub::testing::bind_loopback;
using stub::testing::fake_resolver;
using stub::testing::local_port;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

record::ep ep_of(std::uint32_t priority, std::string host, std::uint32_t port) {
  record::ep e;
  e.priority = priority;
  e.weight = 1;
  e.protocol = static_cast<std::uint32_t>(record::protocol::grpc);
  e.host = std::move(host);
  e.port = port;
  return e;
}

struct local_sockets {
  int listener = bind_loopback(SOCK_STREAM, 0);
  int refuser = bind_loopback(SOCK_STREAM, 0);  // bound, not listening: connect is refused
  local_sockets() { ::listen(listener, 4); }
  ~local_sockets() {
    ::close(listener);
    ::close(refuser);
  }
};

TEST(ConnectBest, SkipsARefusingEndpointAndResolvesTheNextHost) {
  local_sockets s;
  const auto service = id("svc.provx.cn-north");
  const auto gateway = id("gw.provx.cn-north");
  fake_resolver server([&](const wire::message& q, bool) {
    auto r = fake_resolver::reply_to(q);
    if (q.question->name == service && q.question->type == record::rtype::resource) {
      r.answer.push_back(
          {service, record::rtype::ep, 60, ep_of(1, "127.0.0.1", local_port(s.refuser)).encode()});
      r.answer.push_back({service, record::rtype::ep, 60,
                          ep_of(2, gateway.text(), local_port(s.listener)).encode()});
      r.answer.push_back({service, record::rtype::ep, 60, ep_of(3, "127.0.0.1", 1).encode()});
    } else if (q.question->name == gateway && q.question->type == record::rtype::addr) {
      record::addr a;
      a.address = std::string("\x7f\x00\x00\x01", 4);
      r.answer.push_back({gateway, record::rtype::addr, 60, a.encode()});
    } else {
      r.rcode = wire::rcode::nxdomain;
    }
    return std::vector<wire::message>{r};
  });
  stub::resolver resolver(stub::resolver_config{{server.endpoint()}, 500ms, 1, false, "test"});
  std::vector<std::string> log;
  auto conn = connect_best(resolver, service, 1s, [&](const std::string& l) { log.push_back(l); });
  ASSERT_TRUE(conn) << conn.err().message;
  EXPECT_EQ(conn->address, stub::testing::loopback(local_port(s.listener)));
  EXPECT_EQ(conn->endpoint.priority, 2u);
  EXPECT_EQ(conn->endpoint.host, "gw.provx.cn-north.");
  EXPECT_GE(conn->socket.native_handle(), 0);
  ASSERT_EQ(log.size(), 3u);  // trying the first, its failure, trying the second
  EXPECT_NE(log[1].find("refused"), std::string::npos) << log[1];
  EXPECT_EQ(server.udp_queries(), 2);  // RESOURCE of the service, ADDR of the gateway
}

TEST(ConnectBest, NamesWhyNothingWasReached) {
  fake_resolver server([](const wire::message& q, bool) {
    return std::vector<wire::message>{fake_resolver::reply_to(q, wire::rcode::nxdomain)};
  });
  stub::resolver resolver(stub::resolver_config{{server.endpoint()}, 500ms, 1, false, "test"});
  auto conn = connect_best(resolver, id("missing.provx.cn-north"), 1s);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.err().message, "missing.provx.cn-north.: nxdomain");
}

}  // namespace
}  // namespace cidns::examples
