// cidns-lookup --trace: the resolver engine (lib/resolve) driven synchronously from the root
// servers, with no cache, over blocking sockets; every step the engine takes is printed, then
// the answer and its validation state.
#include "trace.hpp"

#include <cstdio>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cidns/net/client.hpp"
#include "cidns/resolve/engine.hpp"
#include "cidns/stub/answer.hpp"
#include "cidns/wire/print.hpp"

namespace cidns::lookup {
namespace {

resolve::time_ms now_ms() {
  return static_cast<resolve::time_ms>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
}

// One upstream exchange over a blocking socket, within the engine's deadline.
void exchange(resolve::engine& e, resolve::upstream_query& q, std::chrono::milliseconds limit) {
  auto ep = net::parse_endpoint(q.to.to_string());
  if (!ep) return e.on_failure(q.token, now_ms());
  const auto left = q.deadline > now_ms() ? q.deadline - now_ms() : 1;
  const auto timeout = std::min(limit, std::chrono::milliseconds(left));
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(q.bytes.data()),
                                      q.bytes.size());
  auto reply =
      q.tcp ? net::tcp_exchange(*ep, bytes, timeout) : net::udp_exchange(*ep, bytes, timeout);
  if (reply) {
    e.on_reply(q.token, q.to, *reply, now_ms());
  } else {
    e.on_failure(q.token, now_ms());
  }
}

}  // namespace

int run_trace(const trace_options& o) {
  resolve::engine_options eo;
  for (const auto& r : o.roots) {
    auto s = resolve::server_address::parse(r.to_string());
    if (!s) {
      std::fprintf(stderr, "cidns-lookup: --root %s: not an address\n", r.to_string().c_str());
      return 2;
    }
    eo.root_servers.push_back(*s);
  }
  if (!o.trust_anchor.empty()) {
    auto ta = resolve::load_trust_anchor(o.trust_anchor);
    if (!ta) {
      std::fprintf(stderr, "cidns-lookup: --trust-anchor %s\n", ta.err().message.c_str());
      return 2;
    }
    eo.anchor = std::move(*ta);
  }
  nlohmann::json steps = nlohmann::json::array();
  eo.trace = [&](std::string_view line) {
    if (o.json) {
      steps.push_back(std::string(line));
    } else {
      std::printf(";; %.*s\n", static_cast<int>(line.size()), line.data());
    }
  };
  std::mt19937_64 rng(std::random_device{}());
  resolve::engine engine(eo, nullptr, [&rng] { return rng(); });
  const std::uint32_t flags = wire::flag::rd | wire::flag::ad | wire::flag::do_;
  engine.start({o.name, o.type}, flags, now_ms());
  std::vector<resolve::client_answer> answers;
  while (answers.empty()) {
    auto queries = engine.take_queries();
    for (auto& q : queries) exchange(engine, q, o.timeout);
    answers = engine.take_answers();
    if (!answers.empty() || !queries.empty()) continue;
    auto next = engine.next_deadline();
    if (!next) break;
    if (*next > now_ms()) std::this_thread::sleep_for(std::chrono::milliseconds(*next - now_ms()));
    engine.tick(now_ms());
    answers = engine.take_answers();
  }
  if (answers.empty()) {
    std::fprintf(stderr, "cidns-lookup: the trace ended without an answer\n");
    return 2;
  }
  const auto& reply = answers.front().reply;
  const auto state = resolve::security_name(answers.front().state);
  const std::string reason = reply.error ? reply.error->text : "";
  if (o.json) {
    nlohmann::json j = wire::to_json(reply);
    j["trace"] = steps;
    j["validation"] = {{"state", state}, {"reason", reason}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("\n%s", wire::format_message(reply).c_str());
    std::printf("\n;; VALIDATION: %s%s\n", std::string(state).c_str(),
                reason.empty() ? "" : fmt::format(" ({})", reason).c_str());
  }
  return stub::exit_code(stub::classify(reply));
}

}  // namespace cidns::lookup
