// stub::send_update against a fake primary: a thread on 127.0.0.1 that accepts one TCP
// connection, reads one framed UPDATE and answers it as told (signed, badly signed,
// unsigned, or not at all); and replace_rrset's message.
#include "cidns/stub/update.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "cidns/hmac/signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"

namespace cidns::stub {
namespace {

using namespace std::chrono_literals;

const hmac::key agent_key{"pool1-agent.", std::string(32, '\x5a')};
const hmac::key other_key{"pool1-agent.", std::string(32, '\x33')};

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

// Reads exactly n bytes within 3 s; false on EOF, error or timeout.
bool read_exact(int fd, char* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 3000) <= 0) return false;
    const ssize_t r = ::read(fd, out + got, n - got);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

void write_framed(int fd, const std::string& body) {
  std::string out;
  out.push_back(static_cast<char>(body.size() >> 8));
  out.push_back(static_cast<char>(body.size() & 0xff));
  out += body;
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t w = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) return;
    sent += static_cast<std::size_t>(w);
  }
}

// Turns the request into the bytes to answer with; nullopt: answer nothing.
using responder = std::function<std::optional<std::string>(const wire::message&)>;

// One connection, one request, one (or no) reply. The destructor joins the thread, which
// waits at most a few seconds for the client.
class fake_primary {
 public:
  explicit fake_primary(responder answer) : m_answer(std::move(answer)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(::listen(m_fd, 1), 0);
    socklen_t len = sizeof sa;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&sa), &len);
    m_endpoint.address = boost::asio::ip::make_address("127.0.0.1");
    m_endpoint.port = ntohs(sa.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~fake_primary() {
    m_thread.join();
    ::close(m_fd);
  }
  fake_primary(const fake_primary&) = delete;
  fake_primary& operator=(const fake_primary&) = delete;

  const net::endpoint& endpoint() const { return m_endpoint; }
  const std::optional<wire::message>& request() const { return m_request; }

 private:
  void serve() {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, 3000) <= 0) return;
    const int c = ::accept(m_fd, nullptr, nullptr);
    if (c < 0) return;
    char len[2];
    if (read_exact(c, len, 2)) {
      std::string body(static_cast<std::uint8_t>(len[0]) << 8 | static_cast<std::uint8_t>(len[1]),
                       '\0');
      if (read_exact(c, body.data(), body.size())) {
        if (auto m = wire::decode(body)) {
          m_request = *m;
          if (auto reply = m_answer(*m)) {
            write_framed(c, *reply);
          } else {
            char sink[64];  // hold the connection until the client gives up
            read_exact(c, sink, sizeof sink);
          }
        }
      }
    }
    ::close(c);
  }

  responder m_answer;
  int m_fd = -1;
  net::endpoint m_endpoint;
  std::optional<wire::message> m_request;
  std::thread m_thread;
};

record::rr soa_of(std::uint32_t serial) {
  record::soa s;
  s.primary = id("ns1.provx.cn-north.");
  s.admin = id("hostmaster.provx.cn-north.");
  s.serial = serial;
  return {id("provx.cn-north."), record::rtype::soa, 3600, s.encode()};
}

// The server's reply to `request`, not yet signed.
wire::message reply_to(const wire::message& request, wire::rcode rc) {
  wire::message r;
  r.id = request.id;
  r.opcode = request.opcode;
  r.flags = wire::flag::qr | wire::flag::aa;
  r.rcode = rc;
  r.question = request.question;
  r.answer.push_back(soa_of(2026112505));
  return r;
}

wire::message state_update() {
  auto state = record::parse_data(
      record::rtype::state, record::tokenize_line("free=2 score=7").value(), id("provx.cn-north."));
  return replace_rrset(id("provx.cn-north."), {id("h100-8x.pool1.provx.cn-north."),
                                               record::rtype::state, 30, state.value()});
}

TEST(send_update, signed_reply_gives_rcode_serial_and_error_text) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::noerror);
    hmac::sign(r, agent_key, unix_now(), req.auth ? req.auth->mac : std::string());
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_EQ(out->rcode, wire::rcode::noerror);
  ASSERT_TRUE(out->serial);
  EXPECT_EQ(*out->serial, 2026112505u);
  EXPECT_TRUE(out->error.empty());
  EXPECT_TRUE(out->authenticated);
  // What travelled: the message, a fresh id, and a valid signature with the key.
  ASSERT_TRUE(server.request());
  const wire::message& req = *server.request();
  EXPECT_EQ(req.opcode, wire::opcode::update);
  EXPECT_EQ(req.changes.size(), 2u);
  hmac::keyring ring;
  ring.add(agent_key);
  EXPECT_EQ(hmac::verify(req, ring, unix_now()).status, hmac::status::ok);
}

