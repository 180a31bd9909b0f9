// Zonefile reading and checking speed on a generated zone of N resources
// (DESC + STATE + EP each; N from $CIDNS_ZONE_RESOURCES, default 1000000).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cidns/zone/checker.hpp"
#include "cidns/zone/reader.hpp"
#include "zone_gen.hpp"

namespace {

struct generated_zone {
  std::string path;
  cidns::bench::gen_stats stats;
  generated_zone() {
    const char* env = std::getenv("CIDNS_ZONE_RESOURCES");
    const std::size_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 1000000;
    const char* tmp = std::getenv("TMPDIR");
    path = std::string(tmp != nullptr ? tmp : "/tmp") + "/cidns-zone-bench-" +
           std::to_string(::getpid()) + ".zone";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) std::abort();
    stats = cidns::bench::write_cidns_zone(f, n);
    std::fclose(f);
  }
  ~generated_zone() { std::remove(path.c_str()); }
};

const generated_zone& zone_file() {
  static const generated_zone z;
  return z;
}

void report(benchmark::State& state, const generated_zone& z) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * z.stats.bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * z.stats.records));
  state.counters["records"] = static_cast<double>(z.stats.records);
}

void BM_zone_read(benchmark::State& state) {
  const auto& z = zone_file();
  for (auto _ : state) {
    auto r = cidns::zone::read_file(z.path);
    if (!r || !r->ok()) state.SkipWithError("zone did not read cleanly");
    benchmark::DoNotOptimize(r);
  }
  report(state, z);
}

void BM_zone_read_check(benchmark::State& state) {
  const auto& z = zone_file();
  for (auto _ : state) {
    auto r = cidns::zone::read_file(z.path);
    if (!r || !r->ok()) {
      state.SkipWithError("zone did not read cleanly");
      break;
    }
    std::vector<cidns::zone::diagnostic> d;
    auto s = cidns::zone::check(r->zone, d);
    if (s.errors != 0) state.SkipWithError("zone check found errors");
    benchmark::DoNotOptimize(s);
  }
  report(state, z);
}

BENCHMARK(BM_zone_read)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_zone_read_check)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
