// Hostile clients against cidns-authd's responder, without sockets (issue 11):
// the UDP amplification cap, replies that are never answered (QR set, malformed
// or not), the FORMERR id, over-wide varints, and opcodes without a stats slot.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "raw_message.hpp"
#include "report.hpp"
#include "responder.hpp"
#include "zone_manager.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using record::rtype;
using test::f_flags;
using test::f_id;
using test::f_question;
using test::raw;
using test::raw_question;

std::shared_ptr<const zone::compiled_zone> provx_zone() {
  const std::string path = std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/provx.zone";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  zone::load_options options;
  options.read.origin = name::identifier::parse("provx.cn-north.").value();
  options.compile = true;
  auto loaded = zone::load_text(text.str(), "provx.zone", options);
  for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
  return loaded.compiled;
}

class HostileResponder : public ::testing::Test {
 protected:
  void SetUp() override { m_registry.publish(provx_zone()); }

  std::optional<std::string> exchange(const responder& r, std::string_view q, bool udp = true) {
    std::string reply;
    if (!const_cast<responder&>(r).respond(q, udp, reply)) return std::nullopt;
    return reply;
  }
  std::string big_query(std::uint32_t max_size) {
    wire::message q;
    q.id = 77;
    q.question = wire::question{name::identifier::parse("big.provx.cn-north.").value(), rtype::txt};
    q.max_size = max_size;
    return wire::encode(q);
  }

  serve::query_stats m_stats;
  zone_registry m_registry;
  responder m_default{m_registry, m_stats};
};

// Defect 3: a 30-byte query drew a 60 KB reply. The client's max_size can only lower the cap.
TEST_F(HostileResponder, UdpRepliesAreCappedWhateverTheClientAsks) {
  const std::string q = big_query(65535);
  auto full = exchange(m_default, q, false);  // TCP: the whole answer
  ASSERT_TRUE(full);
  ASSERT_GT(full->size(), 3000U);

  auto udp = exchange(m_default, q);
  ASSERT_TRUE(udp);
  EXPECT_LE(udp->size(), wire::default_udp_size);
  auto m = wire::decode(*udp);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_flag(wire::flag::tc));
  EXPECT_GT(m->answer.size(), 0U);  // whole records up to the cap, as before
  EXPECT_LE(static_cast<double>(udp->size()) / static_cast<double>(q.size()), 1232.0 / 20);

  // A smaller client size still wins.
  auto small = exchange(m_default, big_query(600));
  ASSERT_TRUE(small);
  EXPECT_LE(small->size(), 600U);
}

TEST_F(HostileResponder, TheCapIsConfigurable) {
  responder wide{m_registry, m_stats, {nullptr, nullptr, nullptr, max_udp_reply}};
  const std::string q = big_query(65535);
  auto udp = exchange(wide, q);
  ASSERT_TRUE(udp);
  auto m = wire::decode(*udp);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->has_flag(wire::flag::tc));
  EXPECT_EQ(m->answer.size(), 40U);

  responder narrow{m_registry, m_stats, {nullptr, nullptr, nullptr, 512}};
  auto cut = exchange(narrow, q);
  ASSERT_TRUE(cut);
  EXPECT_LE(cut->size(), 512U);
}

// Defect 4: a malformed message with QR set drew a FORMERR.
TEST_F(HostileResponder, MalformedRepliesAreNeverAnswered) {
  const auto before = m_stats.snapshot().dropped;
  // A reply (QR) whose question name is invalid, and one whose last field is cut short.
  const std::string bad_name = raw()
                                   .fixed32(f_id, 5)
                                   .varint(f_flags, wire::flag::qr)
                                   .bytes(f_question, raw_question("a..b", 5))
                                   .str();
  const std::string cut = raw()
                              .fixed32(f_id, 5)
                              .varint(f_flags, wire::flag::qr | wire::flag::aa)
                              .append("\x2a\xff")
                              .str();
  for (bool udp : {true, false}) {
    EXPECT_FALSE(exchange(m_default, bad_name, udp));
    EXPECT_FALSE(exchange(m_default, cut, udp));
  }
  EXPECT_EQ(m_stats.snapshot().dropped, before + 4);
  // The same without QR: FORMERR, as before.
  const std::string query = raw().fixed32(f_id, 5).bytes(f_question, raw_question("a..b", 5)).str();
  auto r = exchange(m_default, query);
  ASSERT_TRUE(r);
  auto m = wire::decode(*r);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode, wire::rcode::formerr);
}