TEST(send_update, signed_refusal_is_a_value_with_its_text) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::refused);
    r.error = wire::extended_error{18, "key pool1-agent. may not change DESC"};
    hmac::sign(r, agent_key, unix_now(), req.auth->mac);
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_EQ(out->rcode, wire::rcode::refused);
  EXPECT_EQ(out->error, "key pool1-agent. may not change DESC");
  EXPECT_TRUE(out->authenticated);
}

TEST(send_update, bad_mac_is_an_error) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::noerror);
    hmac::sign(r, other_key, unix_now(), req.auth->mac);  // same name, another secret
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.err().message.find("MAC does not match"), std::string::npos) << out.err().message;
}

TEST(send_update, mac_not_covering_the_request_mac_is_an_error) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::noerror);
    hmac::sign(r, agent_key, unix_now());  // signed as a request: no request MAC
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  EXPECT_FALSE(out);
}

TEST(send_update, unsigned_noerror_is_an_error) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    return wire::encode(reply_to(req, wire::rcode::noerror));
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.err().message.find("not signed"), std::string::npos) << out.err().message;
}

TEST(send_update, unsigned_failure_is_returned_with_its_rcode) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::notauth);
    r.error = wire::extended_error{0, "unknown key pool1-agent."};
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_EQ(out->rcode, wire::rcode::notauth);
  EXPECT_FALSE(out->serial);  // an unsigned SOA is not believed
  EXPECT_FALSE(out->authenticated);
  EXPECT_EQ(out->error, "unknown key pool1-agent. (unsigned reply)");
}

TEST(send_update, reply_with_another_id_is_an_error) {
  fake_primary server([](const wire::message& req) -> std::optional<std::string> {
    auto r = reply_to(req, wire::rcode::noerror);
    r.id = req.id + 1;
    hmac::sign(r, agent_key, unix_now(), req.auth->mac);
    return wire::encode(r);
  });
  auto out = send_update(server.endpoint(), state_update(), agent_key, 3s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.err().message.find("does not answer"), std::string::npos) << out.err().message;
}

TEST(send_update, no_reply_is_a_timeout_error) {
  fake_primary server([](const wire::message&) { return std::optional<std::string>(); });
  const auto start = std::chrono::steady_clock::now();
  auto out = send_update(server.endpoint(), state_update(), agent_key, 300ms);
  EXPECT_FALSE(out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_NE(out.err().message.find("127.0.0.1"), std::string::npos) << out.err().message;
}

TEST(send_update, message_without_question_is_an_error) {
  net::endpoint nowhere{boost::asio::ip::make_address("127.0.0.1"), 9};
  auto out = send_update(nowhere, wire::message{}, agent_key, 300ms);
  EXPECT_FALSE(out);
}

TEST(replace_rrset, deletes_the_rrset_then_adds_the_record) {
  const wire::message m = state_update();
  EXPECT_EQ(m.opcode, wire::opcode::update);
  ASSERT_TRUE(m.question);
  EXPECT_EQ(m.question->name, id("provx.cn-north."));
  EXPECT_EQ(m.question->type, record::rtype::soa);
  EXPECT_TRUE(m.prerequisites.empty());
  EXPECT_FALSE(m.auth);
  ASSERT_EQ(m.changes.size(), 2u);
  EXPECT_EQ(m.changes[0].kind, wire::change_kind::delete_rrset);
  EXPECT_EQ(m.changes[0].record.owner, id("h100-8x.pool1.provx.cn-north."));
  EXPECT_EQ(m.changes[0].record.type, record::rtype::state);
  EXPECT_TRUE(m.changes[0].record.data.empty());
  EXPECT_EQ(m.changes[1].kind, wire::change_kind::add);
  EXPECT_EQ(m.changes[1].record.ttl, 30u);
  EXPECT_EQ(record::format_data(record::rtype::state, m.changes[1].record.data), "free=2 score=7");
}

}  // namespace
}  // namespace cidns::stub
