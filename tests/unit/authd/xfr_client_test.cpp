// fetch_transfer against a fake primary on 127.0.0.1: full, incremental and "up to date" round
// trips; a stream is refused when a message's MAC is tampered with, when a message is signed
// with another key, when the primary answers an error rcode, or says nothing.
#include <gtest/gtest.h>

#include "cidns/record/data.hpp"
#include "transfer_fixture.hpp"
#include "xfr_client.hpp"

namespace cidns::authd {
namespace {

using namespace std::chrono_literals;
using namespace testing;

class XfrClient : public ::testing::Test {
 protected:
  XfrClient() : m_primary(m_key) {
    m_v1 = compile(zone_text(100));
    m_v2 = compile(zone_text(101));
    m_primary.handler.add_version(m_v1);
    m_primary.handler.add_version(m_v2);
  }
  result<fetched> fetch(std::optional<record::rr> have, const hmac::key& key) {
    return fetch_transfer(m_primary.endpoint(), id(zone_text_name), have, key, 2s, 10s);
  }

  hmac::key m_key = make_key("xfr-key.", 'k');
  primary_on_loopback m_primary;
  std::shared_ptr<const zone::compiled_zone> m_v1, m_v2;
};

TEST_F(XfrClient, FullTransferBringsTheWholeZone) {
  auto f = fetch(std::nullopt, m_key);
  ASSERT_TRUE(f.ok()) << f.err().message;
  ASSERT_TRUE(f->transfer && f->transfer->complete());
  EXPECT_EQ(f->transfer->kind(), xfr::transfer_kind::full);
  EXPECT_EQ(f->transfer->serial(), 101u);
  EXPECT_GT(f->messages, 2u);  // the small budget spreads it over several messages
  EXPECT_GT(f->bytes, 0u);
  auto z = compile(zone_text(101));
  EXPECT_EQ(f->transfer->records(), z->record_count() + 1);  // the closing SOA too
  ASSERT_EQ(m_primary.handler.requests().size(), 1u);
  EXPECT_FALSE(m_primary.handler.requests()[0]);
}

TEST_F(XfrClient, IncrementalTransferBringsTheChangeset) {
  auto f = fetch(soa_of(*m_v1), m_key);
  ASSERT_TRUE(f.ok()) << f.err().message;
  EXPECT_EQ(f->transfer->kind(), xfr::transfer_kind::incremental);
  auto changes = f->transfer->take_changesets();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], zone::diff(*m_v1, *m_v2));
  ASSERT_EQ(m_primary.handler.requests().size(), 1u);
  EXPECT_EQ(m_primary.handler.requests()[0], std::optional<std::uint32_t>(100));
}

TEST_F(XfrClient, UpToDate) {
  auto f = fetch(soa_of(*m_v2), m_key);
  ASSERT_TRUE(f.ok()) << f.err().message;
  EXPECT_EQ(f->transfer->kind(), xfr::transfer_kind::up_to_date);
  EXPECT_EQ(f->messages, 1u);
}

TEST_F(XfrClient, TamperedMacInTheSecondMessageFails) {
  m_primary.handler.set_fault(fault::tamper_second_mac);
  auto f = fetch(std::nullopt, m_key);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("not authenticated"), std::string::npos) << f.err().message;
  EXPECT_NE(f.err().message.find(m_primary.endpoint().to_string()), std::string::npos);
}

TEST_F(XfrClient, MessageSignedWithAnotherKeyFails) {
  m_primary.handler.set_fault(fault::other_key_second);
  auto f = fetch(std::nullopt, m_key);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("intruder."), std::string::npos) << f.err().message;
}

TEST_F(XfrClient, ErrorRcodeIsAFailureThatNamesIt) {
  m_primary.handler.set_fault(fault::refuse);
  auto f = fetch(std::nullopt, m_key);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("REFUSED"), std::string::npos) << f.err().message;
  m_primary.handler.set_fault(fault::unsigned_refusal);
  f = fetch(std::nullopt, m_key);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("NOTAUTH"), std::string::npos) << f.err().message;
}

TEST_F(XfrClient, RequestSignedWithAnUnknownKeyGetsNoTransfer) {
  // The fake primary ignores it (no reply): the read times out.
  auto f = fetch_transfer(m_primary.endpoint(), id(zone_text_name), std::nullopt,
                          make_key("stranger.", 's'), 300ms, 5s);
  ASSERT_FALSE(f.ok());
}

TEST_F(XfrClient, SilentPrimaryTimesOut) {
  m_primary.handler.set_fault(fault::silent);
  const auto t0 = std::chrono::steady_clock::now();
  auto f = fetch_transfer(m_primary.endpoint(), id(zone_text_name), std::nullopt, m_key, 300ms, 5s);
  ASSERT_FALSE(f.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(XfrClient, NoPrimaryListening) {
  auto dead = *net::parse_endpoint("127.0.0.1:1");
  auto f = fetch_transfer(dead, id(zone_text_name), std::nullopt, m_key, 500ms, 2s);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("127.0.0.1:1"), std::string::npos) << f.err().message;
}

TEST_F(XfrClient, StopFlagEndsTheTransfer) {
  std::atomic<bool> stop{true};
  auto f =
      fetch_transfer(m_primary.endpoint(), id(zone_text_name), std::nullopt, m_key, 2s, 10s, &stop);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("stopped"), std::string::npos) << f.err().message;
}

TEST(TransferRequest, AsksIncrementalWithTheSoa) {
  auto v1 = compile(zone_text(7));
  auto q = transfer_request(id(zone_text_name), soa_of(*v1));
  EXPECT_EQ(q.opcode, wire::opcode::xfr);
  ASSERT_TRUE(q.question);
  EXPECT_EQ(q.question->type, record::rtype::soa);
  auto from = xfr::requested_serial(q);
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(*from, std::optional<std::uint32_t>(7));
  EXPECT_TRUE(transfer_request(id(zone_text_name), std::nullopt).authority.empty());
}

}  // namespace
}  // namespace cidns::authd
