// update_bench: dynamic UPDATEs applied per second by cidns-authd's zone manager (the part
// after authentication: plan, build the new version, re-sign when signed online, journal
// durably, publish), on a gen-zone zone of N resources, each update replacing one resource's
// STATE as a provider's agent does. No sockets: the figure is the server's own cost per update.
//   update_bench [--resources N] [--updates K] [--signed] [--dir DIR]
// Prints the load time, updates per second, p50/p99 latency per update and peak RSS.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/dnssec/key_files.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/util/log.hpp"
#include "update_policy.hpp"
#include "zone_gen.hpp"
#include "zone_manager.hpp"

namespace {

using namespace cidns;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

long peak_rss_mib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

wire::message state_update(const name::identifier& zone, std::size_t resource, std::size_t i) {
  const auto owner = name::identifier::parse(
                         fmt::format("r{}.pool{}.{}", resource, resource / 1000, bench::gen_origin))
                         .value();
  const std::string text = fmt::format("free={} score={}", i % 9, i % 11);
  auto tokens = record::tokenize_line(text).value();  // views into `text`
  wire::message m;
  m.opcode = wire::opcode::update;
  m.question = wire::question{zone, record::rtype::soa};
  m.changes.push_back({wire::change_kind::delete_rrset, {owner, record::rtype::state, 0, {}}});
  m.changes.push_back({wire::change_kind::add,
                       {owner, record::rtype::state, 30,
                        record::parse_data(record::rtype::state, tokens, zone).value()}});
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t resources = 10000, updates = 50;
  bool sign = false;
  std::string dir = (std::filesystem::temp_directory_path() / "cidns-update-bench").string();
  CLI::App app{"update_bench: dynamic UPDATEs per second through cidns-authd's zone manager"};
  app.add_option("--resources", resources, "resources in the zone (DESC + STATE + EP each)");
  app.add_option("--updates", updates, "updates to apply (one STATE replaced each)");
  app.add_flag("--signed", sign, "sign the zone online (Ed25519): each update is re-signed");
  app.add_option("--dir", dir, "scratch folder (zonefile, key, journal); emptied first");
  CLI11_PARSE(app, argc, argv);
  log::threshold() = std::getenv("UPDATE_BENCH_LOG") ? log::level::info : log::level::warning;

  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/zone";
  std::FILE* f = std::fopen(file.c_str(), "w");
  bench::write_cidns_zone(f, resources);
  std::fclose(f);
  const auto zone = name::identifier::parse(bench::gen_origin).value();
  authd::zone_config zc{zone, file, {}, authd::default_sig_validity};
  if (sign) {
    auto key =
        dnssec::zone_key::from(dnssec::private_key::generate(record::algorithm::ed25519), true);
    zc.keys.push_back(dnssec::write_key_files(zone, key, dir, 3600).value().private_path);
  }
  authd::update_policy policy;
  policy.add(
      authd::parse_update_rule(fmt::format("{} agent. *.{} STATE", zone.text(), zone.text())));
  auto journal = store::journal::open(dir + "/journal");
  authd::zone_registry registry;
  authd::zone_manager manager({zc}, registry);
  manager.enable_updates(&policy, &journal);
  auto t0 = clock_type::now();
  if (!manager.load_all()) {
    std::fprintf(stderr, "update_bench: the zone did not load\n");
    return 1;
  }
  const double load_ms = ms_since(t0);

  std::vector<double> latency;
  latency.reserve(updates);
  const auto start = clock_type::now();
  for (std::size_t i = 0; i < updates; ++i) {
    auto m = state_update(zone, (i * 7919) % resources, i);
    auto t = clock_type::now();
    auto r = manager.apply_update(m, "agent.");
    latency.push_back(ms_since(t));
    if (r.rcode != wire::rcode::noerror || !r.changed) {
      std::fprintf(stderr, "update_bench: update %zu: %s\n", i, r.why.c_str());
      return 1;
    }
  }
  const double total_s = ms_since(start) / 1000;
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) {
    return latency[std::min(latency.size() - 1, static_cast<std::size_t>(p * latency.size()))];
  };
  fmt::print(
      "resources {}  {}  load {:.0f} ms  updates {}  {:.1f} updates/s  p50 {:.1f} ms  p99 {:.1f} "
      "ms  peak RSS {} MiB\n",
      resources, sign ? "signed" : "unsigned", load_ms, updates, updates / total_s, pct(0.5),
      pct(0.99), peak_rss_mib());
  std::filesystem::remove_all(dir);
  return 0;
}
