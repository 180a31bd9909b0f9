// cidns-authd's answering, driven through responder::respond() without sockets:
// zones compiled from zonefile text, queries built with wire::encode, replies
// read back with wire::decode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "answer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "raw_message.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using record::rtype;
using namespace std::string_literals;

constexpr std::string_view provx = "provx.cn-north.";
constexpr std::string_view cn_north = "cn-north.";

std::string read_fixture(std::string_view file) {
  std::string path = std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/" + std::string(file);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reads, checks and compiles zonefile text; every diagnostic fails the test.
std::shared_ptr<const zone::compiled_zone> compile_zone(std::string_view text,
                                                        std::string_view origin,
                                                        std::string file_name) {
  zone::load_options options;
  options.read.origin = name::identifier::parse(origin).value();
  options.compile = true;
  auto loaded = zone::load_text(text, std::move(file_name), options);
  for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
  return loaded.compiled;
}

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

// ---- reading replies ----------------------------------------------------------

std::size_t count(const std::vector<record::rr>& section, rtype t) {
  return static_cast<std::size_t>(
      std::count_if(section.begin(), section.end(), [t](const auto& r) { return r.type == t; }));
}

bool all_owned_by(const std::vector<record::rr>& section, std::string_view owner) {
  return std::all_of(section.begin(), section.end(),
                     [owner](const auto& r) { return r.owner.text() == owner; });
}

std::string cname_target(const record::rr& r) {
  EXPECT_EQ(r.type, rtype::cname);
  auto c = record::cname::decode(r.data);
  return c ? c->target.text() : std::string("<undecodable>");
}

std::uint32_t soa_serial(const record::rr& r) {
  auto s = record::soa::decode(r.data);
  EXPECT_TRUE(s) << "SOA data does not decode";
  return s ? s->serial : 0;
}

// The zone apex SOA alone in the authority section, as negative answers carry it.
void expect_negative_soa(const wire::message& reply, std::string_view apex, std::uint32_t ttl) {
  ASSERT_EQ(reply.authority.size(), 1U);
  EXPECT_EQ(reply.authority[0].type, rtype::soa);
  EXPECT_EQ(reply.authority[0].owner.text(), apex);
  EXPECT_EQ(reply.authority[0].ttl, ttl);
  EXPECT_TRUE(reply.answer.empty());
  EXPECT_TRUE(reply.additional.empty());
}

// ---- the fixture ----------------------------------------------------------------

class AnswerTest : public ::testing::Test {
 protected:
  void serve_text(std::string_view text, std::string_view origin) {
    m_registry->publish(compile_zone(text, origin, std::string(origin) + "zone"));
  }
  void serve_fixture(std::string_view file, std::string_view origin) {
    m_registry->publish(compile_zone(read_fixture(file), origin, std::string(file)));
  }
  // Serves nothing again (a registry only ever adds zones).
  void reset() {
    m_responder.reset();
    m_registry = std::make_unique<zone_registry>();
    m_responder = std::make_unique<responder>(*m_registry, m_stats);
  }
  void serve_provx() { serve_fixture("provx.zone", provx); }
  void serve_cn_north() { serve_fixture("cn-north.zone", cn_north); }

  // Raw exchange: nullopt when the responder sends nothing.
  std::optional<std::string> exchange(std::string_view query, bool udp = true) {
    std::string reply;
    if (!m_responder->respond(query, udp, reply)) return std::nullopt;
    return reply;
  }

  wire::message decode_reply(const std::string& bytes) {
    auto m = wire::decode(bytes);
    EXPECT_TRUE(m) << "reply does not decode: " << (m ? "" : m.err().message);
    if (!m) return {};
    EXPECT_TRUE(m->has_flag(wire::flag::qr));
    return *m;
  }

  wire::message query_for(std::string_view name, rtype type, std::uint32_t flags = 0) {
    wire::message q;
    q.id = m_next_id++;
    q.flags = flags;
    q.question = wire::question{id(name), type};
    return q;
  }

  // Sends `q` and checks the parts every reply to it shares: id, opcode, question.
  wire::message ask(const wire::message& q, bool udp = true) {
    auto bytes = exchange(wire::encode(q), udp);
    EXPECT_TRUE(bytes) << "no reply";
    if (!bytes) return {};
    wire::message r = decode_reply(*bytes);
    EXPECT_EQ(r.id, q.id);
    EXPECT_EQ(r.opcode, q.opcode);
    EXPECT_EQ(r.question, q.question);
    return r;
  }
  wire::message ask(std::string_view name, rtype type, std::uint32_t flags = 0) {
    return ask(query_for(name, type, flags));
  }

  serve::query_stats m_stats;
  std::unique_ptr<zone_registry> m_registry = std::make_unique<zone_registry>();
  std::unique_ptr<responder> m_responder = std::make_unique<responder>(*m_registry, m_stats);
  std::uint32_t m_next_id = 0x1000;
};

// ---- positive answers ------------------------------------------------------------

TEST_F(AnswerTest, AuthoritativeAnswerForOneType) {
  serve_provx();
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  EXPECT_FALSE(r.has_flag(wire::flag::tc));
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(r.answer[0].type, rtype::txt);
  EXPECT_EQ(r.answer[0].owner.text(), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(r.answer[0].ttl, 3600U);
  auto txt = record::txt::decode(r.answer[0].data);
  ASSERT_TRUE(txt);
  EXPECT_EQ(txt->text, std::vector<std::string>{"eight H100 per node"});
  EXPECT_TRUE(r.authority.empty());
  EXPECT_TRUE(r.additional.empty());
}

TEST_F(AnswerTest, QueryNamesAreCaseInsensitive) {
  serve_provx();
  wire::message q = query_for("H100-8X.Pool1.PROVX.cn-north", rtype::txt);
  auto r = ask(q);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(r.answer[0].owner.text(), "h100-8x.pool1.provx.cn-north.");
}

TEST_F(AnswerTest, ResourceIsDescStateAndEpInOneReply) {
  serve_provx();
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(r.answer.size(), 3U);
  EXPECT_EQ(count(r.answer, rtype::desc), 1U);
  EXPECT_EQ(count(r.answer, rtype::state), 1U);
  EXPECT_EQ(count(r.answer, rtype::ep), 1U);
  EXPECT_EQ(count(r.answer, rtype::txt), 0U);  // not part of RESOURCE
  EXPECT_TRUE(all_owned_by(r.answer, "h100-8x.pool1.provx.cn-north."));
  for (const auto& rr : r.answer) {
    EXPECT_EQ(rr.ttl, rr.type == rtype::state ? 30U : 3600U) << record::type_name(rr.type);
  }
  auto desc = record::desc::decode(r.answer[0].data);
  ASSERT_TRUE(desc);
  EXPECT_EQ(desc->accel_count, 8U);
}

TEST_F(AnswerTest, ApexNsComesWithGlue) {
  serve_provx();
  auto r = ask(provx, rtype::ns);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(r.answer[0].type, rtype::ns);
  ASSERT_EQ(r.additional.size(), 1U);
  EXPECT_EQ(r.additional[0].type, rtype::addr);
  EXPECT_EQ(r.additional[0].owner.text(), "ns1.provx.cn-north.");
}

// ---- CNAME -------------------------------------------------------------------------

TEST_F(AnswerTest, CnameChainInsideAZone) {
  serve_provx();
  auto r = ask("alias.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(r.answer.size(), 5U);
  EXPECT_EQ(r.answer[0].owner.text(), "alias.provx.cn-north.");
  EXPECT_EQ(cname_target(r.answer[0]), "best.provx.cn-north.");
  EXPECT_EQ(r.answer[1].owner.text(), "best.provx.cn-north.");
  EXPECT_EQ(cname_target(r.answer[1]), "h100-8x.pool1.provx.cn-north.");
  std::vector<record::rr> rest(r.answer.begin() + 2, r.answer.end());
  EXPECT_TRUE(all_owned_by(rest, "h100-8x.pool1.provx.cn-north."));
  EXPECT_EQ(count(rest, rtype::desc) + count(rest, rtype::state) + count(rest, rtype::ep), 3U);
}

TEST_F(AnswerTest, CnameQueryIsNotFollowed) {
  serve_provx();
  auto r = ask("best.provx.cn-north.", rtype::cname);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(cname_target(r.answer[0]), "h100-8x.pool1.provx.cn-north.");
}

TEST_F(AnswerTest, CnameChainAcrossTwoServedZones) {
  serve_cn_north();
  serve_provx();
  auto r = ask("gpu.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(r.answer.size(), 5U);
  EXPECT_EQ(cname_target(r.answer[0]), "best.provx.cn-north.");
  EXPECT_EQ(cname_target(r.answer[1]), "h100-8x.pool1.provx.cn-north.");
  EXPECT_EQ(count(r.answer, rtype::desc), 1U);
}

TEST_F(AnswerTest, CnameIntoAnUnservedZoneStopsThere) {
  serve_provx();
  auto r = ask("away.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(cname_target(r.answer[0]), "somewhere.fin.");
  EXPECT_TRUE(r.authority.empty());
}

TEST_F(AnswerTest, CnameLoopStopsAtTheFirstRepeatedName) {
  serve_provx();
  auto r = ask("loop1.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  // loop1 -> loop2 -> loop1: each CNAME once, then the loop is not followed again.
  ASSERT_EQ(r.answer.size(), 2U);
  EXPECT_EQ(r.answer[0].owner.text(), "loop1.provx.cn-north.");
  EXPECT_EQ(r.answer[1].owner.text(), "loop2.provx.cn-north.");
  for (const auto& rec : r.answer) EXPECT_EQ(rec.type, rtype::cname);
}

TEST_F(AnswerTest, CnameChainOfEightLinksIsFollowedToTheEnd) {
  std::string text =
      "$ORIGIN chain.\n$TTL 1h\n@ SOA ns1 hostmaster 1 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.9\nend TXT \"reached\"\n";
  for (int i = 0; i < max_cname_links; ++i) {
    text += "c" + std::to_string(i) + " CNAME " +
            (i + 1 == max_cname_links ? "end" : "c" + std::to_string(i + 1)) + "\n";
  }
  serve_text(text, "chain.");
  auto r = ask("c0.chain.", rtype::txt);
  ASSERT_EQ(r.answer.size(), static_cast<std::size_t>(max_cname_links) + 1);
  EXPECT_EQ(r.answer.back().type, rtype::txt);
  EXPECT_EQ(r.answer.back().owner.text(), "end.chain.");
}

// ---- wildcards --------------------------------------------------------------------

TEST_F(AnswerTest, WildcardIsSynthesisedWithTheQueryNameAsOwner) {
  serve_provx();
  // "x.spot" is as long as "*.spot": the owner must still be the query name.
  for (std::string_view qname : {"x.spot.provx.cn-north.", "any-longer-name.spot.provx.cn-north.",
                                 "two.labels.spot.provx.cn-north."}) {
    SCOPED_TRACE(qname);
    auto r = ask(qname, rtype::desc);
    EXPECT_EQ(r.rcode, wire::rcode::noerror);
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].owner.text(), qname);
    auto d = record::desc::decode(r.answer[0].data);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->vcpu, 64U);
  }
  auto r = ask("x.spot.provx.cn-north.", rtype::resource);
  ASSERT_EQ(r.answer.size(), 2U);  // DESC + STATE
  EXPECT_TRUE(all_owned_by(r.answer, "x.spot.provx.cn-north."));
}

TEST_F(AnswerTest, WildcardNodataAndTheWildcardNameItself) {
  serve_provx();
  auto r = ask("x.spot.provx.cn-north.", rtype::ep);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  expect_negative_soa(r, provx, 300);

  r = ask("*.spot.provx.cn-north.", rtype::desc);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(r.answer[0].owner.text(), "*.spot.provx.cn-north.");
}

TEST_F(AnswerTest, WildcardDoesNotApplyAtOrBelowAnExistingName) {
  serve_provx();
  // fixed.spot exists: its own data, NODATA for what it lacks, NXDOMAIN below it.
  auto r = ask("fixed.spot.provx.cn-north.", rtype::desc);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(record::desc::decode(r.answer[0].data)->vcpu, 8U);

  r = ask("fixed.spot.provx.cn-north.", rtype::state);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  expect_negative_soa(r, provx, 300);

  r = ask("below.fixed.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  expect_negative_soa(r, provx, 300);
}

TEST_F(AnswerTest, EmptyNonTerminalIsNodataNotWildcard) {
  serve_provx();
  auto r = ask("ent.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  expect_negative_soa(r, provx, 300);

  // Below the ENT the closest encloser is ent.spot, which has no wildcard child.
  r = ask("other.ent.spot.provx.cn-north.", rtype::desc);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);

  r = ask("a.ent.spot.provx.cn-north.", rtype::txt);
  ASSERT_EQ(r.answer.size(), 1U);
}

// ---- delegations -------------------------------------------------------------------

TEST_F(AnswerTest, ReferralBelowADelegationInsideTheZone) {
  serve_provx();
  for (std::string_view qname :
       {"host.child.provx.cn-north.", "child.provx.cn-north.", "ns1.child.provx.cn-north."}) {
    SCOPED_TRACE(qname);
    auto r = ask(qname, qname.starts_with("ns1") ? rtype::addr : rtype::resource);
    EXPECT_EQ(r.rcode, wire::rcode::noerror);
    EXPECT_FALSE(r.has_flag(wire::flag::aa));
    EXPECT_TRUE(r.answer.empty());
    ASSERT_EQ(r.authority.size(), 2U);
    EXPECT_EQ(count(r.authority, rtype::ns), 2U);
    EXPECT_TRUE(all_owned_by(r.authority, "child.provx.cn-north."));
    ASSERT_EQ(r.additional.size(), 2U);
    EXPECT_EQ(count(r.additional, rtype::addr), 2U);
    EXPECT_EQ(r.additional[0].owner.text(), "ns1.child.provx.cn-north.");
    EXPECT_EQ(r.additional[1].owner.text(), "ns2.child.provx.cn-north.");
  }
}

TEST_F(AnswerTest, ParentRefersToAnUnservedChild) {
  serve_cn_north();
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  ASSERT_EQ(r.authority.size(), 1U);  // no DS without DO
  EXPECT_EQ(r.authority[0].type, rtype::ns);
  EXPECT_EQ(r.authority[0].owner.text(), "provx.cn-north.");
  ASSERT_EQ(r.additional.size(), 1U);
  EXPECT_EQ(r.additional[0].owner.text(), "ns1.provx.cn-north.");

  // With DO, the DS goes along with the NS.
  r = ask("x.provx.cn-north.", rtype::resource, wire::flag::do_);
  EXPECT_EQ(count(r.authority, rtype::ns), 1U);
  EXPECT_EQ(count(r.authority, rtype::ds), 1U);

  r = ask("node.hpc.cn-north.", rtype::resource);
  EXPECT_FALSE(r.has_flag(wire::flag::aa));
  EXPECT_EQ(count(r.authority, rtype::ns), 2U);
  EXPECT_EQ(count(r.additional, rtype::addr), 2U);
}

TEST_F(AnswerTest, DsAtADelegationIsAnsweredByTheParent) {
  for (bool with_child : {false, true}) {
    SCOPED_TRACE(with_child ? "parent and child served" : "parent only");
    reset();
    serve_cn_north();
    if (with_child) serve_provx();
    auto r = ask(provx, rtype::ds);
    EXPECT_EQ(r.rcode, wire::rcode::noerror);
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].type, rtype::ds);
    EXPECT_EQ(r.answer[0].owner.text(), provx);
    EXPECT_TRUE(r.authority.empty());

    // No DS at hpc: the parent's NODATA (its SOA), not a referral.
    r = ask("hpc.cn-north.", rtype::ds);
    EXPECT_EQ(r.rcode, wire::rcode::noerror);
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    expect_negative_soa(r, cn_north, 60);
  }
}

// ---- denial --------------------------------------------------------------------------

TEST_F(AnswerTest, NodataHasTheSoaWithTheNegativeTtl) {
  serve_provx();
  serve_cn_north();
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::key);
  EXPECT_EQ(r.rcode, wire::rcode::noerror);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  expect_negative_soa(r, provx, 300);  // min(SOA TTL 3600, negative TTL 300)
  EXPECT_EQ(soa_serial(r.authority[0]), 2026120101U);

  r = ask("info.cn-north.", rtype::desc);
  expect_negative_soa(r, cn_north, 60);  // min(SOA TTL 60, negative TTL 300)
}

TEST_F(AnswerTest, NxdomainHasTheSoa) {
  serve_provx();
  auto r = ask("nothing.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  EXPECT_TRUE(r.has_flag(wire::flag::aa));
  expect_negative_soa(r, provx, 300);
}

TEST_F(AnswerTest, RefusedOutsideEveryZone) {
  serve_provx();
  for (std::string_view qname : {"foo.fin.", "cn-north.", "x.cn-north.", "."}) {
    SCOPED_TRACE(qname);
    auto r = ask(qname, rtype::resource);
    EXPECT_EQ(r.rcode, wire::rcode::refused);
    EXPECT_FALSE(r.has_flag(wire::flag::aa));
    EXPECT_TRUE(r.answer.empty());
    EXPECT_TRUE(r.authority.empty());
    EXPECT_TRUE(r.additional.empty());
  }
}

TEST_F(AnswerTest, NothingServedRefusesEverything) {
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::resource);
  EXPECT_EQ(r.rcode, wire::rcode::refused);
}

TEST_F(AnswerTest, MostSpecificZoneWins) {
  for (bool child_first : {false, true}) {
    SCOPED_TRACE(child_first ? "child published first" : "parent published first");
    reset();
    if (child_first) serve_provx();
    serve_cn_north();
    if (!child_first) serve_provx();

    auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::resource);  // not a referral
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    EXPECT_EQ(r.answer.size(), 3U);

    r = ask(provx, rtype::ns);  // the child's apex NS, as an answer
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    EXPECT_EQ(r.answer.size(), 1U);

    r = ask("nothing.provx.cn-north.", rtype::txt);  // the child's SOA
    EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
    expect_negative_soa(r, provx, 300);

    r = ask("info.cn-north.", rtype::txt);  // the parent still answers its own names
    EXPECT_EQ(r.answer.size(), 1U);
  }
}

