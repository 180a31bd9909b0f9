// NOTIFY on both sides: notify_service (the secondary's answer: authentication, the zone's own
// key, replays, zones not secondary here) and notify_sender (the primary's: a signed NOTIFY with
// the SOA to a fake secondary on 127.0.0.1, retries when unanswered, a prompt stop()).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "cidns/net/client.hpp"
#include "cidns/record/data.hpp"
#include "notify_sender.hpp"
#include "notify_service.hpp"
#include "transfer_fixture.hpp"
#include "unit/net/test_support.hpp"

namespace cidns::authd {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using net::testing::eventually;

std::uint32_t serial_of(const record::rr& soa) { return record::soa::decode(soa.data)->serial; }

class NotifyService : public ::testing::Test {
 protected:
  NotifyService() {
    m_keys.add(m_zone_key);
    m_keys.add(m_other_key);
    m_service.emplace(m_keys,
                      std::vector<peer_rule>{peer_rule{
                          id(zone_text_name), *net::parse_endpoint("127.0.0.9"), m_zone_key.name}},
                      [this](const name::identifier& z, std::uint32_t serial) {
                        m_calls.emplace_back(z.text(), serial);
                      });
  }
  wire::message notify(std::string_view zone = zone_text_name, bool with_soa = true) const {
    wire::message q;
    q.id = 4242;
    q.opcode = wire::opcode::notify;
    q.question = wire::question{id(zone), record::rtype::soa};
    if (with_soa) q.answer.push_back(soa_of(*compile(zone_text(555))));
    return q;
  }
  wire::message answer(const wire::message& q) {
    std::string reply;
    m_service->handle_notify(q, serve::client_address::v4(127, 0, 0, 1), reply);
    auto r = wire::decode(reply);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->id, q.id);
    EXPECT_EQ(r->opcode, wire::opcode::notify);
    EXPECT_TRUE(r->has_flag(wire::flag::qr));
    EXPECT_EQ(r->question, q.question);
    return *r;
  }

  hmac::key m_zone_key = make_key("zone-key.", 'z');
  hmac::key m_other_key = make_key("other-key.", 'o');
  hmac::keyring m_keys;
  std::vector<std::pair<std::string, std::uint32_t>> m_calls;
  std::optional<notify_service> m_service;
};

TEST_F(NotifyService, UnsignedIsNotAuth) {
  auto r = answer(notify());
  EXPECT_EQ(r.rcode, wire::rcode::notauth);
  EXPECT_FALSE(r.auth);
  EXPECT_TRUE(m_calls.empty());
}

TEST_F(NotifyService, UnknownKeyIsNotAuth) {
  auto q = notify();
  hmac::sign(q, make_key("stranger.", 's'), util::unix_seconds());
  auto r = answer(q);
  EXPECT_EQ(r.rcode, wire::rcode::notauth);
  EXPECT_FALSE(r.auth);
  EXPECT_TRUE(m_calls.empty());
}

TEST_F(NotifyService, BadMacIsBadSig) {
  auto q = notify();
  hmac::sign(q, m_zone_key, util::unix_seconds());
  q.auth->mac[0] ^= 1;
  EXPECT_EQ(answer(q).rcode, wire::rcode::badsig);
  EXPECT_TRUE(m_calls.empty());
}

TEST_F(NotifyService, RightKeyIsAcceptedSignedAndCallsBack) {
  auto q = notify();
  hmac::sign(q, m_zone_key, util::unix_seconds());
  auto r = answer(q);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_TRUE(r.auth);
  hmac::keyring just_zone;
  just_zone.add(m_zone_key);
  EXPECT_EQ(hmac::verify(r, just_zone, util::unix_seconds(), q.auth->mac).status, hmac::status::ok);
  // Chained on the request's MAC: verifying it as a request fails.
  EXPECT_EQ(hmac::verify(r, just_zone, util::unix_seconds()).status, hmac::status::bad_sig);
  ASSERT_EQ(m_calls.size(), 1u);
  EXPECT_EQ(m_calls[0], std::make_pair(zone_text_name, std::uint32_t{555}));
  EXPECT_EQ(m_service->accepted(), 1u);
}

