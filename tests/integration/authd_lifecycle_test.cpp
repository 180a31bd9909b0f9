// cidns-authd's life: the metrics endpoint, clean shutdown on SIGTERM, and the exit
// codes of startup errors.
#include "authd_harness.hpp"

namespace cidns::itest {
namespace {

// ---- metrics and shutdown ----------------------------------------------------------------------

// GET /metrics with a hand-written HTTP/1.0 request; the whole response.
std::string http_get(const net::endpoint& ep, std::string_view path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(ep.port);
  auto v4 = ep.address.to_v4().to_bytes();
  std::memcpy(&sa.sin_addr, v4.data(), v4.size());
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    const std::string request = "GET " + std::string(path) + " HTTP/1.0\r\nHost: test\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      const auto end = std::chrono::steady_clock::now() + 5s;
      char buf[4096];
      while (std::chrono::steady_clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        response.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return response;
}

TEST_F(AuthdIntegration, MetricsEndpointServesPrometheusText) {
  authd_options o;
  o.metrics = true;
  auto s = start_both(o);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->metrics());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(udp_ask(s->endpoint(), make_query(h100, rtype::resource)));

  const std::string response = http_get(*s->metrics(), "/metrics");
  EXPECT_TRUE(response.starts_with("HTTP/1.")) << response;
  EXPECT_NE(response.find(" 200 "), std::string::npos) << response;
  EXPECT_NE(response.find("cidns_queries_total{opcode=\"QUERY\"}"), std::string::npos) << response;
  EXPECT_NE(response.find("cidns_zone_serial{zone=\"provx.cn-north.\"} 2026120101"),
            std::string::npos)
      << response;
  EXPECT_NE(response.find("cidns_rrl_total{action=\"drop\"} 0"), std::string::npos) << response;
  EXPECT_NE(response.find("cidns_cookies_total{result=\"valid\"} 0"), std::string::npos)
      << response;

  EXPECT_NE(http_get(*s->metrics(), "/nothing-here").find(" 404 "), std::string::npos);
}

TEST_F(AuthdIntegration, SigtermStopsCleanly) {
  auto s = start_both();
  ASSERT_TRUE(s);
  s->process().signal(SIGTERM);
  auto status = s->process().wait_for(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_status(*status) << "\n"
                                                               << s->log();
  EXPECT_FALSE(std::filesystem::exists(s->control_path())) << "control socket left behind";
}

TEST_F(AuthdIntegration, SigtermStopsCleanlyWithTcpClientsConnected) {
  auto s = start_both();
  ASSERT_TRUE(s);
  // One idle connection after an exchange, one in the middle of a frame.
  auto idle = net::tcp_client::connect(s->endpoint(), 2s);
  ASSERT_TRUE(idle);
  wire::message q = make_query(h100, rtype::resource);
  ASSERT_TRUE(idle->send(bytes(wire::encode(q)), 1s));
  ASSERT_TRUE(idle->receive(2s));
  auto partial = net::tcp_client::connect(s->endpoint(), 2s);
  ASSERT_TRUE(partial);
  ASSERT_TRUE(partial->send_raw(bytes(std::string("\x00\x40\x0d", 3)), 1s));

  s->process().signal(SIGTERM);
  auto status = s->process().wait_for(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_status(*status) << "\n"
                                                               << s->log();
  EXPECT_FALSE(idle->receive(1s)) << "the connection is closed";
}

// ---- startup errors --------------------------------------------------------------------------

TEST_F(AuthdIntegration, StartupErrorsHaveTheirExitCodes) {
  const std::string good = copy_fixture("provx.zone");
  // Usage and configuration errors: 2, with a message naming the flag or key.
  auto r = run_command({CIDNS_AUTHD_PATH, "--listen", "127.0.0.300", "--zone",
                        std::string(provx) + "=" + good, "--control", "off"},
                       m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--listen 127.0.0.300"), std::string::npos) << r.output;
  r = run_command({CIDNS_AUTHD_PATH, "--control", "off"}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no zones"), std::string::npos) << r.output;
  r = run_command({CIDNS_AUTHD_PATH, "--bogus-flag"}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_command({CIDNS_AUTHD_PATH, "--rrl-rate", "99999", "--zone",
                   std::string(provx) + "=" + good, "--control", "off"},
                  m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--rrl-rate"), std::string::npos) << r.output;
  r = run_command({CIDNS_AUTHD_PATH, "--rrl-slip", "-1", "--zone", std::string(provx) + "=" + good,
                   "--control", "off"},
                  m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--rrl-slip"), std::string::npos) << r.output;
  const std::string conf = m_dir.file("bad.toml");
  write_file(conf, "[server]\nthreads = \"many\"\n");
  r = run_command({CIDNS_AUTHD_PATH, "--config", conf}, m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("server.threads"), std::string::npos) << r.output;
  // A zone with errors at startup: 1, and its errors as file:line:col.
  const std::string broken = m_dir.file("broken.zone");
  write_file(broken, read_file(good) + "\nbad-line DESC kind=quantum\n");
  r = run_command({CIDNS_AUTHD_PATH, "--listen", "127.0.0.1:0", "--zone",
                   std::string(provx) + "=" + broken, "--control", "off"},
                  m_dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.zone:"), std::string::npos) << r.output;
  r = run_command({CIDNS_AUTHD_PATH, "--help"}, m_dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace cidns::itest
