#include "cidns/net/control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "socket_util.hpp"

namespace cidns::net {

using boost::asio::local::stream_protocol;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_request_line = 64 * 1024;
constexpr std::size_t max_reply_line = 64 * 1024 * 1024;
constexpr auto session_idle = std::chrono::seconds(60);
// Sessions open at once; a newcomer beyond it closes the one idle longest (an operator's
// command must get through idle or stuck clients).
constexpr std::size_t max_sessions = 16;

[[noreturn]] void fail(const std::string& path, std::string_view why) {
  throw std::runtime_error(fmt::format("control socket {}: {}", path, why));
}

[[noreturn]] void fail_errno(const std::string& path, std::string_view what) {
  fail(path, fmt::format("{}: {}", what, std::strerror(errno)));
}

// A parent others can write to would let them swap the socket for their own.
void check_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  if (!std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) fail(path, fmt::format("cannot create {}: {}", parent.string(), ec.message()));
    ::chmod(parent.c_str(), 0700);
  }
  struct stat st {};
  if (::lstat(parent.c_str(), &st) != 0) fail_errno(path, parent.string());
  if (!S_ISDIR(st.st_mode)) fail(path, fmt::format("{} is not a directory", parent.string()));
  if (st.st_uid != ::geteuid() && st.st_uid != 0)
    fail(path, fmt::format("{} belongs to another user", parent.string()));
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
    fail(path, fmt::format("{} is writable by others", parent.string()));
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) fail(path, "path too long for a Unix socket");
  std::memcpy(sa.sun_path, path.data(), path.size());
  return sa;
}

// Removes a socket left by a dead server; refuses to take over from a live one.
void remove_stale(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail_errno(path, "stat");
  }
  if (!S_ISSOCK(st.st_mode)) fail(path, "exists and is not a socket");
  detail::unique_fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const auto sa = unix_address(path);
  if (probe.get() >= 0 &&
      ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0)
    fail(path, "another server is listening there");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail_errno(path, "unlink stale socket");
}

}  // namespace

std::string default_control_path(std::string_view name) {
  if (::geteuid() == 0) return fmt::format("/run/cidns/{}.sock", name);
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg == '/')
    return fmt::format("{}/cidns/{}.sock", xdg, name);
  return fmt::format("/tmp/cidns-{}/{}.sock", ::geteuid(), name);
}

// One client: reads lines, answers each in turn.
class control_session : public std::enable_shared_from_this<control_session> {
 public:
  control_session(stream_protocol::socket socket, control_server::impl& owner);
  void start();
  void close();
  clock::time_point last_activity() const { return m_last_activity; }

 private:
  void read();
  void arm_idle();

  stream_protocol::socket m_socket;
  control_server::impl& m_owner;
  boost::asio::streambuf m_in{max_request_line};
  std::string m_out;
  boost::asio::steady_timer m_idle;
  clock::time_point m_last_activity;
  bool m_closed = false;
};

struct control_server::impl {
  boost::asio::io_context io{1};
  stream_protocol::acceptor acceptor{io};
  handler on_request;
  std::unordered_map<control_session*, std::shared_ptr<control_session>> sessions;
  boost::asio::steady_timer retry{io};
  detail::accept_backoff backoff;
  ino_t inode = 0;
  bool stopping = false;

  explicit impl(const std::string& path) : backoff(fmt::format("control socket {}", path)) {}

  void accept() {
    acceptor.async_accept(
        [this](const boost::system::error_code& ec, stream_protocol::socket socket) {
          if (ec == boost::asio::error::operation_aborted || stopping) return;
          if (ec) {  // EMFILE, ENFILE...: wait instead of retrying at once
            retry.expires_after(backoff.failed(ec));
            retry.async_wait([this](const boost::system::error_code& wec) {
              if (!wec && !stopping) accept();
            });
            return;
          }
          if (sessions.size() >= max_sessions) close_idlest();
          auto s = std::make_shared<control_session>(std::move(socket), *this);
          sessions.emplace(s.get(), s);
          s->start();
          accept();
        });
  }

  void close_idlest() {
    control_session* idlest = nullptr;
    for (auto& [s, _] : sessions)
      if (idlest == nullptr || s->last_activity() < idlest->last_activity()) idlest = s;
    if (idlest != nullptr) idlest->close();
  }

  void shutdown() {
    stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    retry.cancel();
    std::vector<std::shared_ptr<control_session>> live;
    for (auto& [_, s] : sessions) live.push_back(s);
    for (auto& s : live) s->close();
  }
};

