// discover_bench (issue 8, bench b): end-to-end DISCOVER latency through a resolver, as an
// application sees it: N discoveries of one selector under one scope via
// cidns::stub::resolver::discover(), sync, one at a time, each timed from the call to the
// decoded result. Prints p50/p90/p99/max with the result counts (resources, partial
// results, failures, validation states); --json prints one object for scripts.
//   --before CMD     runs CMD (sh -c) before each timed discovery, untimed: the cold runs of
//                    compare-discover.sh pass `cidns-admin resolver flush . --subtree ...`;
//   --vary-limit     the selector's limit=N (20 when absent) becomes N+1, N+2, ... (one per
//                    discovery, warm-up included): a new (scope, selector) each time, so the
//                    merged result is never a cache hit while the zones' keys and delegations
//                    stay cached; the result is the same when at most N resources match.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/stub/discover.hpp"
#include "cidns/stub/resolver.hpp"

using namespace cidns;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  std::string server = "127.0.0.1:5380";
  std::string scope = ".";
  std::string selector;
  std::string before;
  int count = 20;
  int warmup = 0;
  int timeout_ms = 10000;
  bool vary_limit = false;
  bool dnssec = false;
  bool tcp = false;
  bool json = false;
};

struct tally {
  std::vector<double> ms;  // latency of each timed discovery
  std::size_t min_resources = SIZE_MAX, max_resources = 0;
  int partial = 0, failures = 0, errors = 0, secure = 0, insecure = 0, bogus = 0;
  std::string last_problem;  // the last partial reason, failure or error, for the report
};

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// Where the selector's "limit=" item starts (npos: none).
std::size_t limit_at(const std::string& text) {
  for (std::size_t at = text.find("limit="); at != std::string::npos;
       at = text.find("limit=", at + 1)) {
    if (at == 0 || text[at - 1] == ' ' || text[at - 1] == '\t') return at;
  }
  return std::string::npos;
}

