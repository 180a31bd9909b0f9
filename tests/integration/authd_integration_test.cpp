// cidns-authd as a real process on loopback, driven over UDP, TCP, its control
// socket and its metrics endpoint, and through cidns-lookup and cidns-admin.
// Every server gets its own 127.0.0.x address and a port found free by binding
// port 0; every wait is bounded; every process is stopped and reaped.
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
namespace {

using namespace std::chrono_literals;
using record::rtype;
using std::chrono::milliseconds;

constexpr std::string_view provx = "provx.cn-north.";
constexpr std::string_view cn_north = "cn-north.";
constexpr std::string_view h100 = "h100-8x.pool1.provx.cn-north.";
constexpr std::uint32_t first_serial = 2026120101;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string fixture_path(std::string_view file) {
  return std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/" + std::string(file);
}

// ---- addresses -----------------------------------------------------------------

// 127.0.0.x, x in 10..250, different for each server of this process and
// likely different from those of a concurrent run.
std::string pick_address() {
  static std::atomic<unsigned> counter{0};
  const unsigned n = counter++;
  const unsigned x = 10 + (static_cast<unsigned>(::getpid()) * 7U + n * 37U) % 241U;
  return "127.0.0." + std::to_string(x);
}

int bound_socket(const std::string& address, int type, std::uint16_t port) {
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
std::uint16_t pick_port(const std::string& address) {
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

net::endpoint make_endpoint(const std::string& address, std::uint16_t port) {
  return net::parse_endpoint(address + ":" + std::to_string(port)).value();
}

// ---- queries ---------------------------------------------------------------------

std::uint32_t next_id() {
  static std::atomic<std::uint32_t> id{0x5eed0000U ^ static_cast<std::uint32_t>(::getpid())};
  return id++;
}

wire::message make_query(std::string_view name, rtype type, std::uint32_t flags = 0) {
  wire::message q;
  q.id = next_id();
  q.flags = flags;
  q.question = wire::question{name::identifier::parse(name).value(), type};
  return q;
}

// One UDP exchange (with `attempts` tries); the decoded reply if it matches the query id.
std::optional<wire::message> udp_ask(const net::endpoint& server, const wire::message& q,
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

std::optional<wire::message> tcp_ask(const net::endpoint& server, const wire::message& q,
                                     milliseconds timeout = 2000ms) {
  auto raw = net::tcp_exchange(server, bytes(wire::encode(q)), timeout);
  if (!raw) return std::nullopt;
  auto reply = wire::decode(*raw);
  if (!reply || reply->id != q.id) return std::nullopt;
  return std::move(*reply);
}

std::uint32_t soa_serial(const wire::message& reply) {
  for (const auto& r : reply.answer) {
    if (r.type != rtype::soa) continue;
    if (auto s = record::soa::decode(r.data)) return s->serial;
  }
  return 0;
}

std::size_t count(const std::vector<record::rr>& section, rtype t) {
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
      const std::string address = pick_address();
      s->m_endpoint = make_endpoint(address, pick_port(address));
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
      if (s->wait_ready(zones.front().name)) return s;
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

nlohmann::json control(const authd_server& s, const nlohmann::json& request) {
  auto reply = net::control_request(s.control_path(), request.dump(), 10s);
  EXPECT_TRUE(reply) << "control request failed: " << (reply ? "" : reply.err().message);
  if (!reply) return nlohmann::json::object();
  return nlohmann::json::parse(*reply, nullptr, false);
}

const nlohmann::json* zone_status(const nlohmann::json& zones, std::string_view name) {
  for (const auto& z : zones) {
    if (z.value("name", "") == name) return &z;
  }
  return nullptr;
}

// The provx fixture with another serial.
std::string provx_with_serial(std::uint32_t serial) {
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

// ---- answers over the wire ------------------------------------------------------------------

TEST_F(AuthdIntegration, AnswerKindsOverUdp) {
  auto s = start_both();
  ASSERT_TRUE(s);
  const auto& ep = s->endpoint();

  auto r = udp_ask(ep, make_query(h100, rtype::resource, wire::flag::rd));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::noerror);
  EXPECT_EQ(r->flags, wire::flag::qr | wire::flag::aa | wire::flag::rd);
  EXPECT_EQ(r->answer.size(), 3U);

  r = udp_ask(ep, make_query("gpu.cn-north.", rtype::resource));  // CNAME chain across zones
  ASSERT_TRUE(r);
  EXPECT_EQ(count(r->answer, rtype::cname), 2U);
  EXPECT_EQ(count(r->answer, rtype::desc), 1U);

  r = udp_ask(ep, make_query("x.spot.provx.cn-north.", rtype::desc));  // wildcard
  ASSERT_TRUE(r);
  ASSERT_EQ(r->answer.size(), 1U);
  EXPECT_EQ(r->answer[0].owner.text(), "x.spot.provx.cn-north.");

  r = udp_ask(ep, make_query("node.hpc.cn-north.", rtype::resource));  // referral
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_flag(wire::flag::aa));
  EXPECT_TRUE(r->answer.empty());
  EXPECT_EQ(count(r->authority, rtype::ns), 2U);
  EXPECT_EQ(count(r->additional, rtype::addr), 2U);

  r = udp_ask(ep, make_query(h100, rtype::key));  // NODATA
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::noerror);
  ASSERT_EQ(r->authority.size(), 1U);
  EXPECT_EQ(r->authority[0].type, rtype::soa);
  EXPECT_EQ(r->authority[0].ttl, 300U);

  r = udp_ask(ep, make_query("nothing.provx.cn-north.", rtype::resource));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::nxdomain);
  EXPECT_EQ(count(r->authority, rtype::soa), 1U);

  r = udp_ask(ep, make_query("foo.fin.", rtype::resource));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::refused);

  wire::message discover = make_query(provx, rtype::resource);
  discover.opcode = wire::opcode::discover;
  r = udp_ask(ep, discover);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::notimp);