control_session::control_session(stream_protocol::socket socket, control_server::impl& owner)
    : m_socket(std::move(socket)), m_owner(owner), m_idle(owner.io) {}

void control_session::start() {
  m_last_activity = clock::now();
  arm_idle();
  read();
}

void control_session::close() {
  if (m_closed) return;
  m_closed = true;
  auto self = shared_from_this();
  boost::system::error_code ec;
  m_socket.close(ec);
  m_idle.cancel();
  m_owner.sessions.erase(this);
}

void control_session::read() {
  boost::asio::async_read_until(
      m_socket, m_in, '\n',
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        if (self->m_closed) return;
        if (ec) {  // EOF, or a line longer than max_request_line (not_found)
          self->close();
          return;
        }
        self->m_last_activity = clock::now();
        const auto* data = static_cast<const char*>(self->m_in.data().data());
        std::string_view line(data, n - 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        try {
          self->m_out = self->m_owner.on_request(line);
        } catch (...) {
          self->m_out = R"({"ok":false,"error":"internal error"})";
        }
        self->m_in.consume(n);
        self->m_out.push_back('\n');
        boost::asio::async_write(self->m_socket, boost::asio::buffer(self->m_out),
                                 [self](const boost::system::error_code& wec, std::size_t) {
                                   if (self->m_closed) return;
                                   if (wec) {
                                     self->close();
                                     return;
                                   }
                                   self->m_last_activity = clock::now();
                                   self->read();
                                 });
      });
}

void control_session::arm_idle() {
  m_idle.expires_at(m_last_activity + session_idle);
  m_idle.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->m_closed) return;
    if (clock::now() - self->m_last_activity >= session_idle) {
      self->close();
      return;
    }
    self->arm_idle();
  });
}

control_server::control_server(std::string path, handler on_request)
    : m_path(std::move(path)), m_impl(std::make_unique<impl>(m_path)) {
  m_impl->on_request = std::move(on_request);
  check_parent(m_path);
  remove_stale(m_path);
  boost::system::error_code ec;
  auto& a = m_impl->acceptor;
  a.open(stream_protocol(), ec);
  if (!ec) a.bind(stream_protocol::endpoint(m_path), ec);
  if (ec) fail(m_path, ec.message());
  if (::chmod(m_path.c_str(), 0600) != 0) fail_errno(m_path, "chmod 0600");
  a.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) fail(m_path, ec.message());
  struct stat st {};
  if (::lstat(m_path.c_str(), &st) == 0) m_impl->inode = st.st_ino;
}

control_server::~control_server() { stop(); }

void control_server::start() {
  if (m_thread.joinable() || m_impl->stopping) return;
  m_impl->accept();
  m_thread = std::thread([this] { m_impl->io.run(); });
}

void control_server::stop() {
  if (!m_impl) return;
  boost::asio::post(m_impl->io, [i = m_impl.get()] { i->shutdown(); });
  if (m_thread.joinable()) {
    m_thread.join();
  } else {
    m_impl->io.run();  // never started: run the shutdown here
  }
  // Unlink only our own socket, not one a newer server put there.
  struct stat st {};
  if (m_impl->inode != 0 && ::lstat(m_path.c_str(), &st) == 0 && st.st_ino == m_impl->inode)
    ::unlink(m_path.c_str());
  m_impl.reset();
}

result<std::string> control_request(const std::string& path, std::string_view line,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return make_error(fmt::format("{}: path too long", path));
  std::memcpy(sa.sun_path, path.data(), path.size());
  detail::unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return detail::sys_error("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    return detail::sys_error(fmt::format("connect {}", path), errno);

  std::string request(line);
  if (request.empty() || request.back() != '\n') request.push_back('\n');
  auto sent = detail::send_all(fd.get(), reinterpret_cast<const std::uint8_t*>(request.data()),
                               request.size(), deadline);
  if (!sent) return std::move(sent).err();

  std::string reply;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
      if (const auto nl = reply.find('\n'); nl != std::string::npos) {
        reply.resize(nl);
        return reply;
      }
      if (reply.size() > max_reply_line) return make_error(fmt::format("{}: reply too long", path));
      continue;
    }
    if (n == 0) return make_error(fmt::format("{}: connection closed before a reply", path));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return detail::sys_error("receive", errno);
    auto w = detail::wait_for(fd.get(), POLLIN, deadline, path);
    if (!w) return std::move(w).err();
  }
}

}  // namespace cidns::net