// ---- opcodes and malformed queries -----------------------------------------------------

TEST_F(AnswerTest, OtherOpcodesAreNotImplemented) {
  serve_provx();
  for (auto op : {wire::opcode::update, wire::opcode::notify, wire::opcode::xfr,
                  static_cast<wire::opcode>(9)}) {
    SCOPED_TRACE(wire::opcode_name(op));
    wire::message q = query_for("h100-8x.pool1.provx.cn-north.", rtype::resource);
    q.opcode = op;
    auto r = ask(q);
    EXPECT_EQ(r.rcode, wire::rcode::notimp);
    EXPECT_TRUE(r.answer.empty());
    EXPECT_FALSE(r.has_flag(wire::flag::aa));
  }
}

TEST_F(AnswerTest, QueryWithoutQuestionIsFormerrWithItsId) {
  serve_provx();
  wire::message q;
  q.id = 0xcafe0001;
  auto bytes = exchange(wire::encode(q));
  ASSERT_TRUE(bytes);
  auto r = decode_reply(*bytes);
  EXPECT_EQ(r.id, 0xcafe0001U);
  EXPECT_EQ(r.rcode, wire::rcode::formerr);
  EXPECT_FALSE(r.question);
}

TEST_F(AnswerTest, MalformedQueriesWithAReadableIdAreFormerr) {
  serve_provx();
  using namespace test;
  wire::message good = query_for("h100-8x.pool1.provx.cn-north.", rtype::resource);
  good.id = 0xcafe0002;
  const std::string good_bytes = wire::encode(good);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"name with @", raw_query(0xcafe0002, "bad@name.provx.cn-north.", 6)},
      {"label over 63", raw_query(0xcafe0002, std::string(64, 'a') + ".provx.cn-north.", 6)},
      {"name over 253", raw_query(0xcafe0002, std::string(300, 'a'), 6)},
      {"empty name", raw_query(0xcafe0002, "", 6)},
      {"type 0", raw_query(0xcafe0002, "x.provx.cn-north.", 0)},
      {"type 65536", raw_query(0xcafe0002, "x.provx.cn-north.", 65536)},
      {"question as varint", raw().fixed32(f_id, 0xcafe0002).varint(f_question, 5).str()},
      {"flags as bytes", raw().fixed32(f_id, 0xcafe0002).bytes(f_flags, "xx").str()},
      {"question length past the end",
       raw().fixed32(f_id, 0xcafe0002).bytes_claiming(f_question, 1U << 30, "abc").str()},
      {"truncated", good_bytes.substr(0, good_bytes.size() - 3)},
      {"trailing garbage", good_bytes + "\xff\xff"},
  };
  for (const auto& [what, bytes] : cases) {
    SCOPED_TRACE(what);
    auto reply = exchange(bytes);
    ASSERT_TRUE(reply);
    auto r = decode_reply(*reply);
    EXPECT_EQ(r.id, 0xcafe0002U);
    EXPECT_EQ(r.rcode, wire::rcode::formerr);
    EXPECT_TRUE(r.answer.empty());
    EXPECT_LE(reply->size(), wire::min_udp_size);
  }
  EXPECT_EQ(m_stats.snapshot().formerr, cases.size());
}