  // A large RRset: cut with TC over UDP, whole over TCP.
  wire::message big = make_query("big.provx.cn-north.", rtype::txt);
  r = udp_ask(ep, big);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_flag(wire::flag::tc));
  EXPECT_LT(r->answer.size(), 40U);
  r = tcp_ask(ep, big);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_flag(wire::flag::tc));
  EXPECT_EQ(r->answer.size(), 40U);
}

TEST_F(AuthdIntegration, TcpCarriesPipelinedQueriesOnOneConnection) {
  auto s = start_both();
  ASSERT_TRUE(s);
  auto conn = net::tcp_client::connect(s->endpoint(), 2s);
  ASSERT_TRUE(conn) << conn.err().message;

  // Ten framed queries written with one send: replies may come in any order.
  const std::vector<std::pair<std::string, rtype>> asked = {
      {std::string(h100), rtype::resource},
      {"best.provx.cn-north.", rtype::resource},
      {"nothing.provx.cn-north.", rtype::txt},
      {"node.hpc.cn-north.", rtype::txt},
      {"foo.fin.", rtype::txt},
      {"big.provx.cn-north.", rtype::txt},
      {std::string(provx), rtype::soa},
      {std::string(cn_north), rtype::soa},
      {"x.spot.provx.cn-north.", rtype::desc},
      {"info.cn-north.", rtype::txt}};
  std::map<std::uint32_t, wire::message> queries;
  std::string stream;
  for (const auto& [name, type] : asked) {
    wire::message q = make_query(name, type);
    const std::string body = wire::encode(q);
    stream.push_back(static_cast<char>(body.size() >> 8));
    stream.push_back(static_cast<char>(body.size() & 0xff));
    stream += body;
    queries.emplace(q.id, q);
  }
  ASSERT_TRUE(conn->send_raw(bytes(stream), 2s));
  std::set<std::uint32_t> answered;
  for (std::size_t i = 0; i < asked.size(); ++i) {
    auto raw = conn->receive(5s);
    ASSERT_TRUE(raw) << raw.err().message;
    auto reply = wire::decode(*raw);
    ASSERT_TRUE(reply) << reply.err().message;
    auto it = queries.find(reply->id);
    ASSERT_NE(it, queries.end()) << "reply with an unknown id";
    EXPECT_EQ(reply->question, it->second.question);
    EXPECT_FALSE(reply->has_flag(wire::flag::tc));
    EXPECT_TRUE(answered.insert(reply->id).second) << "two replies to one query";
    if (reply->question->name.text() == "big.provx.cn-north.") {
      EXPECT_EQ(reply->answer.size(), 40U);
    }
    if (reply->question->name.text() == "foo.fin.") {
      EXPECT_EQ(reply->rcode, wire::rcode::refused);
    }
  }

  // A frame split over several writes, the length prefix itself cut in two.
  wire::message q = make_query(h100, rtype::resource);
  const std::string body = wire::encode(q);
  std::string framed{static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)};
  framed += body;
  const std::vector<std::size_t> cuts = {0, 1, 2, framed.size() / 2, framed.size()};
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    ASSERT_TRUE(
        conn->send_raw(bytes(std::string_view(framed).substr(cuts[i], cuts[i + 1] - cuts[i])), 1s));
    std::this_thread::sleep_for(20ms);
  }
  auto raw = conn->receive(5s);
  ASSERT_TRUE(raw) << raw.err().message;
  auto reply = wire::decode(*raw);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->id, q.id);
  EXPECT_EQ(reply->answer.size(), 3U);
}

