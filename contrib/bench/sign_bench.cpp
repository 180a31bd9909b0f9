// sign_bench: signatures (and verifications) per second with cidns::dnssec keys, to set
// beside `openssl speed ed25519` / `openssl speed ecdsap256` (compare-sign.sh runs both).
//
// N threads share one key object (the way a zone signer uses it) and sign messages of
// --size random bytes for --seconds each; with --verify they then verify, with one
// public_key object, for as long again. A thread cycles through 64 messages, signed once
// beforehand for the verify phase. Rates are given in total, per thread (wall clock) and
// per core (operations per second of the threads' own CPU time, which is what to compare
// with openssl speed on a busy machine).
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cidns/dnssec/key.hpp"
#include "cidns/util/command_line.hpp"

namespace {

using cidns::dnssec::private_key;
using cidns::dnssec::public_key;

constexpr std::size_t messages_per_thread = 64;

struct config {
  std::string alg = "ed25519";
  double seconds = 3;
  unsigned threads = 1;
  std::size_t size = 200;
  bool verify = false;
  bool json = false;
};

struct thread_result {
  std::uint64_t ops = 0;
  double wall_s = 0;
  double cpu_s = 0;
  std::uint64_t failures = 0;
};

struct phase_result {
  std::uint64_t ops = 0;
  std::uint64_t failures = 0;
  double wall_s = 0;  // longest thread
  double cpu_s = 0;   // all threads
  double per_second() const { return wall_s > 0 ? static_cast<double>(ops) / wall_s : 0; }
  double per_core() const { return cpu_s > 0 ? static_cast<double>(ops) / cpu_s : 0; }
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::vector<std::string> random_messages(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::string> out(messages_per_thread, std::string(size, '\0'));
  for (auto& m : out) {
    for (auto& c : m) c = static_cast<char>(byte(rng));
  }
  return out;
}

// Runs `op(message_index)` in every thread for `seconds`, all starting together.
template <typename Op>
phase_result run_phase(const config& cfg, Op op) {
  std::vector<thread_result> results(cfg.threads);
  std::latch start(static_cast<std::ptrdiff_t>(cfg.threads));
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < cfg.threads; ++t) {
    threads.emplace_back([&, t] {
      thread_result& r = results[t];
      start.arrive_and_wait();
      const auto begin = std::chrono::steady_clock::now();
      const auto end = begin + std::chrono::duration<double>(cfg.seconds);
      const double cpu_begin = thread_cpu_seconds();
      auto now = begin;
      for (std::size_t i = 0; now < end; ++i) {
        if (!op(t, i % messages_per_thread)) ++r.failures;
        ++r.ops;
        now = std::chrono::steady_clock::now();
      }
      r.cpu_s = thread_cpu_seconds() - cpu_begin;
      r.wall_s = std::chrono::duration<double>(now - begin).count();
    });
  }
  for (auto& th : threads) th.join();
  phase_result total;
  for (const auto& r : results) {
    total.ops += r.ops;
    total.failures += r.failures;
    total.cpu_s += r.cpu_s;
    total.wall_s = std::max(total.wall_s, r.wall_s);
  }
  return total;
}

nlohmann::json phase_json(const phase_result& p, unsigned threads) {
  return {{"operations", p.ops},          {"failures", p.failures},
          {"wall_seconds", p.wall_s},     {"cpu_seconds", p.cpu_s},
          {"per_second", p.per_second()}, {"per_thread", p.per_second() / threads},
          {"per_core", p.per_core()}};
}

void print_phase(std::string_view what, const phase_result& p, unsigned threads) {
  fmt::print("{:<7} {:>10.0f} /s in total, {:>9.0f} /s per thread, {:>9.0f} /s per core", what,
             p.per_second(), p.per_second() / threads, p.per_core());
  fmt::print(" ({} in {:.2f} s, {:.2f} CPU s{})\n", p.ops, p.wall_s, p.cpu_s,
             p.failures != 0 ? fmt::format(", {} FAILED", p.failures) : "");
}

int run(const config& cfg, cidns::record::algorithm alg) {
  const private_key key = private_key::generate(alg);
  const public_key pub = key.public_key();
  std::vector<std::vector<std::string>> messages;
  for (unsigned t = 0; t < cfg.threads; ++t) messages.push_back(random_messages(cfg.size, t + 1));
  // Warm up: the first signature of a thread builds its pooled OpenSSL state.
  for (const auto& m : messages) (void)key.sign(m[0]);

  const phase_result sign = run_phase(
      cfg, [&](unsigned t, std::size_t i) { return key.sign(messages[t][i]).size() == 64; });
  phase_result verify;
  if (cfg.verify) {
    std::vector<std::vector<std::string>> sigs(cfg.threads);
    for (unsigned t = 0; t < cfg.threads; ++t) {
      for (const auto& m : messages[t]) sigs[t].push_back(key.sign(m));
    }
    verify = run_phase(cfg, [&](unsigned t, std::size_t i) {
      return pub.verify(messages[t][i], sigs[t][i]).ok();
    });
  }

  if (cfg.json) {
    nlohmann::json out = {{"algorithm", cfg.alg},
                          {"threads", cfg.threads},
                          {"seconds", cfg.seconds},
                          {"message_bytes", cfg.size},
                          {"sign", phase_json(sign, cfg.threads)}};
    if (cfg.verify) out["verify"] = phase_json(verify, cfg.threads);
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("sign_bench: {}, {}-byte messages, {} thread{}, {} s per phase, one shared key\n",
               cfg.alg, cfg.size, cfg.threads, cfg.threads == 1 ? "" : "s", cfg.seconds);
    print_phase("sign", sign, cfg.threads);
    if (cfg.verify) print_phase("verify", verify, cfg.threads);
  }
  return sign.failures + verify.failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  CLI::App app{
      "sign_bench: signatures per second with cidns keys (OpenSSL 3 EVP underneath).\n"
      "Threads share one key; compare the per-core figure with `openssl speed`."};
  app.add_option("--alg", cfg.alg, "ed25519, p256 or sm2 (default ed25519)")
      ->check(CLI::IsMember({"ed25519", "p256", "sm2"}, CLI::ignore_case));
  app.add_option("--seconds", cfg.seconds, "seconds per phase and thread (default 3)")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_option("--threads", cfg.threads, "threads sharing the key (default 1)")
      ->check(CLI::Range(1U, 1024U));
  app.add_option("--size", cfg.size, "message bytes (default 200)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24));
  app.add_flag("--verify", cfg.verify, "verify as well, for as long again");
  app.add_flag("--json", cfg.json, "print the results as one JSON object");
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  auto alg = cidns::dnssec::parse_algorithm(cfg.alg);
  if (!alg) {
    fmt::print(stderr, "sign_bench: --alg {}: expected ed25519, p256 or sm2\n", cfg.alg);
    return cidns::exit_usage_error;
  }
  cfg.alg = cidns::dnssec::algorithm_name(static_cast<std::uint32_t>(*alg));
  try {
    return run(cfg, *alg);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sign_bench: {}\n", e.what());
    return 1;
  }
}