TEST_F(AnswerTest, FormerrStaysSmallForAHostileName) {
  // 254 unprintable bytes would be quoted as \xNN in the error text: the
  // reply must still fit the smallest UDP size (no amplification).
  serve_provx();
  auto reply = exchange(test::raw_query(7, std::string(254, '\x01'), 6));
  ASSERT_TRUE(reply);
  auto r = decode_reply(*reply);
  EXPECT_EQ(r.rcode, wire::rcode::formerr);
  EXPECT_EQ(r.id, 7U);
  EXPECT_LE(reply->size(), wire::min_udp_size);
}

TEST_F(AnswerTest, FormerrTextIsValidUtf8ForRawBytesInAName) {
  // The identifier error quotes the bad label as is: the reply must still decode.
  serve_provx();
  for (std::string name :
       {"\xff\xfe.provx.cn-north."s, "ok.\xc3.provx.cn-north."s, "caf\xc3\xa9.provx.cn-north."s}) {
    auto reply = exchange(test::raw_query(8, name, 6));
    ASSERT_TRUE(reply);
    auto r = decode_reply(*reply);
    EXPECT_EQ(r.id, 8U);
    EXPECT_EQ(r.rcode, wire::rcode::formerr);
  }
}

TEST_F(AnswerTest, EveryReplyToMutatedQueriesDecodes) {
  // Random byte flips of a good query (fixed seed): whatever comes back is a
  // well-formed reply, and a FORMERR fits the smallest UDP size.
  serve_provx();
  const std::string good =
      wire::encode(query_for("h100-8x.pool1.provx.cn-north.", rtype::resource));
  std::mt19937 rng(4242);
  for (int i = 0; i < 2000; ++i) {
    std::string b = good;
    for (unsigned k = 0, flips = 1 + rng() % 4; k < flips; ++k) {
      b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
    }
    auto reply = exchange(b);
    if (!reply) continue;
    auto r = wire::decode(*reply);
    ASSERT_TRUE(r) << "reply to mutation " << i << " does not decode: " << r.err().message;
    EXPECT_TRUE(r->has_flag(wire::flag::qr));
    if (r->rcode == wire::rcode::formerr) {
      EXPECT_LE(reply->size(), wire::min_udp_size);
    }
  }
}

