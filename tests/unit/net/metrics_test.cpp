// The Prometheus endpoint over a real socket.
#include <poll.h>
#include <sys/socket.h>

#include <string>

#include <gtest/gtest.h>

#include "cidns/net/client.hpp"
#include "cidns/net/metrics_http.hpp"
#include "test_support.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;

// Sends a raw HTTP request and reads the response until the server closes.
std::string http(const endpoint& ep, const std::string& request) {
  auto c = tcp_client::connect(ep, 2s);
  if (!c.ok()) return "connect failed: " + c.err().message;
  if (!c->send_raw(testing::bytes(request), 2s).ok()) return "send failed";
  std::string out;
  char buf[4096];
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{c->native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const auto n = ::recv(c->native_handle(), buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(Metrics, ServesMetricsAnd404) {
  int calls = 0;
  metrics_server m(*parse_endpoint("127.0.0.1:0"), [&] {
    ++calls;
    return std::string("# TYPE cidns_queries_total counter\ncidns_queries_total 42\n");
  });
  m.start();
  const auto ep = m.local_endpoint();
  ASSERT_NE(ep.port, 0);

  const auto ok = http(ep, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << ok;
  EXPECT_NE(ok.find("\r\n\r\n# TYPE cidns_queries_total counter\ncidns_queries_total 42\n"),
            std::string::npos)
      << ok;

  const auto missing = http(ep, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << missing;

  const auto post = http(ep, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 405", 0), 0u) << post;

  const auto garbage = http(ep, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.find("200 OK"), std::string::npos);

  // Still serving after the bad request.
  EXPECT_EQ(http(ep, "GET /metrics HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 200 OK", 0), 0u);
  EXPECT_EQ(calls, 2);
  m.stop();
}

TEST(Metrics, StopWithAConnectedSilentClient) {
  metrics_server m(*parse_endpoint("127.0.0.1:0"), [] { return std::string(); });
  m.start();
  auto c = tcp_client::connect(m.local_endpoint(), 2s);
  ASSERT_TRUE(c.ok());
  std::this_thread::sleep_for(50ms);  // let it be accepted and its read started
  const auto start = std::chrono::steady_clock::now();
  m.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(Metrics, BindFailureNamesTheAddress) {
  metrics_server first(*parse_endpoint("127.0.0.1:0"), [] { return std::string(); });
  try {
    metrics_server second(first.local_endpoint(), [] { return std::string(); });
    FAIL() << "bound twice";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(first.local_endpoint().to_string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cidns::net