TEST_F(AuthdIntegration, SeveralZonesInOneProcess) {
  const std::string fin = m_dir.file("fin.zone");
  write_file(fin,
             "$ORIGIN fin.\n$TTL 1h\n@ SOA ns1 hostmaster 77 1h 10m 14d 5m\n@ NS ns1\n"
             "ns1 ADDR 127.0.0.5\nquant DESC kind=cpu vcpu=32\n");
  auto s = authd_server::start(m_dir, {{std::string(provx), fixture_path("provx.zone")},
                                       {"fin", fin},
                                       {std::string(cn_north), fixture_path("cn-north.zone")}});
  ASSERT_TRUE(s);
  for (auto [zone, serial] : {std::pair<std::string_view, std::uint32_t>{provx, first_serial},
                              {cn_north, first_serial},
                              {"fin.", 77U}}) {
    SCOPED_TRACE(zone);
    auto r = udp_ask(s->endpoint(), make_query(zone, rtype::soa));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->has_flag(wire::flag::aa));
    EXPECT_EQ(soa_serial(*r), serial);
  }
  auto r = udp_ask(s->endpoint(), make_query("quant.fin.", rtype::desc));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer.size(), 1U);

  auto zones = control(*s, {{"cmd", "zones"}});
  ASSERT_TRUE(zones.value("ok", false)) << zones.dump();
  ASSERT_EQ(zones["zones"].size(), 3U);
  for (const auto& z : zones["zones"]) EXPECT_TRUE(z.value("loaded", false)) << z.dump();

  // The same through cidns-admin.
  auto admin = run_command(
      {CIDNS_ADMIN_PATH, "server", "zones", "--socket", s->control_path(), "--json"}, m_dir);
  EXPECT_EQ(admin.exit_code, 0) << admin.output;
  EXPECT_NE(admin.output.find("fin."), std::string::npos) << admin.output;
}

// ---- cidns-lookup ----------------------------------------------------------------------------

