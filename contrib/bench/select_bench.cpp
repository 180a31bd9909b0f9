// select_bench (issue 8, bench a): server-side selector evaluation over an N-resource zone
// held in memory as encoded DESC/STATE (as a compiled zone holds them). Builds the
// lib/select index, then times selective and broad selectors through the index and as a
// brute-force full scan (decode + matches + order) in the same run; prints p50/p99.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/record/data.hpp"
#include "cidns/select/index.hpp"
#include "cidns/select/selector.hpp"

using namespace cidns;
using clock_type = std::chrono::steady_clock;

namespace {

struct zone_source final : select::resource_source {
  std::vector<std::string> desc_wire, state_wire;  // state_wire empty: no STATE
  bool load(std::uint32_t id, record::desc& d, record::state& s, bool& has_state) const override {
    if (id >= desc_wire.size()) return false;
    auto dd = record::desc::decode(desc_wire[id]);
    if (!dd) return false;
    d = std::move(dd).value();
    has_state = !state_wire[id].empty();
    if (has_state) {
      auto ss = record::state::decode(state_wire[id]);
      has_state = ss.ok();
      if (has_state) s = std::move(ss).value();
    }
    return true;
  }
};

std::size_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4096;
}

void generate(zone_source& z, std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](auto& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  const std::vector<std::pair<const char*, const char*>> accels = {
      {"nvidia", "h100"},      {"nvidia", "h800"}, {"nvidia", "a100"}, {"nvidia", "l40s"},
      {"nvidia", "h20"},       {"huawei", "910b"}, {"huawei", "910c"}, {"amd", "mi300x"},
      {"cambricon", "mlu370"}, {"nvidia", "4090"}};
  const std::vector<const char*> regions = {
      "cn-north",         "cn-north.beijing",     "cn-north.tianjin",       "cn-northeast.shenyang",
      "cn-east.shanghai", "cn-east.hangzhou",     "cn-south.shenzhen",      "cn-west.chengdu",
      "us-west.oregon",   "eu-central.frankfurt", "ap-southeast.singapore", "cn-east.nanjing"};
  const std::vector<const char*> fws = {"pytorch:2.4", "pytorch:2.5",     "mindspore:2.3",
                                        "jax:0.4",     "tensorflow:2.15", "paddle:2.6"};
  const std::vector<std::uint32_t> counts = {1, 2, 4, 8, 8, 16};
  const std::vector<std::uint64_t> mems = {24576, 40960, 49152, 65536, 81920, 98304, 147456};
  std::uniform_int_distribution<int> pct(0, 99);
  z.desc_wire.reserve(n);
  z.state_wire.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    record::desc d;
    int k = pct(rng);
    d.kind = k < 70 ? 1 : (k < 85 ? 2 : 3);  // gpu, npu, cpu
    d.region = pick(regions);
    d.sched = 1 + static_cast<std::uint32_t>(pct(rng) % 6);
    if (*d.kind != 3) {
      auto [vendor, family] = pick(accels);
      d.accel_vendor = vendor;
      d.accel_family = family;
      d.accel_model = fmt::format("{}-{}", vendor, family);
      d.accel_count = pick(counts);
      d.accel_mem = pick(mems);
      d.frameworks = {pick(fws)};
      if (pct(rng) < 30) {
        std::string second = pick(fws);
        if (second != d.frameworks.front()) d.frameworks.push_back(second);
      }
    } else {
      d.vcpu = 16u << (pct(rng) % 5);
    }
    d.mem = 65536u << (pct(rng) % 4);
    d.price =
        300 + static_cast<std::uint64_t>(pct(rng)) * 60 + static_cast<std::uint64_t>(pct(rng));
    d.price_currency = pct(rng) < 80 ? "CNY" : "USD";
    d.price_unit = 1;
    z.desc_wire.push_back(d.encode());
    if (pct(rng) < 90) {
      record::state s;
      s.free = static_cast<std::uint32_t>(pct(rng) % 5);
      s.score = static_cast<std::uint32_t>(pct(rng) % 11);
      s.source = 2;
      z.state_wire.push_back(s.encode());
    } else {
      z.state_wire.emplace_back();
    }
  }
}