TEST_F(AnswerTest, NoReplyToGarbageOrToReplies) {
  serve_provx();
  EXPECT_FALSE(exchange(""));
  EXPECT_FALSE(exchange("\xff\xff\xff\xff"s));
  EXPECT_FALSE(exchange("\x07garbage"s));  // wire type 7 before any id

  wire::message q = query_for("h100-8x.pool1.provx.cn-north.", rtype::resource, wire::flag::qr);
  EXPECT_FALSE(exchange(wire::encode(q)));
  EXPECT_FALSE(exchange(wire::encode(q), false));
  EXPECT_EQ(m_stats.snapshot().dropped, 5U);
}

// ---- size limits and flags ----------------------------------------------------------------

TEST_F(AnswerTest, UdpRepliesAreCutToWholeRecordsWithTc) {
  serve_provx();
  // A server cap above every size asked, so that the client's size decides.
  m_responder = std::make_unique<responder>(*m_registry, m_stats,
                                            responder_guards{nullptr, nullptr, nullptr, 4096});
  for (std::uint32_t max_size : {0U, 512U, 100U, 1232U, 2000U}) {
    SCOPED_TRACE(max_size);
    wire::message q = query_for("big.provx.cn-north.", rtype::txt);
    q.max_size = max_size;
    const std::size_t limit = q.udp_size();
    auto bytes = exchange(wire::encode(q), true);
    ASSERT_TRUE(bytes);
    EXPECT_LE(bytes->size(), limit);
    auto r = decode_reply(*bytes);  // decodes: only whole records
    EXPECT_TRUE(r.has_flag(wire::flag::tc));
    EXPECT_TRUE(r.has_flag(wire::flag::aa));
    EXPECT_GT(r.answer.size(), 0U);
    EXPECT_LT(r.answer.size(), 40U);
    EXPECT_EQ(count(r.answer, rtype::txt), r.answer.size());
    // Nearly full: one more record would not have fit.
    EXPECT_GT(bytes->size() + 120, limit);
  }
}

