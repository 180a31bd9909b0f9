// cidns-authd over real sockets: answer kinds, TCP pipelining, several zones, and
// cidns-lookup's output and exit codes against it.
#include "authd_harness.hpp"

namespace cidns::itest {
namespace {

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
  discover.selector = "kind=gpu";
  r = udp_ask(ep, discover);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, wire::rcode::noerror);
  EXPECT_EQ(r->opcode, wire::opcode::discover);
  EXPECT_GE(count(r->answer, rtype::desc), 1U);
  discover.opcode = wire::opcode::update;
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

}  // namespace
}  // namespace cidns::itest