std::vector<std::uint32_t> brute(const select::selector& s, const zone_source& z) {
  struct hit {
    std::uint32_t id;
    record::desc d;
    record::state st;
    bool has;
  };
  std::vector<hit> hits;
  record::desc d;
  record::state st;
  bool has = false;
  for (std::uint32_t id = 0; id < z.desc_wire.size(); ++id) {
    if (!z.load(id, d, st, has)) continue;
    if (select::matches(s, {&d, has ? &st : nullptr})) hits.push_back({id, d, st, has});
  }
  auto before = [&](const hit& a, const hit& b) {
    int c = select::compare(s, {&a.d, a.has ? &a.st : nullptr}, {&b.d, b.has ? &b.st : nullptr});
    return c != 0 ? c < 0 : a.id < b.id;
  };
  auto cut = std::min<std::size_t>(s.limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(cut), hits.end(),
                    before);
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < cut; ++i) out.push_back(hits[i].id);
  return out;
}

struct timing {
  double p50_ms = 0, p99_ms = 0;
};

template <typename F>
timing measure(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = clock_type::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.50), at(0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"select_bench: DISCOVER selector evaluation, index vs full scan"};
  std::size_t n = 1'000'000;
  int runs = 200, scan_runs = 3;
  std::uint32_t seed = 42;
  std::vector<std::string> extra;
  app.add_option("-n,--resources", n, "resources in the zone");
  app.add_option("--runs", runs, "index evaluations per selector");
  app.add_option("--scan-runs", scan_runs, "full scans per selector (0: none)");
  app.add_option("--seed", seed, "generator seed");
  app.add_option("--selector", extra, "more selectors to time (repeatable)");
  CLI11_PARSE(app, argc, argv);

  zone_source z;
  auto t0 = clock_type::now();
  generate(z, n, seed);
  auto gen_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::size_t rss0 = rss_bytes();
  t0 = clock_type::now();
  select::index ix;
  {
    record::desc d;
    record::state st;
    bool has = false;
    for (std::uint32_t id = 0; id < n; ++id) {
      if (z.load(id, d, st, has)) ix.add(id, d, has ? &st : nullptr);
    }
  }
  ix.build();
  auto build_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::size_t rss1 = rss_bytes();
  fmt::print(
      "{} resources generated in {:.2f} s; index built in {:.2f} s, ~{:.0f} MiB "
      "(RSS growth; {:.0f} B/resource)\n",
      n, gen_s, build_s, static_cast<double>(rss1 - rss0) / (1 << 20),
      static_cast<double>(rss1 - rss0) / static_cast<double>(n));

  std::vector<std::pair<std::string, std::string>> sels = {
      {"selective",
       "accel.family=h100 accel.count>=8 region=cn-north* price<=3CNY free>=1 "
       "order=price limit=20"},
      {"broad", "kind=gpu order=price limit=20"},
      {"broad-noorder", "kind=gpu limit=20"},
      {"npu-mindspore", "kind=npu frameworks~mindspore region=cn-east* order=-free limit=20"},
  };
  for (const auto& e : extra) sels.emplace_back("extra", e);

  fmt::print("\n{:<14} {:>9} {:>9} {:>11} {:>10} {:>10} {:>6}  {}\n", "selector", "idx p50",
             "idx p99", "candidates", "scan p50", "scan p99", "same", "text");
  for (const auto& [label, text] : sels) {
    auto s = select::parse(text);
    if (!s) {
      fmt::print("{}: {}\n", text, s.err().message);
      return 2;
    }
    select::evaluation_stats st;
    std::vector<std::uint32_t> got;
    auto ti =
        measure(runs, [&] { got = ix.evaluate(*s, 0, static_cast<std::uint32_t>(n), z, &st); });
    timing ts;
    std::string same = "-";
    if (scan_runs > 0) {
      std::vector<std::uint32_t> want;
      ts = measure(scan_runs, [&] { want = brute(*s, z); });
      same = want == got ? "yes" : "NO";
    }
    fmt::print("{:<14} {:>7.3f}ms {:>7.3f}ms {:>11} {:>8.1f}ms {:>8.1f}ms {:>6}  {}\n", label,
               ti.p50_ms, ti.p99_ms, fmt::format("{}{}", st.candidates, st.scanned ? "*" : ""),
               ts.p50_ms, ts.p99_ms, same, text);
  }
  fmt::print(
      "\ncandidates: resources loaded and checked by the index (* = scanned); scan: "
      "decode every resource, matches(), order, cut.\n");
  return 0;
}
