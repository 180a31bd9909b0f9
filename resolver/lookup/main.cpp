// cidns-lookup: ask the configured resolvers (or one server) one question through the stub
// library and print the reply as dig does, or (--discover) the resources a selector finds
// as a table (docs/cidns-lookup.md). Exit: 0 an answer, 1 NXDOMAIN or NODATA, 2 failure,
// 3 a referral (DESIGN §8); --discover: 0 something matched, 1 nothing did, 2 failure.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/stub/config.hpp"
#include "cidns/stub/discover.hpp"
#include "cidns/stub/resolver.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/util/version.hpp"
#include "cidns/wire/print.hpp"
#include "discover_output.hpp"
#include "flags.hpp"
#include "trace.hpp"

namespace {

using namespace cidns;

constexpr int exit_failure = 2;

struct options {
  std::string name;
  std::string type = "RESOURCE";
  std::string server;
  bool norec = false;
  bool tcp = false;
  bool json = false;
  bool short_output = false;
  bool dnssec = false;
  bool cd = false;
  int timeout_ms = 0;  // 0: from the stub's configuration
  int attempts = 0;
  bool trace = false;
  std::vector<std::string> roots;
  std::string trust_anchor;
  std::string discover;
  std::string scope;
};

int fail(const std::string& why) {
  std::fprintf(stderr, "cidns-lookup: %s\n", why.c_str());
  return exit_failure;
}

// An identifier, or a cid:// URI (its /path is not resolved).
result<name::identifier> parse_name(const std::string& text) {
  if (text.rfind("cid://", 0) == 0 || text.rfind("CID://", 0) == 0) {
    auto uri = name::parse_uri(text);
    if (!uri) return std::move(uri).err();
    return uri->id;
  }
  return name::identifier::parse(text);
}

// --server replaces the configured resolvers; --timeout and --attempts override theirs.
result<stub::resolver_config> make_config(const options& o) {
  stub::resolver_config config;
  if (o.server.empty()) {
    auto loaded = stub::load_system_config();
    if (!loaded) return std::move(loaded).err();
    config = std::move(*loaded);
    for (const auto& server : config.servers) {
      if (server.port == 0)
        return make_error(fmt::format("{}: '{}': port 0 is not a server port (allowed: 1 to 65535)",
                                      config.source, server.to_string()));
    }
  } else {
    auto ep = lookup::parse_server_flag("--server", o.server);
    if (!ep) return std::move(ep).err();
    config.servers = {*ep};
    config.source = "--server";
  }
  if (o.timeout_ms > 0) config.timeout = std::chrono::milliseconds(o.timeout_ms);
  if (o.attempts > 0) config.attempts = o.attempts;
  return config;
}

void print(const options& o, const stub::lookup_result& got) {
  const double ms = static_cast<double>(got.elapsed.count()) / 1000.0;
  const char* transport = got.tcp ? "tcp" : "udp";
  if (o.json) {
    nlohmann::json j = wire::to_json(got.reply);
    j["server"] = got.server.to_string();
    j["transport"] = transport;
    j["size"] = got.size;
    j["time_ms"] = ms;
    j["outcome"] = stub::outcome_name(got.kind);
    j["validation"] = {{"state", stub::validation_name(got.validation.state)},
                       {"reason", got.validation.reason}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (o.short_output) {
    for (const auto& r : got.reply.answer)
      std::printf("%s\n", record::format_data(r.type, r.data).c_str());
    return;
  }
  if (got.retried_after_tc) std::printf(";; truncated over UDP, retried over TCP\n");
  std::printf("%s", wire::format_message(got.reply).c_str());
  if (o.dnssec) std::printf("\n;; VALIDATION: %s\n", got.validation.text().c_str());
  std::printf("\n;; SERVER: %s (%s)\n;; Query time: %.1f ms\n;; MSG SIZE rcvd: %zu\n",
              got.server.to_string().c_str(), transport, ms, got.size);
}

int run_trace_mode(const options& o, const name::identifier& qname, record::rtype qtype) {
  lookup::trace_options t;
  t.name = qname;
  t.type = qtype;
  for (const auto& text : o.roots) {
    auto ep = lookup::parse_server_flag("--root", text);
    if (!ep) return fail(ep.err().message);
    t.roots.push_back(*ep);
  }
  t.trust_anchor = o.trust_anchor;
  t.json = o.json;
  t.tcp = o.tcp;
  if (o.timeout_ms > 0) t.timeout = std::chrono::milliseconds(o.timeout_ms);
  return lookup::run_trace(t);
}

// --discover SELECTOR [--in SCOPE]: exit 0 something matched, 1 nothing did, 2 failure.
int run_discover_mode(const options& o) {
  if (!o.name.empty())
    return fail(fmt::format("{}: NAME is not taken with --discover (use --in SCOPE)", o.name));
  if (o.trace) return fail("--trace does not combine with --discover");
  if (o.short_output) return fail("--short does not combine with --discover");
  lookup::discover_request asked{.selector = o.discover, .scope = {}, .dnssec = o.dnssec};
  if (!o.scope.empty()) {
    auto scope = name::identifier::parse(o.scope);
    if (!scope) return fail(fmt::format("--in {}: {}", o.scope, scope.err().message));
    asked.scope = std::move(*scope);
  }
  auto config = make_config(o);
  if (!config) return fail(config.err().message);
  const stub::resolver stub(std::move(*config));
  const stub::query_options q{.dnssec = o.dnssec, .cd = o.cd, .tcp = o.tcp, .norec = o.norec};
  auto got = stub.discover(asked.selector, asked.scope, q);
  if (!got) return fail(got.err().message);
  if (o.json) {
    std::printf("%s\n", lookup::discovery_to_json(*got, asked).dump(2).c_str());
  } else {
    if (got->lookup.retried_after_tc) std::printf(";; truncated over UDP, retried over TCP\n");
    std::printf("%s", lookup::format_discovery(*got, asked).c_str());
  }
  return stub::exit_code(*got);
}

int run(const options& o) {
  if (!o.discover.empty()) return run_discover_mode(o);
  if (o.name.empty()) return fail("NAME is required (run with --help for usage)");
  auto qname = parse_name(o.name);
  if (!qname) return fail(fmt::format("{}: {}", o.name, qname.err().message));
  auto qtype = record::parse_type(o.type);
  if (!qtype || *qtype == record::rtype::none)
    return fail(fmt::format("{}: unknown record type", o.type));
  if (o.trace && o.short_output) return fail("--short does not combine with --trace");
  if (o.trace) return run_trace_mode(o, *qname, *qtype);

  auto config = make_config(o);
  if (!config) return fail(config.err().message);
  const stub::resolver stub(std::move(*config));
  const stub::query_options q{.dnssec = o.dnssec, .cd = o.cd, .tcp = o.tcp, .norec = o.norec};
  auto got = stub.lookup(*qname, *qtype, q);
  if (!got) return fail(got.err().message);
  print(o, *got);
  return stub::exit_code(got->kind);
}

void add_options(CLI::App& app, options& o) {
  app.add_option("name", o.name,
                 "identifier (or cid:// URI) to look up (required but with "
                 "--discover)");
  app.add_option("type", o.type, "record type (default RESOURCE: DESC + STATE + EP)");
  app.add_option("-s,--server", o.server,
                 "ask this server, ADDR[:PORT] (default: the stub's resolvers from "
                 "CIDNS_RESOLVER, /etc/cidns/resolv.conf, else 127.0.0.1:5380)");
  app.add_flag("--norec", o.norec, "clear RD (ask an authoritative server directly)");
  app.add_flag("--tcp", o.tcp, "use TCP from the start");
  auto* json = app.add_flag("--json", o.json, "print the reply as JSON");
  app.add_flag("--short", o.short_output,
               "print only the answer's data, one record a line (as dig +short)")
      ->excludes(json);
  app.add_flag("--dnssec", o.dnssec,
               "set DO: show SIGs and denial proofs, and the validation state");
  app.add_flag("--cd", o.cd, "set CD: ask the resolver not to validate");
  app.add_option("--timeout", o.timeout_ms,
                 "milliseconds to wait for each reply (default: the configuration's, 2000)")
      ->check(whole_number(1, stub::max_timeout.count(), "milliseconds"));
  app.add_option("--attempts", o.attempts,
                 "rounds over the servers (default: the configuration's, 2)")
      ->check(whole_number(1, stub::max_attempts, "rounds"));
  app.add_flag("--trace", o.trace, "iterate from the root servers, printing each step");
  app.add_option("--root", o.roots, "root server ADDR[:PORT] for --trace (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--trust-anchor", o.trust_anchor, "root KEY or DS records for --trace");
  app.add_option("--discover", o.discover,
                 "find resources matching this selector (docs/SELECTORS.md) and print them as a "
                 "table (exit 0 something matched, 1 nothing did, 2 failure)");
  app.add_option("--in", o.scope, "scope of --discover (default: the root)");
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"cidns-lookup: query cidns resolvers or a server and print the reply",
               "cidns-lookup"};
  set_program_failure_message(app, "cidns-lookup");
  add_version_flag(app, "cidns-lookup", project_version);
  add_options(app, o);
  app.footer(
      "Exit status: 0 an answer, 1 NXDOMAIN or NODATA, 2 failure (SERVFAIL, REFUSED, FORMERR, "
      "timeout, bad input), 3 a referral. --discover: 0 something matched, 1 nothing did, 2 "
      "failure.");
  if (auto habit = lookup::dig_habit(app, argc, argv)) return fail(*habit);
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  return run(o);
}
