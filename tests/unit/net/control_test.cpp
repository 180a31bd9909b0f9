// The control socket: round trip, permissions, stale and live sockets, default path.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "cidns/net/control.hpp"

namespace cidns::net {
namespace {

using namespace std::chrono_literals;

// A private directory under /tmp, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    char pattern[] = "/tmp/cidns-net-test-XXXXXX";
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

std::string echo(std::string_view line) { return "{\"echo\":\"" + std::string(line) + "\"}"; }

TEST(Control, RoundTripAndMode) {
  temp_dir dir;
  const auto path = dir.path("run/cidns/authd.sock");  // parents created
  control_server srv(path, echo);
  srv.start();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.path("run/cidns").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto r = control_request(path, R"({"cmd":"status"})", 2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, R"({"echo":"{"cmd":"status"}"})");
  auto r2 = control_request(path, "second\n", 2s);
  ASSERT_TRUE(r2.ok()) << r2.err().message;
  EXPECT_EQ(*r2, R"({"echo":"second"})");

  srv.stop();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(control_request(path, "x", 500ms).ok());
}

TEST(Control, ThrowingHandlerAnswersAnError) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  control_server srv(path, [](std::string_view) -> std::string { throw std::runtime_error("x"); });
  srv.start();
  auto r = control_request(path, "status", 2s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(*r, R"({"ok":false,"error":"internal error"})");
}

TEST(Control, StaleSocketIsReplacedLiveOneRefused) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  {  // a socket file nobody listens on, as a crashed server leaves it
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ::close(fd);
  }
  control_server srv(path, echo);
  srv.start();
  ASSERT_TRUE(control_request(path, "a", 2s).ok());
  EXPECT_THROW(control_server(path, echo), std::runtime_error);
  ASSERT_TRUE(control_request(path, "still mine", 2s).ok());
}

TEST(Control, RefusesNonSocketAndOpenParent) {
  temp_dir dir;
  const auto file = dir.path("not-a-socket");
  std::ofstream(file) << "data";
  EXPECT_THROW(control_server(file, echo), std::runtime_error);
  EXPECT_TRUE(std::filesystem::exists(file));

  std::filesystem::create_directory(dir.path("open"));
  ::chmod(dir.path("open").c_str(), 0777);
  try {
    control_server srv(dir.path("open/c.sock"), echo);
    FAIL() << "accepted a world-writable parent";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("writable by others"), std::string::npos) << e.what();
  }
}

TEST(Control, OverlongRequestClosesTheConnection) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  control_server srv(path, echo);
  srv.start();
  auto r = control_request(path, std::string(100 * 1024, 'a'), 2s);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(control_request(path, "short", 2s).ok());
}

TEST(Control, StopWithAnIdleClientConnected) {
  temp_dir dir;
  const auto path = dir.path("c.sock");
  control_server srv(path, echo);
  srv.start();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  std::this_thread::sleep_for(50ms);  // let the server accept it
  const auto start = std::chrono::steady_clock::now();
  srv.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);  // closed by the server
  ::close(fd);
}

TEST(Control, DefaultPath) {
  if (::geteuid() == 0) {
    EXPECT_EQ(default_control_path(), "/run/cidns/authd.sock");
    EXPECT_EQ(default_control_path("resolverd"), "/run/cidns/resolverd.sock");
    return;
  }
  const char* old = std::getenv("XDG_RUNTIME_DIR");
  const std::string saved = old ? old : "";
  ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
  EXPECT_EQ(default_control_path(), "/run/user/4242/cidns/authd.sock");
  ::unsetenv("XDG_RUNTIME_DIR");
  EXPECT_EQ(default_control_path(), "/tmp/cidns-" + std::to_string(::geteuid()) + "/authd.sock");
  if (old) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}

}  // namespace
}  // namespace cidns::net