TEST_F(NotifyService, WithoutSoaTheSerialIsZero) {
  auto q = notify(zone_text_name, false);
  hmac::sign(q, m_zone_key, util::unix_seconds());
  EXPECT_EQ(answer(q).rcode, wire::rcode::noerror);
  ASSERT_EQ(m_calls.size(), 1u);
  EXPECT_EQ(m_calls[0].second, 0u);
}

TEST_F(NotifyService, AnotherKnownKeyIsNotAuth) {
  auto q = notify();
  hmac::sign(q, m_other_key, util::unix_seconds());
  auto r = answer(q);
  EXPECT_EQ(r.rcode, wire::rcode::notauth);
  ASSERT_TRUE(r.auth);
  EXPECT_EQ(r.auth->key, m_other_key.name);
  EXPECT_TRUE(m_calls.empty());
  EXPECT_EQ(m_service->refused(), 1u);
}

TEST_F(NotifyService, ZoneNotSecondaryHereIsRefused) {
  auto q = notify("other.test.", false);
  hmac::sign(q, m_zone_key, util::unix_seconds());
  EXPECT_EQ(answer(q).rcode, wire::rcode::refused);
  EXPECT_TRUE(m_calls.empty());
}

TEST_F(NotifyService, ReplayIsRefused) {
  auto q = notify();
  hmac::sign(q, m_zone_key, util::unix_seconds());
  EXPECT_EQ(answer(q).rcode, wire::rcode::noerror);
  EXPECT_EQ(answer(q).rcode, wire::rcode::refused);
  EXPECT_EQ(m_calls.size(), 1u);
}

TEST_F(NotifyService, StaleTimeIsBadTime) {
  auto q = notify();
  hmac::sign(q, m_zone_key, util::unix_seconds() - 3600);
  EXPECT_EQ(answer(q).rcode, wire::rcode::badtime);
  EXPECT_TRUE(m_calls.empty());
}

// A secondary on 127.0.0.1 (UDP) that records NOTIFYs and answers them through a real
// notify_service, or stays silent.
class fake_secondary : public net::query_handler {
 public:
  fake_secondary(const hmac::keyring& keys, std::vector<peer_rule> zones)
      : m_service(keys, std::move(zones), [](const name::identifier&, std::uint32_t) {}) {}
  void handle(std::span<const std::uint8_t> query, const net::peer_info& from,
              std::string& reply) override {
    auto q =
        wire::decode(std::string_view(reinterpret_cast<const char*>(query.data()), query.size()));
    if (!q) return;
    {
      std::lock_guard lock(m_mutex);
      m_seen.push_back(*q);
    }
    if (m_silent) return;
    m_service.handle_notify(*q, serve::client_address::from(from.address), reply);
  }
  std::vector<wire::message> seen() const {
    std::lock_guard lock(m_mutex);
    return m_seen;
  }
  std::atomic<bool> m_silent{false};

 private:
  notify_service m_service;
  mutable std::mutex m_mutex;
  std::vector<wire::message> m_seen;
};

class NotifySender : public ::testing::Test {
 protected:
  NotifySender()
      : m_secondary(keys(), {peer_rule{id(zone_text_name), {}, m_key.name}}),
        m_server(primary_on_loopback::options(), m_secondary) {
    m_server.start();
  }
  ~NotifySender() override { m_server.stop(); }
  const hmac::keyring& keys() {
    if (m_keys.size() == 0) m_keys.add(m_key);
    return m_keys;
  }
  std::vector<peer_rule> targets() const {
    return {peer_rule{id(zone_text_name), m_server.local_endpoints().front(), m_key.name},
            peer_rule{id("elsewhere.test."), m_server.local_endpoints().front(), m_key.name}};
  }

  hmac::key m_key = make_key("notify-key.", 'n');
  hmac::keyring m_keys;
  fake_secondary m_secondary;
  net::server m_server;
};

