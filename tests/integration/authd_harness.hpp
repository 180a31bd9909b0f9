// The harness of the cidns-authd integration tests: cidns-authd as a real process
// on loopback, queries over UDP and TCP, its control socket, and the fixture.
// Every server gets its own 127.0.0.x address and a port found free by binding
// port 0; every wait is bounded; every process is stopped and reaped.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/net/client.hpp"
#include "cidns/net/control.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/data.hpp"
#include "cidns/wire/message.hpp"
#include "process.hpp"
#include "raw_message.hpp"

namespace cidns::itest {

using namespace std::chrono_literals;
using record::rtype;
using std::chrono::milliseconds;

inline constexpr std::string_view provx = "provx.cn-north.";
inline constexpr std::string_view cn_north = "cn-north.";
inline constexpr std::string_view h100 = "h100-8x.pool1.provx.cn-north.";
inline constexpr std::uint32_t first_serial = 2026120101;

inline std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string fixture_path(std::string_view file) {
  return std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/" + std::string(file);
}

// ---- addresses -----------------------------------------------------------------

// 127.0.0.x, x in 10..250, different for each server of this process and
// likely different from those of a concurrent run.
inline std::string pick_address() {
  static std::atomic<unsigned> counter{0};
  const unsigned n = counter++;
  const unsigned x = 10 + (static_cast<unsigned>(::getpid()) * 7U + n * 37U) % 241U;
  return "127.0.0." + std::to_string(x);
}

inline int bound_socket(const std::string& address, int type, std::uint16_t port) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A port free for both TCP and UDP on `address` right now (the kernel's pick
// for port 0). Another process may still take it before the server binds: the
// caller retries with a new one if the server cannot listen.
inline std::uint16_t pick_port(const std::string& address) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int tcp = bound_socket(address, SOCK_STREAM, 0);
    if (tcp < 0) continue;
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ::getsockname(tcp, reinterpret_cast<sockaddr*>(&sa), &len);
    const std::uint16_t port = ntohs(sa.sin_port);
    int udp = bound_socket(address, SOCK_DGRAM, port);
    ::close(tcp);
    if (udp >= 0) {
      ::close(udp);
      return port;
    }
  }
  return 0;
}

inline net::endpoint make_endpoint(const std::string& address, std::uint16_t port) {
  return net::parse_endpoint(address + ":" + std::to_string(port)).value();
}

// ---- queries ---------------------------------------------------------------------

inline std::uint32_t next_id() {
  static std::atomic<std::uint32_t> id{0x5eed0000U ^ static_cast<std::uint32_t>(::getpid())};
  return id++;
}

inline wire::message make_query(std::string_view name, rtype type, std::uint32_t flags = 0) {
  wire::message q;
  q.id = next_id();
  q.flags = flags;
  q.question = wire::question{name::identifier::parse(name).value(), type};
  return q;
}

// One UDP exchange (with `attempts` tries); the decoded reply if it matches the query id.
inline std::optional<wire::message> udp_ask(const net::endpoint& server, const wire::message& q,
                                            milliseconds timeout = 1000ms, int attempts = 1) {
  const std::string out = wire::encode(q);
  for (int i = 0; i < attempts; ++i) {
    auto raw = net::udp_exchange(server, bytes(out), timeout);
    if (!raw) continue;
    auto reply = wire::decode(*raw);
    if (reply && reply->id == q.id && reply->has_flag(wire::flag::qr)) return std::move(*reply);
  }
  return std::nullopt;
}

inline std::optional<wire::message> tcp_ask(const net::endpoint& server, const wire::message& q,
                                            milliseconds timeout = 2000ms) {
  auto raw = net::tcp_exchange(server, bytes(wire::encode(q)), timeout);
  if (!raw) return std::nullopt;
  auto reply = wire::decode(*raw);
  if (!reply || reply->id != q.id) return std::nullopt;
  return std::move(*reply);
}

inline std::uint32_t soa_serial(const wire::message& reply) {
  for (const auto& r : reply.answer) {
    if (r.type != rtype::soa) continue;
    if (auto s = record::soa::decode(r.data)) return s->serial;
  }
  return 0;
}

inline std::size_t count(const std::vector<record::rr>& section, rtype t) {
  std::size_t n = 0;
  for (const auto& r : section) n += r.type == t ? 1 : 0;
  return n;
}