// Defect 5: FORMERR echoed the first of two ids; the decoder takes the last.
TEST_F(HostileResponder, FormerrEchoesTheLastId) {
  const std::string q = raw()
                            .fixed32(f_id, 0x11111111)
                            .fixed32(f_id, 0x22222222)
                            .bytes(f_question, raw_question("a..b", 5))
                            .str();
  auto r = exchange(m_default, q);
  ASSERT_TRUE(r);
  auto m = wire::decode(*r);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode, wire::rcode::formerr);
  EXPECT_EQ(m->id, 0x22222222U);
}

// Defect 6: a 33-bit key or a 2^32+n length was truncated and the query answered.
TEST_F(HostileResponder, OverWideVarintsGetFormerr) {
  const std::string question = raw_question("big.provx.cn-north.", 5);
  std::string wide_len = raw().fixed32(f_id, 9).str();
  test::put_tag(wide_len, f_question, test::wt::len);
  test::put_varint(wide_len, (std::uint64_t{1} << 32) + question.size());
  wide_len += question;
  std::string wide_key = raw().fixed32(f_id, 9).str();
  test::put_varint(wide_key, (std::uint64_t{1} << 32) | (std::uint64_t{f_question} << 3) | 2U);
  test::put_varint(wide_key, question.size());
  wide_key += question;
  for (const auto& q : {wide_len, wide_key}) {
    auto r = exchange(m_default, q);
    ASSERT_TRUE(r);
    auto m = wire::decode(*r);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode, wire::rcode::formerr);
    EXPECT_EQ(m->id, 9U);
    EXPECT_TRUE(m->answer.empty());
  }
}

// Cosmetic: opcodes 99, -1 and 2^31-1 were listed as "OPCODE7".
TEST_F(HostileResponder, UnknownOpcodesAreCountedAsOther) {
  for (std::int64_t op : {99LL, -1LL, 2147483647LL, 5LL}) {
    std::string q = raw()
                        .fixed32(f_id, 1)
                        .varint(2, static_cast<std::uint64_t>(op))
                        .bytes(f_question, raw_question("big.provx.cn-north.", 5))
                        .str();
    auto r = exchange(m_default, q);
    ASSERT_TRUE(r);
    auto m = wire::decode(*r);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode, wire::rcode::notimp);
  }
  EXPECT_EQ(serve::stats_block::opcode_slot(99), serve::stats_block::other_opcode);
  EXPECT_EQ(serve::stats_block::opcode_slot(-1), serve::stats_block::other_opcode);
  EXPECT_EQ(serve::stats_block::opcode_slot(2), 2U);
  zone_manager zones({}, m_registry);
  daemon_view view{zones, m_stats, nullptr, 0, {}};
  auto stats = nlohmann::json::parse(handle_control(view, R"({"cmd":"stats"})"));
  const auto& ops = stats.contains("stats") ? stats["stats"]["opcode"] : stats["opcode"];
  EXPECT_EQ(ops.value("OTHER", 0), 3) << stats.dump();
  EXPECT_EQ(ops.value("OPCODE5", 0), 1) << stats.dump();
  EXPECT_FALSE(ops.contains("OPCODE7")) << stats.dump();
  const std::string metrics = metrics_text(view);
  EXPECT_NE(metrics.find("opcode=\"OTHER\"} 3"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("OPCODE7"), std::string::npos);
}

}  // namespace
}  // namespace cidns::authd