TEST_F(NotifySender, SendsASignedNotifyWithTheSoaAndRecordsTheAck) {
  notify_sender sender(m_keys, targets());
  sender.start();
  const auto soa = soa_of(*compile(zone_text(777)));
  sender.zone_changed(id(zone_text_name), soa);
  ASSERT_TRUE(eventually([&] { return sender.status()[0]["acked_serial"] == 777; }, 3s))
      << sender.status().dump();
  auto seen = m_secondary.seen();
  ASSERT_EQ(seen.size(), 1u);  // acknowledged at once: no retry; the other zone not notified
  const auto& q = seen[0];
  EXPECT_EQ(q.opcode, wire::opcode::notify);
  EXPECT_FALSE(q.has_flag(wire::flag::qr));
  ASSERT_TRUE(q.question);
  EXPECT_EQ(q.question->name, id(zone_text_name));
  EXPECT_EQ(q.question->type, record::rtype::soa);
  ASSERT_EQ(q.answer.size(), 1u);
  EXPECT_EQ(q.answer[0], soa);
  EXPECT_EQ(hmac::verify(q, m_keys, util::unix_seconds()).status, hmac::status::ok);
  const auto st = sender.status();
  EXPECT_EQ(st[0]["failures"], 0);
  EXPECT_TRUE(st[0]["pending_serial"].is_null());
  EXPECT_TRUE(st[1]["acked_serial"].is_null());
  sender.stop();
}

TEST_F(NotifySender, RetriesWhenUnansweredAndStopsPromptly) {
  m_secondary.m_silent = true;
  notify_sender sender(m_keys, targets());
  sender.start();
  sender.zone_changed(id(zone_text_name), soa_of(*compile(zone_text(778))));
  EXPECT_TRUE(eventually([&] { return m_secondary.seen().size() >= 2; }, 3500ms))
      << m_secondary.seen().size();
  EXPECT_TRUE(sender.status()[0]["acked_serial"].is_null());
  EXPECT_EQ(sender.status()[0]["pending_serial"], 778);
  const auto t0 = std::chrono::steady_clock::now();
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms);
}

TEST_F(NotifySender, NewerSerialReplacesThePendingOne) {
  m_secondary.m_silent = true;
  notify_timing fast{200ms, 100ms, 5};
  notify_sender sender(m_keys, targets(), fast);
  sender.start();
  sender.zone_changed(id(zone_text_name), soa_of(*compile(zone_text(800))));
  ASSERT_TRUE(eventually([&] { return m_secondary.seen().size() >= 1; }, 2s));
  m_secondary.m_silent = false;
  sender.zone_changed(id(zone_text_name), soa_of(*compile(zone_text(801))));
  ASSERT_TRUE(eventually([&] { return sender.status()[0]["acked_serial"] == 801; }, 3s))
      << sender.status().dump();
  EXPECT_TRUE(sender.status()[0]["pending_serial"].is_null());
  // An older serial queued after a newer one is pending does not replace it.
  for (const auto& q : m_secondary.seen()) {
    EXPECT_TRUE(serial_of(q.answer.at(0)) == 800 || serial_of(q.answer.at(0)) == 801);
  }
}

TEST_F(NotifySender, GivesUpAfterTheLastTry) {
  m_secondary.m_silent = true;
  notify_timing fast{100ms, 50ms, 3};
  notify_sender sender(m_keys, targets(), fast);
  sender.start();
  sender.zone_changed(id(zone_text_name), soa_of(*compile(zone_text(900))));
  ASSERT_TRUE(eventually([&] { return sender.status()[0]["failures"] == 1; }, 3s))
      << sender.status().dump();
  EXPECT_EQ(m_secondary.seen().size(), 3u);
  EXPECT_TRUE(sender.status()[0]["pending_serial"].is_null());
}

TEST_F(NotifySender, StopWhileIdleIsPrompt) {
  notify_sender sender(m_keys, targets());
  sender.start();
  const auto t0 = std::chrono::steady_clock::now();
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
}

}  // namespace
}  // namespace cidns::authd