TEST_F(AuthdIntegration, LookupExitCodes) {
  auto s = start_both();
  ASSERT_TRUE(s);
  const std::string server = s->endpoint().to_string();
  auto lookup = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {CIDNS_LOOKUP_PATH, "--server", server, "--norec"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, m_dir);
  };

  auto r = lookup({std::string(h100)});  // RESOURCE by default
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("DESC"), std::string::npos) << r.output;

  r = lookup({"nothing.provx.cn-north."});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // NXDOMAIN
  r = lookup({std::string(h100), "KEY"});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // NODATA

  r = lookup({"foo.fin."});
  EXPECT_EQ(r.exit_code, 2) << r.output;  // REFUSED
  r = lookup({"bad@name"});
  EXPECT_EQ(r.exit_code, 2) << r.output;  // bad input
  r = lookup({std::string(h100), "NOSUCHTYPE"});
  EXPECT_EQ(r.exit_code, 2) << r.output;

  r = lookup({"node.hpc.cn-north."});
  EXPECT_EQ(r.exit_code, 3) << r.output;  // referral

  // Truncated over UDP: cidns-lookup says so and retries over TCP.
  r = lookup({"big.provx.cn-north.", "TXT"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("retried over TCP"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(tcp)"), std::string::npos) << r.output;

  r = lookup({"big.provx.cn-north.", "TXT", "--tcp", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  EXPECT_EQ(j.value("transport", ""), "tcp");

  // Nobody listening: a timeout (or refusal) is a failure.
  const std::string address = pick_address();
  const std::string silent = make_endpoint(address, pick_port(address)).to_string();
  r = run_command({CIDNS_LOOKUP_PATH, "--server", silent, "--timeout", "300", "--attempts", "1",
                   std::string(h100)},
                  m_dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

// ---- reloads -------------------------------------------------------------------------------

TEST_F(AuthdIntegration, ReloadUnderLoadLosesNoQuery) {
  const std::string file = copy_fixture("provx.zone");
  auto s = authd_server::start(m_dir, {{std::string(provx), file}});
  ASSERT_TRUE(s);
  const net::endpoint ep = s->endpoint();

  std::atomic<bool> reloads_done{false};
  std::atomic<std::uint32_t> newest_seen{0};
  std::atomic<std::size_t> sent{0};
  std::vector<std::string> failures;  // written by the load thread only, read after join
  std::thread load([&] {
    constexpr std::size_t min_queries = 2000;
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    // After the last reload, keep asking a little longer so that the newest
    // serial is seen through this thread's own SOA queries too.
    std::size_t after_done = 0;
    for (std::size_t i = 0;; ++i) {
      if (reloads_done && i >= min_queries && after_done++ >= 10) break;
      if (std::chrono::steady_clock::now() > give_up) {
        failures.push_back("load did not finish in time");
        break;
      }
      const bool soa = i % 2 == 0;
      wire::message q = soa ? make_query(provx, rtype::soa) : make_query(h100, rtype::resource);
      auto r = udp_ask(ep, q, 500ms, 2);  // short timeout, one retry
      ++sent;
      if (!r) {
        failures.push_back("no reply to query " + std::to_string(i));
      } else if (r->rcode != wire::rcode::noerror || r->answer.empty()) {
        failures.push_back("query " + std::to_string(i) + ": " + wire::rcode_name(r->rcode));
      } else if (soa) {
        const std::uint32_t serial = soa_serial(*r);
        if (serial < newest_seen) failures.push_back("serial went back");
        if (serial > newest_seen) newest_seen = serial;
      }
      if (failures.size() > 20) break;
    }
  });

  std::uint32_t serial = first_serial;
  for (int round = 1; round <= 6; ++round) {
    SCOPED_TRACE(round);
    std::this_thread::sleep_for(50ms);  // let queries run against each version
    ++serial;
    write_file(file, provx_with_serial(serial));
    if (round % 2 == 1) {
      s->process().signal(SIGHUP);
      const auto end = std::chrono::steady_clock::now() + 10s;
      while (newest_seen < serial && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(5ms);
      }
      EXPECT_EQ(newest_seen.load(), serial) << "SIGHUP reload not seen";
    } else {
      // (no ASSERT here: the load thread must be joined before the test ends)
      auto reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
      EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
      const auto* z = zone_status(reply["zones"], provx);
      EXPECT_TRUE(z != nullptr && z->value("serial", 0U) == serial) << reply.dump();
      auto r = udp_ask(ep, make_query(provx, rtype::soa));
      EXPECT_TRUE(r && soa_serial(*r) == serial) << "control reload not in service at once";
    }
  }
  reloads_done = true;
  load.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_GE(sent.load(), 2000U);
  EXPECT_EQ(newest_seen.load(), serial);

  auto zones = control(*s, {{"cmd", "zones"}});
  const auto* z = zone_status(zones["zones"], provx);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->value("loads", 0U), 7U);  // the first load and six reloads
  EXPECT_EQ(z->value("failures", 1U), 0U);
}

TEST_F(AuthdIntegration, BrokenReloadKeepsTheOldZone) {
  const std::string file = copy_fixture("provx.zone");
  auto s = authd_server::start(m_dir, {{std::string(provx), file}});
  ASSERT_TRUE(s);

  // A good file with one bad line appended.
  std::string broken = read_file(file);
  const auto bad_line = std::count(broken.begin(), broken.end(), '\n') + 1;
  broken += "broken  DESC  kind=warp-drive\n";
  write_file(file, broken);

  // cidns-admin sees the same error the server will.
  auto check =
      run_command({CIDNS_ADMIN_PATH, "zone", "check", file, "--origin", "provx.cn-north"}, m_dir);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find(file + ":" + std::to_string(bad_line) + ":"), std::string::npos)
      << check.output;

  auto reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  auto zones = control(*s, {{"cmd", "zones"}});
  const auto* z = zone_status(zones["zones"], provx);
  ASSERT_NE(z, nullptr) << zones.dump();
  EXPECT_EQ(z->value("failures", 0U), 1U);
  EXPECT_FALSE(z->value("last_error", "").empty());
  EXPECT_EQ(z->value("serial", 0U), first_serial);
  EXPECT_TRUE(z->value("loaded", false));

  // The old version is still served.
  auto r = udp_ask(s->endpoint(), make_query(h100, rtype::resource));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer.size(), 3U);
  r = udp_ask(s->endpoint(), make_query("broken.provx.cn-north.", rtype::desc));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::nxdomain);

  // The log names the place: FILE:LINE:COL:
  const std::string log = s->log();
  const std::string place = file + ":" + std::to_string(bad_line) + ":";
  const auto at = log.find(place);
  ASSERT_NE(at, std::string::npos) << "no " << place << " in the log:\n" << log;
  EXPECT_TRUE(std::regex_search(log.substr(at + place.size(), 8), std::regex("^[0-9]+: ")))
      << log.substr(at, 120);

  // Fixed again: loads, and the error is cleared.
  write_file(file, provx_with_serial(first_serial + 1));
  reply = control(*s, {{"cmd", "reload"}, {"zone", std::string(provx)}, {"wait", true}});
  z = zone_status(reply["zones"], provx);
  ASSERT_NE(z, nullptr) << reply.dump();
  EXPECT_EQ(z->value("serial", 0U), first_serial + 1);
  EXPECT_EQ(z->value("failures", 0U), 1U);
  EXPECT_EQ(z->value("last_error", "?"), "");
}

// ---- hostile input ---------------------------------------------------------------------------

// A query with 2,000 records in its answer section (the limit is 1,024).
std::string two_thousand_records(std::uint32_t id) {
  using namespace authd::test;
  raw m;
  m.fixed32(f_id, id).bytes(f_question, raw_question("x.provx.cn-north.", 6));
  const std::string rec = raw().bytes(f_name, "a.").varint(f_type, 5).varint(f_ttl, 60).str();
  for (int i = 0; i < 2000; ++i) m.bytes(f_answer, rec);
  return m.str();
}

// Messages that are not valid queries. Those that carry a readable id use `id`.
std::vector<std::string> malformed_corpus(const std::string& good, std::uint32_t id) {
  using namespace authd::test;
  std::vector<std::string> out;
  for (std::size_t n = 1; n < good.size(); ++n) out.push_back(good.substr(0, n));  // truncations
  // Wrong wire types for known fields.
  out.push_back(raw().varint(f_id, id).str());
  out.push_back(raw().fixed32(f_id, id).bytes(f_opcode, "x").str());
  out.push_back(raw().fixed32(f_id, id).fixed32(f_flags, 1).str());
  out.push_back(raw().fixed32(f_id, id).varint(f_question, 1).str());
  out.push_back(raw().fixed32(f_id, id).bytes(f_question, raw().varint(f_name, 3).str()).str());
  out.push_back(raw().fixed32(f_id, id).bytes(f_question, raw().bytes(f_type, "a").str()).str());
  out.push_back(raw().fixed32(f_id, id).varint(f_answer, 1).str());
  out.push_back(two_thousand_records(id));
  // Names: invalid ones, and upper case (valid: folded).
  const std::vector<std::string> names = {"bad@name.provx.cn-north.",
                                          std::string(300, 'a'),
                                          std::string(64, 'b') + ".provx.cn-north.",
                                          "a..b.",
                                          "..",
                                          "",
                                          "\xff\xfe.provx.",
                                          "sp ace.provx.cn-north.",
                                          "x.*.provx.cn-north.",
                                          "H100-8X.POOL1.PROVX.CN-NORTH."};
  for (const auto& name : names) out.push_back(raw_query(id, name, 6));
  // Huge length prefixes.
  out.push_back(raw().fixed32(f_id, id).bytes_claiming(f_question, 0xffffffffffULL, "x").str());
  out.push_back(raw().fixed32(f_id, id).bytes_claiming(f_answer, 1ULL << 62, "").str());
  out.push_back(raw().fixed32(f_id, id).bytes_claiming(12, 65000, "abc").str());
  // Random bytes and random mutations of the good query, from a fixed seed.
  std::mt19937 rng(20261201);
  for (int i = 0; i < 200; ++i) {
    std::string b(rng() % 300, '\0');
    for (auto& c : b) c = static_cast<char>(rng() & 0xff);
    out.push_back(std::move(b));
  }
  for (int i = 0; i < 200; ++i) {
    std::string b = good;
    for (unsigned k = 0, flips = 1 + rng() % 3; k < flips; ++k) {
      b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
    }
    out.push_back(std::move(b));
  }
  return out;
}

// Every reply to hostile input must at least be a well-formed reply.
void expect_sane_reply(const std::string& raw) {
  auto r = wire::decode(raw);
  ASSERT_TRUE(r) << "undecodable reply: " << r.err().message;
  EXPECT_TRUE(r->has_flag(wire::flag::qr));
}

TEST_F(AuthdIntegration, MalformedPacketsNeverHurtTheServer) {
  auto s = start_both();
  ASSERT_TRUE(s);
  const auto& ep = s->endpoint();
  constexpr std::uint32_t bad_id = 0xbadc0de;
  wire::message good = make_query(h100, rtype::resource);
  const std::string good_bytes = wire::encode(good);
  const auto corpus = malformed_corpus(good_bytes, bad_id);

  // Targeted: FORMERR with the id, or silence for garbage.
  using namespace authd::test;
  for (const std::string& q :
       {raw_query(bad_id, "bad@name.", 6), raw_query(bad_id, std::string(300, 'a'), 6),
        two_thousand_records(bad_id), raw().fixed32(f_id, bad_id).varint(f_question, 1).str(),
        raw_query(bad_id, "\xff.", 6),
        // the good query with the bad id, cut short
        raw().fixed32(f_id, bad_id).append(good_bytes.substr(5, good_bytes.size() - 7)).str()}) {
    auto raw_reply = net::udp_exchange(ep, bytes(q), 2s);
    ASSERT_TRUE(raw_reply) << raw_reply.err().message;
    auto r = wire::decode(*raw_reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, bad_id);
    EXPECT_EQ(r->rcode, wire::rcode::formerr);
    EXPECT_TRUE(r->has_flag(wire::flag::qr));
  }
  EXPECT_FALSE(net::udp_exchange(ep, bytes("\xff\xff\xff\xff\xff"), 300ms)) << "garbage answered";

  // Bulk over UDP: everything (reading replies as they come, so that none is
  // lost to a full receive buffer), then a good query until it is answered.
  const wire::message last = make_query(h100, rtype::resource);
  const std::string last_bytes = wire::encode(last);
  auto is_last_reply = [&last](const std::string& raw_reply) {
    auto r = wire::decode(raw_reply);
    return r && r->id == last.id && r->rcode == wire::rcode::noerror && r->answer.size() == 3;
  };
  {
    udp_socket sock(ep);
    for (const auto& q : corpus) {
      sock.send(q);
      while (auto raw_reply = sock.receive(0ms)) expect_sane_reply(*raw_reply);
    }
    bool answered = false;
    for (int attempt = 0; attempt < 3 && !answered; ++attempt) {
      ASSERT_TRUE(sock.send(last_bytes));
      while (!answered) {
        auto raw_reply = sock.receive(2s);
        if (!raw_reply) break;
        expect_sane_reply(*raw_reply);
        answered = is_last_reply(*raw_reply);
      }
    }
    EXPECT_TRUE(answered) << "the good query after the corpus got no reply over UDP";
  }

  // Bulk over TCP: every message framed on one connection, then a good query.
  {
    auto conn = net::tcp_client::connect(ep, 2s);
    ASSERT_TRUE(conn) << conn.err().message;
    std::string stream;
    for (const auto& q : corpus) {
      if (q.empty()) continue;  // a zero length closes the connection (tested below)
      stream.push_back(static_cast<char>(q.size() >> 8));
      stream.push_back(static_cast<char>(q.size() & 0xff));
      stream += q;
    }
    stream.push_back(static_cast<char>(last_bytes.size() >> 8));
    stream.push_back(static_cast<char>(last_bytes.size() & 0xff));
    stream += last_bytes;
    // Written from another thread so that neither side can block the other.
    std::thread writer([&] { EXPECT_TRUE(conn->send_raw(bytes(stream), 10s)); });
    bool good_answered = false;
    while (!good_answered) {
      auto raw_reply = conn->receive(10s);
      if (!raw_reply) break;
      expect_sane_reply(*raw_reply);
      good_answered = is_last_reply(*raw_reply);
    }
    writer.join();
    EXPECT_TRUE(good_answered) << "the good query after the corpus got no reply over TCP";
  }

  // TCP framing abuse: a zero length closes; a huge prefix with a short body,
  // then a half-close; a frame that never completes stays pending while
  // other connections are served.
  {
    auto zero = net::tcp_client::connect(ep, 2s);
    ASSERT_TRUE(zero);
    ASSERT_TRUE(zero->send_raw(bytes(std::string("\0\0", 2)), 1s));
    EXPECT_FALSE(zero->receive(5s)) << "a zero-length frame was answered";

    auto huge = net::tcp_client::connect(ep, 2s);
    ASSERT_TRUE(huge);
    ASSERT_TRUE(huge->send_raw(bytes("\xff\xff" + good_bytes), 1s));
    ::shutdown(huge->native_handle(), SHUT_WR);
    EXPECT_FALSE(huge->receive(5s));

    auto pending = net::tcp_client::connect(ep, 2s);
    ASSERT_TRUE(pending);
    ASSERT_TRUE(pending->send_raw(bytes(std::string("\x10\x00", 2) + good_bytes), 1s));
    auto r = tcp_ask(ep, make_query(h100, rtype::resource));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->answer.size(), 3U);
  }

  // Still alive and well.
  auto r = udp_ask(ep, make_query(h100, rtype::resource));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer.size(), 3U);
  EXPECT_TRUE(s->process().running());
  EXPECT_EQ(s->log().find("Sanitizer"), std::string::npos) << s->log();
  EXPECT_EQ(s->log().find("runtime error"), std::string::npos) << s->log();
}

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

