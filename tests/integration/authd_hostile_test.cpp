// cidns-authd against hostile traffic: malformed packets over UDP and TCP, and
// response-rate limiting with cookie-verified clients let through.
#include "authd_harness.hpp"

namespace cidns::itest {
namespace {

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

}  // namespace
}  // namespace cidns::itest
