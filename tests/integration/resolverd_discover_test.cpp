// DISCOVER through a real cidns-resolverd in front of the signed zonefiles/ hierarchy served by
// real cidns-authd processes (issue 8): results across operators and regions validated (AD)
// and identical to a brute-force evaluation of the selector over the same zonefiles; a
// tampered operator's result dropped and its zone named in PARTIAL_RESULT; an unreachable
// operator named as partial within the deadline; cidns-lookup --discover's exit codes, table
// and JSON; a repeated discovery answered from the resolver's cache.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/zone/load.hpp"
#include "resolverd_harness.hpp"

namespace cidns::itest {
namespace {

constexpr std::uint32_t do_ad = wire::flag::rd | wire::flag::do_ | wire::flag::ad;
using tamper_map = std::map<std::string, std::pair<std::string, std::string>>;

// ---- the brute-force evaluation ------------------------------------------------------------

// One resource as the zonefiles define it: an authoritative, non-wildcard name with a DESC.
struct zone_resource {
  name::identifier name;
  record::desc desc;
  std::optional<record::state> state;
};

// Every resource of the hierarchy, read from the unsigned zonefiles with the zone library.
std::vector<zone_resource> hierarchy_resources() {
  std::vector<zone_resource> out;
  for (const auto& z : hierarchy()) {
    zone::load_options options;
    options.read.origin = name::identifier::parse(z.zone).value();
    auto loaded = zone::load(std::string(CIDNS_SOURCE_DIR) + "/zonefiles/" + z.file, options);
    EXPECT_TRUE(loaded && loaded->ok()) << z.file;
    if (!loaded) continue;
    const zone::contents& c = loaded->zone;
    std::vector<name::identifier> cuts;
    for (const auto& r : c.records) {
      if (r.type == rtype::ns && r.owner != c.origin) cuts.push_back(r.owner);
    }
    const auto below_cut = [&](const name::identifier& n) {
      return std::any_of(cuts.begin(), cuts.end(),
                         [&](const auto& cut) { return n.is_part_of(cut); });
    };
    for (const auto& r : c.records) {
      if (r.type != rtype::desc || r.owner.is_wildcard() || below_cut(r.owner)) continue;
      if (std::any_of(out.begin(), out.end(), [&](const auto& e) { return e.name == r.owner; })) {
        continue;  // the first DESC is the resource's
      }
      auto d = record::desc::decode(r.data);
      EXPECT_TRUE(d) << r.owner.text();
      if (!d) continue;
      zone_resource res{r.owner, std::move(*d), std::nullopt};
      for (const auto& s : c.records) {
        if (s.type != rtype::state || s.owner != r.owner) continue;
        if (auto st = record::state::decode(s.data)) res.state = std::move(*st);
        break;
      }
      out.push_back(std::move(res));
    }
  }
  return out;
}

// The names the selector picks under `scope`, in its order (ties by canonical name order),
// cut to its limit; `except` names are left out (a dropped zone or resource).
std::vector<std::string> brute_force(std::string_view selector_text, std::string_view scope_text,
                                     const std::vector<std::string>& except_under = {}) {
  static const std::vector<zone_resource> all = hierarchy_resources();
  const auto sel = select::parse(selector_text);
  EXPECT_TRUE(sel) << selector_text;
  if (!sel) return {};
  const auto scope = name::identifier::parse(scope_text).value();
  std::vector<const zone_resource*> picked;
  for (const auto& r : all) {
    if (!r.name.is_part_of(scope)) continue;
    if (std::any_of(except_under.begin(), except_under.end(), [&](const std::string& e) {
          return r.name.is_part_of(name::identifier::parse(e).value());
        })) {
      continue;
    }
    if (select::matches(*sel, {&r.desc, r.state ? &*r.state : nullptr})) picked.push_back(&r);
  }
  std::sort(picked.begin(), picked.end(), [&](const zone_resource* a, const zone_resource* b) {
    const select::resource ra{&a->desc, a->state ? &*a->state : nullptr};
    const select::resource rb{&b->desc, b->state ? &*b->state : nullptr};
    if (const int c = select::compare(*sel, ra, rb); c != 0) return c < 0;
    return name::canonical_compare(a->name, b->name) < 0;
  });
  if (picked.size() > sel->limit) picked.resize(sel->limit);
  std::vector<std::string> names;
  for (const auto* r : picked) names.push_back(r->name.text());
  return names;
}

// ---- DISCOVER on the wire ------------------------------------------------------------------

wire::message discover_query(std::string_view scope, std::string_view selector,
                             std::uint32_t flags = do_ad) {
  auto q = make_query(scope, rtype::resource, flags);
  q.opcode = wire::opcode::discover;
  q.selector = std::string(selector);
  return q;
}

// The result names of a DISCOVER reply: each DESC owner of the answer, in order.
std::vector<std::string> result_names(const wire::message& reply) {
  std::vector<std::string> names;
  for (const auto& r : reply.answer) {
    if (r.type != rtype::desc) continue;
    if (std::find(names.begin(), names.end(), r.owner.text()) == names.end()) {
      names.push_back(r.owner.text());
    }
  }
  return names;
}

std::string partial_text(const wire::message& reply) {
  if (!reply.error) return {};
  if (reply.error->code != static_cast<std::uint32_t>(wire::error_code::partial_result)) return {};
  return reply.error->text;
}

std::string describe(const wire::message& reply) {
  std::string s = "rcode " + wire::rcode_name(reply.rcode) + ", names:";
  for (const auto& n : result_names(reply)) s += " " + n;
  if (reply.error) s += "; error " + std::to_string(reply.error->code) + ": " + reply.error->text;
  return s;
}

class ResolverdDiscover : public ::testing::Test {
 protected:
  void start_hierarchy(const tamper_map& tamper = {}) {
    m_hierarchy = std::make_unique<hierarchy_servers>(m_dir, tamper);
    ASSERT_TRUE(m_hierarchy->ok());
  }

