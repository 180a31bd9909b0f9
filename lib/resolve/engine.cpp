// The engine's public face (engine.hpp): client questions in, upstream queries out, replies
// and timeouts in, client answers out. The steps themselves live in engine_iterate.cpp
// (moving a task along), engine_reply.cpp (consuming a reply), engine_validation.cpp,
// engine_cache.cpp and engine_answer.cpp.
#include "cidns/resolve/engine.hpp"

#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

engine::impl::impl(engine_options o, cache* c, std::function<std::uint64_t()> r)
    : options(std::move(o)), store(c), random(std::move(r)), servers(random) {}

engine::engine(engine_options options, cache* store, std::function<std::uint64_t()> random)
    : m_impl(std::make_unique<impl>(std::move(options), store, std::move(random))) {}

engine::~engine() = default;

std::uint64_t engine::start(const wire::question& q, std::uint32_t flags, time_ms now) {
  auto& m = *m_impl;
  ++m.stats.client_queries;
  client_state c;
  c.id = m.next_id++;
  c.q = q;
  c.flags = flags;
  c.deadline = now + m.options.client_deadline;
  const bool validate = m.validating(flags);
  if (auto hit = m.from_cache(q, validate, now, false)) {
    ++m.stats.cache_answers;
    m.trace("cache answer {} {}", q.name.text(), record::type_name(q.type));
    m.answer_client(c, std::move(*hit));
    return c.id;
  }
  m.clients.emplace(c.id, c);
  const std::uint64_t t = m.new_task(c.id, q, validate, now);
  m.advance(t, now);
  return c.id;
}

void engine::on_reply(std::uint64_t token, const server_address& from, std::string_view bytes,
                      time_ms now) {
  auto& m = *m_impl;
  auto it = m.exchanges.find(token);
  if (it == m.exchanges.end()) {
    ++m.stats.upstream_ignored;
    return;
  }
  auto reply = wire::decode(bytes);
  if (!reply || from != it->second.to || !reply_matches(*reply, it->second.id, it->second.q)) {
    ++m.stats.upstream_ignored;
    m.trace("ignored a reply from {}: {}", from.to_string(),
            !reply ? reply.err().message
                   : (from != it->second.to ? "wrong source" : "id or question mismatch"));
    return;  // keep waiting for the real one until the deadline
  }
  exchange ex = std::move(it->second);
  m.exchanges.erase(it);
  m.forget(ex);
  const time_ms rtt = now > ex.sent ? now - ex.sent : 0;
  m.servers.on_rtt(ex.to, static_cast<std::uint32_t>(std::min<time_ms>(rtt, 60'000)));
  m.stats.rtt_sum_ms += rtt;
  ++m.stats.rtt_count;
  m.accept(std::move(ex), std::move(*reply), now);
}

void engine::on_failure(std::uint64_t token, time_ms now) { m_impl->expire(token, now, false); }

void engine::tick(time_ms now) {
  auto& m = *m_impl;
  std::vector<std::uint64_t> due;
  for (const auto& [token, ex] : m.exchanges) {
    if (ex.deadline <= now) due.push_back(token);
  }
  for (auto token : due) m.expire(token, now, true);
  std::vector<std::uint64_t> late;
  for (const auto& [id, c] : m.clients) {
    if (c.deadline <= now) late.push_back(id);
  }
  for (auto id : late) {
    if (m.discoveries.contains(id)) {
      m.discover_complete(id, true, now);  // the results so far; the zones still out are partial
      continue;
    }
    m.abort_client(id, outcome::fail(wire::error_code::no_reachable_authority,
                                     "no answer before the client deadline"));
  }
}

std::vector<upstream_query> engine::take_queries() { return std::exchange(m_impl->queries, {}); }

std::vector<client_answer> engine::take_answers() { return std::exchange(m_impl->answers, {}); }

std::optional<time_ms> engine::next_deadline() const {
  std::optional<time_ms> out;
  auto consider = [&](time_ms t) { out = out ? std::min(*out, t) : t; };
  for (const auto& [token, ex] : m_impl->exchanges) consider(ex.deadline);
  for (const auto& [id, c] : m_impl->clients) consider(c.deadline);
  return out;
}

engine_stats engine::stats() const { return m_impl->stats; }

std::uint32_t min_ttl(std::span<const record::rr> records) {
  std::uint32_t out = 0;
  bool any = false;
  for (const auto& r : records) {
    out = any ? std::min(out, r.ttl) : r.ttl;
    any = true;
  }
  return out;
}

security combine(security a, security b) {
  if (a == security::bogus || b == security::bogus) return security::bogus;
  if (a == security::indeterminate || b == security::indeterminate) {
    return security::indeterminate;
  }
  if (a == security::insecure || b == security::insecure) return security::insecure;
  return security::secure;
}

}  // namespace cidns::resolve
