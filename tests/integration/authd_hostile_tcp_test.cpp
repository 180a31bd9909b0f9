// cidns-authd against TCP clients that hold its connection table (issue 11, defect 1): 256
// idle connections, or 256 that send one byte and then trickle, from several 127.x addresses
// (the per-client cap is 32); a new client's query must still be answered within 1 s.
#include "authd_harness.hpp"
#include "cidns/net/server.hpp"

namespace cidns::itest {
namespace {

// Closes the descriptors on scope exit.
struct hostile_set {
  std::vector<int> fds;
  hostile_set() = default;
  hostile_set(const hostile_set&) = delete;
  hostile_set& operator=(const hostile_set&) = delete;
  ~hostile_set() {
    for (int fd : fds) ::close(fd);
  }
};

// `n` connections, 32 from each of 127.0.0.2, 127.0.0.3, ...
void open_hostile(hostile_set& set, const net::endpoint& to, int n) {
  for (int i = 0; i < n; ++i) {
    const int fd = bound_socket("127.0.0." + std::to_string(2 + i / 32), SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    set.fds.push_back(fd);
    sockaddr_storage sa{};
    const socklen_t len = sizeof(sockaddr_in);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(to.port);
    in.sin_addr.s_addr = htonl(to.address.to_v4().to_uint());
    std::memcpy(&sa, &in, sizeof in);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), len), 0) << "connection " << i;
  }
}

void expect_new_clients_answered(const net::endpoint& ep, int n) {
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto r = tcp_ask(ep, make_query(h100, rtype::resource), 2s);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << "query " << i << " not answered";
    EXPECT_EQ(r->rcode, wire::rcode::noerror);
    EXPECT_LT(took, 1s) << "query " << i;
    std::this_thread::sleep_for(200ms);
  }
}

TEST_F(AuthdIntegration, IdleTcpConnectionsDoNotLockOutNewClients) {
  net::raise_fd_limit();
  auto s = start_both();
  ASSERT_TRUE(s);
  hostile_set idle;
  open_hostile(idle, s->endpoint(), 256);
  std::this_thread::sleep_for(700ms);  // settled, and older than the eviction grace
  expect_new_clients_answered(s->endpoint(), 5);
}

TEST_F(AuthdIntegration, SlowTcpClientsDoNotLockOutNewClients) {
  net::raise_fd_limit();
  auto s = start_both();
  ASSERT_TRUE(s);
  hostile_set slow;
  open_hostile(slow, s->endpoint(), 256);
  const std::uint8_t first = 0;  // one byte of a length prefix
  for (int fd : slow.fds) ASSERT_EQ(::send(fd, &first, 1, MSG_NOSIGNAL), 1);
  std::this_thread::sleep_for(700ms);
  expect_new_clients_answered(s->endpoint(), 5);
  // Those not evicted are closed 2 s after their first byte (the idle timeout is 10 s).
  std::size_t closed = 0;
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (closed < slow.fds.size() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(100ms);
    closed = 0;
    for (int fd : slow.fds) {
      char c;
      closed += ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0 ? 1 : 0;
    }
  }
  EXPECT_EQ(closed, slow.fds.size());
}

}  // namespace
}  // namespace cidns::itest
