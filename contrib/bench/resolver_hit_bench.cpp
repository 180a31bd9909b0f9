// resolver_hit_bench: the resolver's cache-hit path in process, no sockets (issue 7's "a cache
// hit costs no more server CPU than Unbound's"): engine::start() of a cached question, the
// answer taken, the reply encoded with a reply_builder as cidns-resolverd does, per op in ns.
// Usage: resolver_hit_bench [ENTRIES [SECONDS [DIR]]] (defaults 10000, 3, a temp dir under
// /tmp, removed after). The cache holds RESOURCE-like DESC, STATE and EP records per name, no
// trust anchor (as compare-resolver.sh runs it). Under `valgrind --tool=callgrind` it gives
// instructions per hit.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cidns/resolve/engine.hpp"
#include "cidns/resolve/lmdb_cache.hpp"
#include "cidns/wire/reply_builder.hpp"

using namespace cidns;

namespace {

resolve::time_ms wall_ms() {
  return static_cast<resolve::time_ms>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t entries = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000;
  const double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 3.0;
  std::string dir;
  bool remove_dir = false;
  if (argc > 3) {
    dir = argv[3];
  } else {
    char tmpl[] = "/tmp/cidns-resolver-hit-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return 2;
    dir = tmpl;
    remove_dir = true;
  }
  if (entries == 0) return 2;
  std::vector<wire::question> questions;
  questions.reserve(entries);
  for (std::size_t i = 0; i < entries; ++i) {
    auto n = name::identifier::parse(fmt::format("h{}.pool{}.provx.cn-north.", i, i % 97));
    if (!n) return 2;
    questions.push_back({*n, record::rtype::desc});
  }
  {
    resolve::lmdb_cache_options o;
    o.dir = dir + "/cache";
    o.max_size = 1ull << 30;
    auto cache = resolve::lmdb_cache::open(o);
    const auto now = wall_ms();
    const auto now_s = static_cast<std::uint32_t>(now / 1000);
    for (std::size_t i = 0; i < entries; ++i) {
      const auto& n = questions[i].name;
      resolve::cache_entry e;
      e.rank = resolve::rank::auth;
      e.state = resolve::security::indeterminate;
      e.stored = now_s;
      e.ttl = 3600;
      e.records = {{n, record::rtype::desc, 3600, std::string(120, 'd')},
                   {n, record::rtype::state, 30, std::string(20, 's')},
                   {n, record::rtype::ep, 3600, std::string(40, 'e')}};
      cache->put(n, record::rtype::desc, e, now_s);
    }
    resolve::engine_options eo;
    eo.root_servers.push_back(*resolve::server_address::parse("127.0.0.2:5380"));
    std::uint64_t seed = 1;
    resolve::engine engine(eo, cache.get(),
                           [&seed] { return seed = seed * 6364136223846793005u + 1; });
    wire::reply_builder builder;

    std::mt19937_64 rng(1);
    std::uniform_int_distribution<std::size_t> pick(0, entries - 1);
    std::size_t ops = 0, hits = 0, misses = 0, bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      const auto t = wall_ms();
      for (int i = 0; i < 1000; ++i) {
        const auto& q = questions[pick(rng)];
        const auto id = engine.start(q, wire::flag::rd, t);
        for (auto& a : engine.take_answers()) {
          const auto& m = a.reply;
          builder.start(static_cast<std::uint32_t>(id), m.opcode, m.flags | wire::flag::qr,
                        m.rcode);
          if (m.question) builder.set_question(m.question->name.text(), m.question->type);
          for (const auto& r : m.answer) builder.add(wire::section::answer, r);
          for (const auto& r : m.authority) builder.add(wire::section::authority, r);
          if (m.error) builder.set_error(m.error->code, m.error->text);
          bytes += builder.finish(1232).size();
          ++hits;
        }
        misses += engine.take_queries().size();
      }
      ops += 1000;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    fmt::print(
        "resolver_hit_bench: {} questions, {} answered from the cache, {} upstream queries "
        "in {:.2f} s: {:.0f} ns per question, {:.0f} bytes per reply\n",
        ops, hits, misses, elapsed, 1e9 * elapsed / static_cast<double>(ops),
        hits ? static_cast<double>(bytes) / static_cast<double>(hits) : 0.0);
  }
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}