// The selector of discovery i. With --vary-limit the selector's limit=N (20 when absent)
// becomes limit=N+1+i: never the same (scope, selector), and the same result whenever fewer
// than N+1 resources match.
std::string selector_for(const options& o, int base_limit, int i) {
  if (!o.vary_limit) return o.selector;
  std::string text = o.selector;
  if (const auto at = limit_at(text); at != std::string::npos) {
    text.erase(at, text.find_first_of(" \t", at) - at);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
  return fmt::format("{}{}limit={}", text, text.empty() ? "" : " ", base_limit + 1 + i);
}

void note(tally& t, const result<stub::discovery>& r) {
  if (!r) {
    ++t.errors;
    t.last_problem = "error: " + r.err().message;
    return;
  }
  const auto& d = *r;
  t.min_resources = std::min(t.min_resources, d.resources.size());
  t.max_resources = std::max(t.max_resources, d.resources.size());
  if (d.kind == stub::outcome::failure) {
    ++t.failures;
    t.last_problem = fmt::format("failure ({}): {}", d.validation.text(),
                                 wire::rcode_name(d.lookup.reply.rcode));
  }
  if (d.partial) {
    ++t.partial;
    t.last_problem = "partial: " + d.partial_reason;
  }
  switch (d.validation.state) {
    case stub::validation::secure:
      ++t.secure;
      break;
    case stub::validation::insecure:
      ++t.insecure;
      break;
    case stub::validation::bogus:
      ++t.bogus;
      break;
  }
}

// Runs `o.before` (untimed); false when it failed.
bool run_before(const options& o) {
  if (o.before.empty()) return true;
  const int rc = std::system(o.before.c_str());
  if (rc != 0) std::fprintf(stderr, "discover_bench: --before command failed (status %d)\n", rc);
  return rc == 0;
}

void report(const options& o, tally& t) {
  std::sort(t.ms.begin(), t.ms.end());
  const double max = t.ms.empty() ? 0 : t.ms.back();
  double sum = 0;
  for (double v : t.ms) sum += v;
  const double mean = t.ms.empty() ? 0 : sum / static_cast<double>(t.ms.size());
  const std::size_t min_res = t.min_resources == SIZE_MAX ? 0 : t.min_resources;
  if (o.json) {
    std::string problem;  // JSON string escaping of the few characters that matter
    for (char c : t.last_problem) {
      if (c == '"' || c == '\\') problem += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) problem += c;
    }
    fmt::print(
        "{{\"count\": {}, \"p50_ms\": {:.3f}, \"p90_ms\": {:.3f}, \"p99_ms\": {:.3f}, "
        "\"max_ms\": {:.3f}, \"mean_ms\": {:.3f}, \"resources_min\": {}, \"resources_max\": {}, "
        "\"partial\": {}, \"failures\": {}, \"errors\": {}, \"secure\": {}, \"insecure\": {}, "
        "\"bogus\": {}, \"problem\": \"{}\"}}\n",
        t.ms.size(), quantile(t.ms, 0.5), quantile(t.ms, 0.9), quantile(t.ms, 0.99), max, mean,
        min_res, t.max_resources, t.partial, t.failures, t.errors, t.secure, t.insecure, t.bogus,
        problem);
    return;
  }
  fmt::print("discoveries  {} under {} of \"{}\"{}\n", t.ms.size(), o.scope, o.selector,
             o.vary_limit ? " (limit varied)" : "");
  fmt::print("latency ms   p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}  mean {:.3f}\n",
             quantile(t.ms, 0.5), quantile(t.ms, 0.9), quantile(t.ms, 0.99), max, mean);
  fmt::print("resources    {}..{} per discovery\n", min_res, t.max_resources);
  fmt::print("validation   secure {}  insecure {}  bogus {}\n", t.secure, t.insecure, t.bogus);
  fmt::print("problems     partial {}  failures {}  errors {}\n", t.partial, t.failures, t.errors);
  if (!t.last_problem.empty()) fmt::print("last problem {}\n", t.last_problem);
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"discover_bench: DISCOVER latency through a resolver via the stub, one at a time"};
  app.add_option("-s,--server", o.server, "resolver ADDR[:PORT]")->capture_default_str();
  app.add_option("--scope", o.scope, "scope of the discovery")->capture_default_str();
  app.add_option("--selector", o.selector, "selector text (docs/SELECTORS.md)")->required();
  app.add_option("-n,--count", o.count, "timed discoveries")->capture_default_str();
  app.add_option("-w,--warmup", o.warmup, "untimed discoveries first")->capture_default_str();
  app.add_option("--before", o.before, "shell command run (untimed) before each discovery");
  app.add_flag("--vary-limit", o.vary_limit, "limit=N becomes N+1+i: never the same selector");
  app.add_option("--timeout-ms", o.timeout_ms, "stub timeout per try")->capture_default_str();
  app.add_flag("--dnssec", o.dnssec, "set DO (ask for the SIGs)");
  app.add_flag("--tcp", o.tcp, "TCP from the start");
  app.add_flag("--json", o.json, "one JSON object");
  CLI11_PARSE(app, argc, argv);

  if (o.count < 1 || o.warmup < 0 || o.timeout_ms < 1) {
    std::fprintf(stderr, "discover_bench: --count >= 1, --warmup >= 0, --timeout-ms >= 1\n");
    return 2;
  }
  int base_limit = 20;
  if (const auto at = limit_at(o.selector); at != std::string::npos) {
    base_limit = std::atoi(o.selector.c_str() + at + 6);
  }
  if (o.vary_limit && (base_limit < 1 || base_limit + o.count + o.warmup > 1000)) {
    std::fprintf(stderr, "discover_bench: --vary-limit needs limit + count + warmup <= 1000\n");
    return 2;
  }
  auto server = net::parse_endpoint(o.server);
  if (!server) {
    std::fprintf(stderr, "discover_bench: --server: %s\n", server.err().message.c_str());
    return 2;
  }
  auto scope = name::identifier::parse(o.scope);
  if (!scope) {
    std::fprintf(stderr, "discover_bench: --scope: %s\n", scope.err().message.c_str());
    return 2;
  }
  stub::resolver_config cfg;
  cfg.servers = {*server};
  cfg.timeout = std::chrono::milliseconds(o.timeout_ms);
  cfg.attempts = 1;
  const stub::resolver res(cfg);
  stub::query_options q;
  q.dnssec = o.dnssec;
  q.tcp = o.tcp;

  tally t;
  for (int i = 0; i < o.warmup + o.count; ++i) {
    if (!run_before(o)) return 1;
    const std::string sel = selector_for(o, base_limit, i);
    const auto t0 = clock_type::now();
    auto r = res.discover(sel, *scope, q);
    const auto t1 = clock_type::now();
    if (i < o.warmup) continue;
    t.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    note(t, r);
  }
  report(o, t);
  return t.errors == static_cast<int>(t.ms.size()) ? 1 : 0;
}
