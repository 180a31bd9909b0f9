// respond_bench: cidns-authd's answering in process, no sockets: responder::respond() on T
// threads sharing one zone registry (a 20,000-resource zone, 5 % names that do not exist), and
// the zone snapshot lookup alone, per-thread (zone_registry::read(), what queries use) against
// the shared atomic<shared_ptr> (zone_registry::load()). Prints answers (or lookups) per
// second, CPU ns per answer and CPU/wall; run with 1 then 2 (or more) threads for the scaling.
//   respond_bench [THREADS] [SECONDS] [answer|read|load]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

using namespace cidns;

namespace {

double thread_cpu_s() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::puts(
        "usage: respond_bench [THREADS] [SECONDS] [answer|read|load]\n"
        "answer (default): responder::respond() per query; read: the per-thread zone snapshot\n"
        "lookup alone; load: the shared atomic<shared_ptr> lookup alone (the old hot path).");
    return 0;
  }
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3;
  const std::string_view mode = argc > 3 ? std::string_view(argv[3]) : "answer";
  if (threads < 1 || threads > 256 || seconds <= 0 ||
      (mode != "answer" && mode != "read" && mode != "load")) {
    std::fputs("respond_bench: bad arguments (try --help)\n", stderr);
    return 2;
  }
  const std::size_t resources = 20000;
  std::string z =
      "$ORIGIN provx.cn-north.\n$TTL 1h\n@ SOA ns1 hostmaster 1 1h 10m 14d 5m\n"
      "@ NS ns1\nns1 ADDR 127.0.0.21\n";
  for (std::size_t i = 0; i < resources; ++i) {
    z += fmt::format(
        "r{0}.pool{1} DESC kind=gpu accel.vendor=nvidia accel.model=nvidia-h100-sxm5 "
        "accel.count=8 region=cn-north.beijing price=2.{2}CNY\n",
        i, i % 97, i % 10);
  }
  zone::load_options options;
  options.read.origin = name::identifier::parse("provx.cn-north.").value();
  options.compile = true;
  auto loaded = zone::load_text(z, "b.zone", options);
  if (!loaded.compiled) return 1;
  authd::zone_registry registry;
  registry.publish(loaded.compiled);
  serve::query_stats stats;
  authd::responder r(registry, stats);
  std::vector<std::string> queries;
  std::mt19937 rng(1);
  for (int i = 0; i < 50000; ++i) {
    std::size_t k = rng() % resources;
    bool nx = rng() % 20 == 0;
    wire::message q;
    q.id = static_cast<std::uint32_t>(i);
    q.question = wire::question{name::identifier::parse(fmt::format("{}r{}.pool{}.provx.cn-north.",
                                                                    nx ? "nx-" : "", k, k % 97))
                                    .value(),
                                record::rtype::desc};
    queries.push_back(wire::encode(q));
  }
  std::atomic<bool> go{false}, stop{false};
  std::vector<long> counts(threads);
  std::vector<double> cpu(threads);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::string reply;
      while (!go.load()) std::this_thread::yield();
      const double c0 = thread_cpu_s();
      long n = 0;
      std::size_t i = static_cast<std::size_t>(t) * 7919;
      std::size_t sink = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (mode == "read") {
          for (int k = 0; k < 64; ++k) {
            auto v = registry.read();
            sink += v->zones().size();
          }
        } else if (mode == "load") {
          for (int k = 0; k < 64; ++k) {
            auto v = registry.load();
            sink += v->zones().size();
          }
        } else {
          for (int k = 0; k < 64; ++k) {
            r.respond(queries[i % queries.size()], true, reply);
            ++i;
          }
        }
        n += 64;
      }
      if (sink == 42) std::puts("");
      cpu[t] = thread_cpu_s() - c0;
      counts[t] = n;
    });
  }
  const auto t0 = std::chrono::steady_clock::now();
  go.store(true);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& t : ts) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long total = 0;
  double cpu_total = 0;
  for (int t = 0; t < threads; ++t) {
    total += counts[t];
    cpu_total += cpu[t];
  }
  std::printf("%s  threads %d  per second %.0f  cpu ns each %.1f  cpu/wall %.2f\n",
              std::string(mode).c_str(), threads, static_cast<double>(total) / wall,
              cpu_total * 1e9 / static_cast<double>(total), cpu_total / wall);
  return 0;
}