  std::unique_ptr<resolver_process> start(std::vector<std::string> extra = {}) {
    auto r = std::make_unique<resolver_process>(m_dir, *m_hierarchy, m_dir.file("cache"), 1,
                                                std::move(extra));
    EXPECT_TRUE(r->wait_ready()) << r->log();
    return r;
  }

  // Over TCP: a broad discovery with its SIGs does not fit a UDP reply.
  std::optional<wire::message> discover(const resolver_process& r, std::string_view scope,
                                        std::string_view selector, milliseconds limit = 5000ms) {
    return tcp_ask(r.endpoint(), discover_query(scope, selector), limit);
  }

  run_result lookup(const resolver_process& r, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CIDNS_LOOKUP_PATH, "--server", r.endpoint().to_string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, m_dir);
  }

  void expect_partial_without_yangtze(bool silent);

  temp_dir m_dir;
  std::unique_ptr<hierarchy_servers> m_hierarchy;
};

// Every DESC in the answer travels with its SIG (DO was set); the zones that signed them.
std::set<std::string> expect_signed_results(const wire::message& reply) {
  std::set<std::string> signers;
  for (const auto& name : result_names(reply)) {
    bool sig = false;
    for (const auto& r : reply.answer) {
      if (r.type != rtype::sig || r.owner.text() != name) continue;
      auto s = record::sig::decode(r.data);
      if (!s || s->type_covered != rtype::desc) continue;
      sig = true;
      signers.insert(s->signer.text());
    }
    EXPECT_TRUE(sig) << name << ": DESC without its SIG";
  }
  return signers;
}

TEST_F(ResolverdDiscover, AcrossOperatorsSecureAndEqualToBruteForce) {
  start_hierarchy();
  auto r = start();
  struct query_case {
    std::string scope, selector;
  };
  const std::vector<query_case> cases = {
      {".", "kind=gpu order=price"},
      {".", "kind=gpu,npu accel.count>=4 order=-accel.count order=price"},
      {".",
       "kind=gpu accel.family=h100,h800 accel.count>=8 region=cn-north* price<=3CNY "
       "order=price"},
      {".", "frameworks~pytorch order=price"},
      {".", "frameworks~mindspore order=-accel.count"},
      {".", "price<=2CNY order=-free limit=3"},
      {"cn-east.", "kind=npu,gpu region=cn-east* order=price"},
      {"cn-north.", "kind=hpc,gpu order=-price limit=4"},
      {".", "kind=fpga x-compliance=csrc-regulated"},
  };
  std::set<std::string> operators;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.scope + " " + c.selector);
    auto reply = discover(*r, c.scope, c.selector);
    ASSERT_TRUE(reply) << r->log();
    EXPECT_EQ(reply->rcode, wire::rcode::noerror) << describe(*reply);
    EXPECT_TRUE(reply->has_flag(wire::flag::ad)) << describe(*reply);
    EXPECT_EQ(partial_text(*reply), "") << describe(*reply);
    const auto expected = brute_force(c.selector, c.scope);
    ASSERT_FALSE(expected.empty()) << "a case that selects nothing tests little";
    EXPECT_EQ(result_names(*reply), expected) << describe(*reply);
    operators.merge(expect_signed_results(*reply));
  }
  // Results came from >= 3 operators (the zones that signed them) under >= 2 regions.
  std::set<std::string> regions;
  std::size_t operator_zones = 0;
  for (const auto& z : operators) {
    const auto id = name::identifier::parse(z).value();
    if (id.label_count() != 2) continue;  // a region's own resource
    ++operator_zones;
    regions.insert(id.parent().text());
  }
  EXPECT_GE(operator_zones, 3U);
  EXPECT_GE(regions.size(), 2U);
  // Nothing selected: NOERROR, no answer, still secure.
  auto none = discover(*r, ".", "kind=fpga");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->rcode, wire::rcode::noerror);
  EXPECT_TRUE(result_names(*none).empty()) << describe(*none);
  EXPECT_TRUE(none->has_flag(wire::flag::ad));
}

