// cache_bench: lmdb_cache get() hits per second on one thread (issue 7's cache-hit cost).
// Usage: cache_bench [ENTRIES [SECONDS [DIR]]] (defaults 100000, 3, a temp dir under /tmp,
// removed after). Fills the cache with RESOURCE-like entries (DESC, STATE, EP and a SIG),
// then reads random ones.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cidns/resolve/lmdb_cache.hpp"

using namespace cidns;

int main(int argc, char** argv) {
  const std::size_t entries = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 3.0;
  std::string dir;
  bool remove_dir = false;
  if (argc > 3) {
    dir = argv[3];
  } else {
    char tmpl[] = "/tmp/cidns-cache-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return 2;
    dir = tmpl;
    remove_dir = true;
  }
  std::vector<name::identifier> names;
  names.reserve(entries);
  for (std::size_t i = 0; i < entries; ++i) {
    names.push_back(
        *name::identifier::parse(fmt::format("h{}.pool{}.prov{}.cn-north.", i, i % 97, i % 7)));
  }
  {
    resolve::lmdb_cache_options o;
    o.dir = dir + "/cache";
    o.max_size = 1ull << 30;
    auto cache = resolve::lmdb_cache::open(o);
    const auto fill_start = std::chrono::steady_clock::now();
    for (const auto& n : names) {
      resolve::cache_entry e;
      e.rank = resolve::rank::secure;
      e.state = resolve::security::secure;
      e.stored = 1000;
      e.ttl = 3600;
      e.records = {{n, record::rtype::desc, 3600, std::string(120, 'd')},
                   {n, record::rtype::state, 30, std::string(20, 's')},
                   {n, record::rtype::ep, 3600, std::string(40, 'e')},
                   {n, record::rtype::sig, 3600, std::string(110, 'g')}};
      cache->put(n, record::rtype::resource, e, 1000);
    }
    const double fill_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
    fmt::print("fill: {} entries in {:.2f} s ({:.0f} puts/s), {} MiB used\n", entries, fill_s,
               entries / fill_s, cache->stats().bytes_used >> 20);

    std::mt19937_64 rng(1);
    std::uniform_int_distribution<std::size_t> pick(0, entries - 1);
    std::size_t gets = 0, hits = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      for (int i = 0; i < 1000; ++i) {
        hits += cache->get(names[pick(rng)], record::rtype::resource).has_value();
      }
      gets += 1000;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    fmt::print("get: {} lookups, {} hits in {:.2f} s: {:.0f} hits/s, {:.2f} us per get\n", gets,
               hits, elapsed, hits / elapsed, 1e6 * elapsed / gets);
  }
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}
