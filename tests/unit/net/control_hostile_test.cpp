// The control socket and metrics endpoint against hostile local clients (issue 11): accept
// loops that back off when descriptors run out instead of spinning, the cap on control
// sessions, and the error reply of a handler that throws.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/sanitizers.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cidns/net/control.hpp"
#include "cidns/net/metrics_http.hpp"
#include "cidns/net/server.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;

class temp_dir {
 public:
  temp_dir() {
    char pattern[] = "/tmp/cidns-ctl-hostile-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = made;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  std::string path(std::string_view rel) const { return m_path + "/" + std::string(rel); }

 private:
  std::string m_path;
};

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

int connect_tcp(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closed `fd` within `limit`.
bool closed_within(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

TEST(ControlHostile, ThrowingHandlerAnswersOkFalse) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  // As the daemons' JSON replies throw on a request that is not valid UTF-8.
  control_server srv(path, [](std::string_view) -> std::string { throw std::runtime_error("x"); });
  srv.start();
  auto r = control_request(path, "{\"cmd\":\"\xff\xfe\"}", 2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, R"({"ok":false,"error":"internal error"})");
}

TEST(ControlHostile, IdleSessionsAreCappedAndAdminGetsThrough) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  control_server srv(path, [](std::string_view) { return std::string("pong"); });
  srv.start();
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) {
    const int fd = connect_unix(path);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  auto r = control_request(path, "ping", 1s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, "pong");
  // The first idle sessions made room for the later ones (the cap is 16, not 60 s of idle).
  EXPECT_TRUE(closed_within(idle.front(), 1s));
  EXPECT_FALSE(closed_within(idle.back(), 10ms));
  for (int fd : idle) ::close(fd);
}

// In a child process (the descriptor limit is per process): a control socket and a metrics
// endpoint, then every descriptor used up. The parent connects to both, which leaves each
// accept loop failing with EMFILE; the child reports the CPU time it used over the next
// second. A loop that retries at once spins a core (about 1,000 ms per loop).
TEST(ControlHostile, AcceptLoopsBackOffWhenDescriptorsRunOut) {
  CIDNS_SKIP_UNDER_ASAN();
  temp_dir dir;
  const auto path = dir.path("c.sock");
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(to_parent[0]);
    ::close(to_child[1]);
    long cpu_ms = -1;
    std::uint16_t port = 0;
    try {
      control_server ctl(path, [](std::string_view) { return std::string("pong"); });
      metrics_server met(*parse_endpoint("127.0.0.1:0"), [] { return std::string("m 1\n"); });
      ctl.start();
      met.start();
      port = met.local_endpoint().port;
      rlimit rl{};
      ::getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = 64;
      ::setrlimit(RLIMIT_NOFILE, &rl);
      while (::open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0) {
      }
      (void)!::write(to_parent[1], &port, sizeof port);  // ready
      char go;
      (void)!::read(to_child[0], &go, 1);  // the parent has connected
      rusage before{};
      ::getrusage(RUSAGE_SELF, &before);
      std::this_thread::sleep_for(1s);
      rusage after{};
      ::getrusage(RUSAGE_SELF, &after);
      auto ms = [](const rusage& u) {
        return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000L +
               (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000L;
      };
      cpu_ms = ms(after) - ms(before);
    } catch (...) {
    }
    (void)!::write(to_parent[1], &cpu_ms, sizeof cpu_ms);
    ::_exit(0);  // no destructors: the servers' threads may be busy
  }
  ::close(to_parent[1]);
  ::close(to_child[0]);
  std::uint16_t port = 0;
  pollfd p{to_parent[0], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  ASSERT_EQ(::read(to_parent[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  const int c1 = connect_unix(path);
  const int c2 = connect_tcp(port);
  EXPECT_GE(c1, 0);
  EXPECT_GE(c2, 0);
  (void)!::write(to_child[1], "g", 1);
  long cpu_ms = -1;
  p = {to_parent[0], POLLIN, 0};
  const bool answered =
      ::poll(&p, 1, 5000) == 1 && ::read(to_parent[0], &cpu_ms, sizeof cpu_ms) == sizeof cpu_ms;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (c1 >= 0) ::close(c1);
  if (c2 >= 0) ::close(c2);
  ::close(to_parent[0]);
  ::close(to_child[1]);
  ASSERT_TRUE(answered);
  ASSERT_GE(cpu_ms, 0) << "the child failed to set up";
  EXPECT_LT(cpu_ms, 200) << "CPU ms used in 1 s while descriptors were exhausted";
}

TEST(ControlHostile, RaiseFdLimitReachesTheHardLimit) {
  // In a child, so the test process keeps its limits.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    const auto hard = rl.rlim_max;
    rl.rlim_cur = std::min<rlim_t>(hard, 100);
    ::setrlimit(RLIMIT_NOFILE, &rl);
    const auto got = raise_fd_limit();
    ::getrlimit(RLIMIT_NOFILE, &rl);
    const bool ok =
        rl.rlim_cur == hard && (hard == RLIM_INFINITY || got == static_cast<std::uint64_t>(hard));
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace cidns::net