TEST_F(ResolverdDiscover, TamperedOperatorIsDroppedAndNamedAsPartial) {
  // ascend's training pool claims a lower price than it signed.
  start_hierarchy({{"ascend.cn-east.zone", {"price=1.6CNY", "price=1.1CNY"}}});
  auto r = start();
  const std::string selector = "kind=gpu,npu order=price";
  auto reply = discover(*r, ".", selector);
  ASSERT_TRUE(reply) << r->log();
  EXPECT_EQ(reply->rcode, wire::rcode::noerror) << describe(*reply);
  const std::string partial = partial_text(*reply);
  EXPECT_NE(partial.find("ascend.cn-east.: bogus"), std::string::npos) << describe(*reply);
  EXPECT_NE(partial.find("910b-8x.train.ascend.cn-east."), std::string::npos) << partial;
  auto names = result_names(*reply);
  EXPECT_EQ(std::count(names.begin(), names.end(), "910b-8x.train.ascend.cn-east."), 0)
      << "a bogus result is never returned";
  // Everything else, from every operator, arrives validated.
  auto expected = brute_force(selector, ".");
  std::erase(expected, "910b-8x.train.ascend.cn-east.");
  EXPECT_EQ(names, expected) << describe(*reply);
  EXPECT_TRUE(reply->has_flag(wire::flag::ad)) << describe(*reply);
}