TEST_F(AuthdIntegration, RateLimitSlipsAndDropsButCookieClientsGetThrough) {
  authd_options o;
  o.extra = {"--rrl-rate", "5", "--rrl-slip", "2"};
  auto s = start_both(o);
  ASSERT_TRUE(s);
  const auto& ep = s->endpoint();
  // A server cookie from an earlier reply (any time within the hour is fine).
  wire::message first = make_query(h100, rtype::txt);
  first.cookie = std::string("\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  auto r = tcp_ask(ep, first);  // TCP: never limited
  ASSERT_TRUE(r);
  ASSERT_EQ(r->cookie.size(), 24U);
  EXPECT_EQ(r->cookie.substr(0, 8), first.cookie);

  // A burst of 100 queries without cookie from one client, and in the middle
  // of it one with the server cookie.
  udp_socket sock(ep);
  std::set<std::uint32_t> plain_ids;
  wire::message with_cookie = make_query(h100, rtype::txt);
  with_cookie.cookie = r->cookie;
  for (int i = 0; i < 100; ++i) {
    wire::message q = make_query(h100, rtype::txt);
    plain_ids.insert(q.id);
    ASSERT_TRUE(sock.send(wire::encode(q)));
    if (i == 50) {
      ASSERT_TRUE(sock.send(wire::encode(with_cookie)));
    }
  }
  int full = 0, tc_only = 0;
  bool cookie_answered = false;
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < end) {
    auto raw = sock.receive(500ms);
    if (!raw) break;  // quiet for half a second: the rest was dropped
    auto m = wire::decode(*raw);
    ASSERT_TRUE(m);
    if (m->id == with_cookie.id) {
      cookie_answered = true;
      EXPECT_FALSE(m->has_flag(wire::flag::tc));
      EXPECT_EQ(m->answer.size(), 1U);
      EXPECT_EQ(m->cookie.substr(0, 8), first.cookie);
      continue;
    }
    ASSERT_TRUE(plain_ids.count(m->id));
    if (m->has_flag(wire::flag::tc)) {
      ++tc_only;
      EXPECT_TRUE(m->answer.empty() && m->authority.empty() && m->additional.empty());
    } else {
      ++full;
      EXPECT_EQ(m->answer.size(), 1U);
    }
  }
  EXPECT_TRUE(cookie_answered) << "the cookie-verified query was limited";
  EXPECT_GE(full, 1);
  EXPECT_LE(full, 30) << "rate limiting let most of the burst through";
  EXPECT_GE(tc_only, 10);
  EXPECT_LT(full + tc_only, 100) << "nothing was dropped";

  auto stats = control(*s, {{"cmd", "stats"}})["stats"];
  EXPECT_GE(stats["rrl"]["slipped"].get<std::uint64_t>(), static_cast<std::uint64_t>(tc_only));
  EXPECT_GE(stats["rrl"]["dropped"].get<std::uint64_t>(), 1U);
  EXPECT_EQ(stats["cookies"]["new"].get<std::uint64_t>(), 1U);
  EXPECT_EQ(stats["cookies"]["valid"].get<std::uint64_t>(), 1U);
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