TEST_F(AnswerTest, LargeRepliesAreWholeOverTcpOrWithALargeMaxSize) {
  serve_provx();
  wire::message q = query_for("big.provx.cn-north.", rtype::txt);
  auto r = ask(q, false);
  EXPECT_FALSE(r.has_flag(wire::flag::tc));
  EXPECT_EQ(r.answer.size(), 40U);

  // Over UDP only up to the server's cap (1232 by default: no amplification).
  q.max_size = 65535;
  r = ask(q, true);
  EXPECT_TRUE(r.has_flag(wire::flag::tc));
  EXPECT_LT(r.answer.size(), 40U);
  m_responder = std::make_unique<responder>(*m_registry, m_stats,
                                            responder_guards{nullptr, nullptr, nullptr, 65507});
  r = ask(q, true);
  EXPECT_FALSE(r.has_flag(wire::flag::tc));
  EXPECT_EQ(r.answer.size(), 40U);
}

TEST_F(AnswerTest, RdAndCdAreCopiedQrIsSet) {
  serve_provx();
  auto r = ask("h100-8x.pool1.provx.cn-north.", rtype::txt,
               wire::flag::rd | wire::flag::cd | wire::flag::ad | wire::flag::tc | wire::flag::ra);
  EXPECT_EQ(r.flags, wire::flag::qr | wire::flag::aa | wire::flag::rd | wire::flag::cd);

  r = ask("h100-8x.pool1.provx.cn-north.", rtype::txt);
  EXPECT_EQ(r.flags, wire::flag::qr | wire::flag::aa);

  r = ask("foo.fin.", rtype::txt, wire::flag::rd);
  EXPECT_EQ(r.flags, wire::flag::qr | wire::flag::rd);
}

TEST_F(AnswerTest, ZoneCompiledFromInlineText) {
  serve_text(R"($ORIGIN tiny.
$TTL 10m
@      SOA   ns1 hostmaster 7 1h 10m 14d 1h
@      NS    ns1
ns1    ADDR  127.0.0.7
node   STATE free=1 score=2
)",
             "tiny.");
  auto r = ask("node.tiny.", rtype::state);
  ASSERT_EQ(r.answer.size(), 1U);
  EXPECT_EQ(r.answer[0].ttl, 600U);
  r = ask("none.tiny.", rtype::state);
  EXPECT_EQ(r.rcode, wire::rcode::nxdomain);
  expect_negative_soa(r, "tiny.", 600);  // min(SOA TTL 600, negative TTL 3600)
  EXPECT_EQ(soa_serial(r.authority[0]), 7U);
}

}  // namespace
}  // namespace cidns::authd