// yangtze.cn-east. stopped (`silent`: its address then swallows datagrams unanswered, so
// only the deadline ends the wait); the others' results arrive, secure, within it.
void ResolverdDiscover::expect_partial_without_yangtze(bool silent) {
  start_hierarchy();
  ASSERT_TRUE(m_hierarchy->stop_server(24));
  int hole = -1;
  if (silent) {
    hole = bound_socket(m_hierarchy->address(24), SOCK_DGRAM, 5380);
    ASSERT_GE(hole, 0);
  }
  auto r = start({"--discover-deadline", "1000"});
  const std::string selector = "kind=gpu order=price";
  const auto t0 = std::chrono::steady_clock::now();
  auto reply = discover(*r, ".", selector, 5000ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  if (hole >= 0) ::close(hole);
  ASSERT_TRUE(reply) << r->log();
  EXPECT_LT(took, 2000ms) << "the deadline bounds the discovery";
  EXPECT_EQ(reply->rcode, wire::rcode::noerror) << describe(*reply);
  const std::string partial = partial_text(*reply);
  EXPECT_NE(partial.find("yangtze.cn-east."), std::string::npos) << describe(*reply);
  if (silent) {
    EXPECT_NE(partial.find("no answer in time"), std::string::npos) << partial;
  }
  EXPECT_EQ(result_names(*reply), brute_force(selector, ".", {"yangtze.cn-east."}))
      << describe(*reply);
  EXPECT_TRUE(reply->has_flag(wire::flag::ad)) << describe(*reply);
}

TEST_F(ResolverdDiscover, StoppedOperatorIsPartialWithinTheDeadline) {
  expect_partial_without_yangtze(false);
}

TEST_F(ResolverdDiscover, SilentOperatorIsPartialAtTheDeadline) {
  expect_partial_without_yangtze(true);
}

TEST_F(ResolverdDiscover, LookupDiscoverExitCodesTableAndJson) {
  start_hierarchy();
  auto r = start();
  auto found = lookup(*r, {"--discover",
                           "kind=npu frameworks~mindspore region=cn-east* "
                           "order=-accel.count",
                           "--in", "cn-east."});
  EXPECT_EQ(found.exit_code, 0) << found.output;
  EXPECT_NE(found.output.find("910b-8x.train.ascend.cn-east."), std::string::npos) << found.output;
  EXPECT_NE(found.output.find("secure"), std::string::npos) << found.output;

  auto none = lookup(*r, {"--discover", "kind=fpga", "--in", "."});
  EXPECT_EQ(none.exit_code, 1) << none.output;

  const std::string selector = "kind=gpu region=cn-north* order=price limit=3";
  auto json = lookup(*r, {"--discover", selector, "--in", ".", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.output;
  auto j = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.output;
  ASSERT_TRUE(j["resources"].is_array()) << json.output;
  std::vector<std::string> names;
  for (const auto& res : j["resources"]) {
    names.push_back(res.value("name", ""));
    EXPECT_FALSE(res["desc"].is_null()) << res.dump();
    EXPECT_FALSE(res["endpoints"].empty()) << res.dump();
  }
  EXPECT_EQ(names, brute_force(selector, ".")) << json.output;
  EXPECT_EQ(j.value("partial", true), false) << json.output;
}

// A selector the resolver cannot parse: FORMERR naming the column and the fix, and
// cidns-lookup exits 2 with that message.
// (cidns-resolverd once moved the reply sink to the waiting client before checking the
// selector, so its FORMERR went nowhere and the client timed out.)
TEST_F(ResolverdDiscover, BadSelectorIsFormerrWithItsColumn) {
  start_hierarchy();
  // cidns-authd asked directly says so.
  auto direct = udp_ask(m_hierarchy->root(), discover_query(".", "kind=gpu accel.cont>=8", 0));
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->rcode, wire::rcode::formerr);
  ASSERT_TRUE(direct->error);
  EXPECT_NE(direct->error->text.find("column 10"), std::string::npos) << direct->error->text;
  auto r = start();
  auto reply = udp_ask(r->endpoint(), discover_query(".", "kind=gpu accel.cont>=8"), 2000ms);
  ASSERT_TRUE(reply) << "no reply to a DISCOVER with a bad selector\n" << r->log();
  EXPECT_EQ(reply->rcode, wire::rcode::formerr);
  ASSERT_TRUE(reply->error);
  EXPECT_NE(reply->error->text.find("column 10"), std::string::npos) << reply->error->text;
  EXPECT_NE(reply->error->text.find("accel.count"), std::string::npos) << reply->error->text;
  auto bad = lookup(*r, {"--discover", "kind=gpu accel.cont>=8", "--in", "."});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("FORMERR"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("column 10"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("accel.count"), std::string::npos) << bad.output;
}

TEST_F(ResolverdDiscover, RepeatedDiscoveryIsAnsweredFromTheCache) {
  start_hierarchy();
  auto r = start();
  const std::string selector = "kind=gpu accel.count>=8 order=price";
  auto first = discover(*r, ".", selector);
  ASSERT_TRUE(first) << r->log();
  ASSERT_EQ(partial_text(*first), "") << describe(*first);
  auto second = discover(*r, ".", selector);
  ASSERT_TRUE(second);
  EXPECT_EQ(result_names(*second), result_names(*first));
  EXPECT_FALSE(result_names(*second).empty());
  EXPECT_TRUE(second->has_flag(wire::flag::ad)) << describe(*second);
  // The counters reach the control socket up to a second late.
  int cache_answers = 0, queries = 0;
  const auto end = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < end) {
    auto stats = run_command(
        {CIDNS_ADMIN_PATH, "resolver", "stats", "--json", "--socket", r->control_path()}, m_dir);
    ASSERT_EQ(stats.exit_code, 0) << stats.output;
    auto j = nlohmann::json::parse(stats.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << stats.output;
    cache_answers = j["stats"]["discovery"].value("cache_answers", 0);
    queries = j["stats"]["discovery"].value("queries", 0);
    if (cache_answers >= 1 && queries >= 2) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(queries, 2);
  EXPECT_EQ(cache_answers, 1);
}

}  // namespace
}  // namespace cidns::itest