// A connected UDP socket that sends without waiting (bulk hostile input).
class udp_socket {
 public:
  explicit udp_socket(const net::endpoint& server) {
    m_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(server.port);
    auto v4 = server.address.to_v4().to_bytes();
    std::memcpy(&sa.sin_addr, v4.data(), v4.size());
    if (m_fd >= 0) ::connect(m_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  ~udp_socket() {
    if (m_fd >= 0) ::close(m_fd);
  }
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;

  bool send(std::string_view datagram) {
    return ::send(m_fd, datagram.data(), datagram.size(), 0) ==
           static_cast<ssize_t>(datagram.size());
  }
  std::optional<std::string> receive(milliseconds timeout) {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::string buf(65536, '\0');
    ssize_t n = ::recv(m_fd, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

 private:
  int m_fd = -1;
};

// ---- the server under test ------------------------------------------------------------

struct zone_arg {
  std::string name;
  std::string file;
};

struct authd_options {
  bool control = true;
  bool metrics = false;
  int threads = 2;
  std::vector<std::string> extra;  // more arguments
  // Listen here instead of a fresh address (a server another one must know in advance).
  std::optional<net::endpoint> at;
  // The zone whose SOA answer means ready (default: the first --zone).
  std::string ready_zone;
};

class authd_server {
 public:
  const net::endpoint& endpoint() const noexcept { return m_endpoint; }
  const std::string& control_path() const noexcept { return m_control; }
  const std::optional<net::endpoint>& metrics() const noexcept { return m_metrics; }
  std::string log() const { return read_file(m_log); }
  child_process& process() { return *m_process; }

  // Starts cidns-authd and waits until it answers a real query for the first
  // zone's SOA (up to 10 s). nullptr (with a test failure) if it does not.
  static std::unique_ptr<authd_server> start(const temp_dir& dir,
                                             const std::vector<zone_arg>& zones,
                                             const authd_options& o = {}) {
    static int serial = 0;
    auto s = std::unique_ptr<authd_server>(new authd_server());
    for (int attempt = 0; attempt < 3; ++attempt) {
      const std::string address = o.at ? o.at->address.to_string() : pick_address();
      s->m_endpoint = o.at ? *o.at : make_endpoint(address, pick_port(address));
      const int n = ++serial;
      s->m_log = dir.file("authd-" + std::to_string(n) + ".log");
      s->m_control = o.control ? dir.file("authd-" + std::to_string(n) + ".sock") : "off";
      std::vector<std::string> argv = {CIDNS_AUTHD_PATH,
                                       "--listen",
                                       s->m_endpoint.to_string(),
                                       "--threads",
                                       std::to_string(o.threads),
                                       "--control",
                                       s->m_control};
      for (const auto& z : zones) {
        argv.push_back("--zone");
        argv.push_back(z.name + "=" + z.file);
      }
      argv.insert(argv.end(), o.extra.begin(), o.extra.end());
      if (o.metrics) {
        s->m_metrics = make_endpoint(address, pick_port(address));
        argv.push_back("--metrics");
        argv.push_back(s->m_metrics->to_string());
      }
      s->m_process = std::make_unique<child_process>(argv, s->m_log);
      if (s->wait_ready(o.ready_zone.empty() ? zones.front().name : o.ready_zone)) return s;
      auto status = s->m_process->poll();
      if (!status) break;  // running but not answering: no retry
      // Exited: another process may have taken the port; try another.
      if (s->log().find("cannot listen") == std::string::npos &&
          s->log().find("metrics") == std::string::npos) {
        break;
      }
    }
    ADD_FAILURE() << "cidns-authd did not become ready; its log:\n" << s->log();
    return nullptr;
  }

 private:
  authd_server() = default;

  bool wait_ready(const std::string& zone) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end) {
      if (!m_process->running()) return false;
      auto r = udp_ask(m_endpoint, make_query(zone, rtype::soa), 200ms);
      if (r && r->rcode == wire::rcode::noerror && !r->answer.empty()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  net::endpoint m_endpoint;
  std::optional<net::endpoint> m_metrics;
  std::string m_control;
  std::string m_log;
  std::unique_ptr<child_process> m_process;
};

inline nlohmann::json control(const authd_server& s, const nlohmann::json& request) {
  auto reply = net::control_request(s.control_path(), request.dump(), 10s);
  EXPECT_TRUE(reply) << "control request failed: " << (reply ? "" : reply.err().message);
  if (!reply) return nlohmann::json::object();
  return nlohmann::json::parse(*reply, nullptr, false);
}

inline const nlohmann::json* zone_status(const nlohmann::json& zones, std::string_view name) {
  for (const auto& z : zones) {
    if (z.value("name", "") == name) return &z;
  }
  return nullptr;
}

// The provx fixture with another serial.
inline std::string provx_with_serial(std::uint32_t serial) {
  std::string text = read_file(fixture_path("provx.zone"));
  const std::string old = std::to_string(first_serial);
  text.replace(text.find(old), old.size(), std::to_string(serial));
  return text;
}

class AuthdIntegration : public ::testing::Test {
 protected:
  // A private copy of a fixture (so it can be rewritten), its path.
  std::string copy_fixture(std::string_view file) {
    const std::string path = m_dir.file(file);
    write_file(path, read_file(fixture_path(file)));
    return path;
  }
  std::unique_ptr<authd_server> start_both(const authd_options& o = {}) {
    return authd_server::start(m_dir,
                               {{std::string(provx), fixture_path("provx.zone")},
                                {std::string(cn_north), fixture_path("cn-north.zone")}},
                               o);
  }

  temp_dir m_dir;  // declared first: removed after the server has stopped
};

}  // namespace cidns::itest
