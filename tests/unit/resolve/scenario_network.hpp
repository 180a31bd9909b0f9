// The in-memory network and fake clock of the engine's scenario tests (PowerDNS's swapped
// async callback, STYLE.md): each server address answers with its own authd responder; a test
// can take servers down, rewrite their replies, or inject spoofed ones. `resolve()` runs the
// engine until the client's answer comes, advancing the clock to deadlines when nothing moves.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cidns/resolve/engine.hpp"
#include "cidns/serve/query_stats.hpp"
#include "responder.hpp"
#include "scenario_hierarchy.hpp"
#include "scenario_memory_cache.hpp"
#include "zone_set.hpp"

namespace cidns::resolve::test {

struct sent_query {
  server_address to;
  wire::question q;
  bool tcp = false;
  std::uint32_t flags = 0;
};

class scenario : public ::testing::Test {
 protected:
  struct server {
    std::unique_ptr<authd::zone_registry> registry = std::make_unique<authd::zone_registry>();
    std::unique_ptr<serve::query_stats> stats = std::make_unique<serve::query_stats>();
    std::unique_ptr<authd::responder> responder;
  };

  void SetUp() override { build(default_hierarchy()); }

  void build(const hierarchy& h, bool with_anchor = true) {
    m_h = &h;
    m_servers.clear();
    for (const auto& [address, origin] : hierarchy::servers()) {
      server s;
      s.registry->publish(h.zones.at(origin));
      s.responder = std::make_unique<authd::responder>(*s.registry, *s.stats);
      m_servers.emplace(addr(address), std::move(s));
    }
    m_options.root_servers = {addr("127.0.0.2:5380")};
    m_options.anchor.reset();
    if (with_anchor) m_options.anchor = h.anchor;
    m_options.trace = [this](std::string_view line) { m_trace.emplace_back(line); };
    m_engine.reset();
  }

  engine& eng() {
    if (!m_engine) {
      m_engine = std::make_unique<engine>(
          m_options, m_external != nullptr ? m_external : (m_use_cache ? &m_cache : nullptr),
          [this] { return m_rng = m_rng * 6364136223846793005ULL + 1442695040888963407ULL; });
    }
    return *m_engine;
  }

  // Delivers one upstream query: to a live server, through the rewrite hook.
  void deliver(const upstream_query& uq) {
    auto decoded = wire::decode(uq.bytes);
    ASSERT_TRUE(decoded) << decoded.err().message;
    m_sent.push_back(sent_query{uq.to, *decoded->question, uq.tcp, decoded->flags});
    if (m_inject) m_inject(uq, *decoded);
    if (m_down.contains(uq.to)) return;
    auto it = m_servers.find(uq.to);
    if (it == m_servers.end()) return;
    std::string reply;
    if (!it->second.responder->respond(uq.bytes, !uq.tcp, reply)) return;
    if (m_rewrite) {
      auto m = wire::decode(reply);
      ASSERT_TRUE(m);
      m_rewrite(uq.to, *m, uq.tcp);
      reply = wire::encode(*m);
    }
    m_now += 1;
    eng().on_reply(uq.token, uq.to, reply, m_now);
  }

  // Runs until the answer to `client` comes (or nothing is left to do).
  std::optional<client_answer> run_until(std::uint64_t client) {
    for (int round = 0; round < 100'000; ++round) {
      for (auto& a : eng().take_answers()) m_answers.push_back(std::move(a));
      for (const auto& a : m_answers) {
        if (a.client == client) return a;
      }
      auto qs = eng().take_queries();
      for (const auto& q : qs) deliver(q);
      if (!qs.empty()) continue;
      if (!eng().take_queries().empty()) continue;
      auto d = eng().next_deadline();
      if (!d) {
        for (auto& a : eng().take_answers()) m_answers.push_back(std::move(a));
        for (const auto& a : m_answers) {
          if (a.client == client) return a;
        }
        return std::nullopt;
      }
      m_now = std::max(m_now, *d);
      eng().tick(m_now);
    }
    return std::nullopt;
  }

  client_answer resolve(std::string_view name, rtype type, std::uint32_t flags = 0) {
    const auto c = eng().start(wire::question{id(name), type}, flags, m_now);
    auto a = run_until(c);
    EXPECT_TRUE(a) << "no answer for " << name;
    return a ? *a : client_answer{};
  }

  std::size_t sent_to(std::string_view address) const {
    std::size_t n = 0;
    for (const auto& s : m_sent) n += s.to == addr(address) ? 1 : 0;
    return n;
  }

  static std::size_t count(const std::vector<record::rr>& s, rtype t) {
    std::size_t n = 0;
    for (const auto& r : s) n += r.type == t ? 1 : 0;
    return n;
  }
  static std::string error_text(const client_answer& a) {
    return a.reply.error ? a.reply.error->text : std::string();
  }
  std::string trace_text() const {
    std::string out;
    for (const auto& l : m_trace) out += l + "\n";
    return out;
  }

  const hierarchy* m_h = nullptr;
  std::map<server_address, server> m_servers;
  engine_options m_options;
  memory_cache m_cache;
  bool m_use_cache = true;
  cache* m_external = nullptr;  // another cache (LMDB) instead of m_cache
  std::unique_ptr<engine> m_engine;
  std::uint64_t m_rng = 42;
  time_ms m_now = t0_s * 1000;
  std::set<server_address> m_down;
  std::function<void(const server_address&, wire::message&, bool tcp)> m_rewrite;
  std::function<void(const upstream_query&, const wire::message&)> m_inject;
  std::vector<sent_query> m_sent;
  std::vector<client_answer> m_answers;
  std::vector<std::string> m_trace;
};

}  // namespace cidns::resolve::test
