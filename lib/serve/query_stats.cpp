// Per-thread query counters (query_stats.hpp).
#include "cidns/serve/query_stats.hpp"

#include <numeric>

namespace cidns::serve {

std::uint64_t stats_snapshot::queries() const {
  return std::accumulate(by_opcode.begin(), by_opcode.end(), std::uint64_t{0});
}

stats_block& query_stats::local() {
  // Keyed by a process-unique id, not the address: a query_stats created where a
  // destroyed one lived must not find that one's (freed) block.
  thread_local std::vector<std::pair<std::uint64_t, stats_block*>> mine;
  for (auto& [owner, block] : mine) {
    if (owner == m_id) return *block;
  }
  std::lock_guard lock(m_mutex);
  m_blocks.push_back(std::make_unique<stats_block>());
  mine.emplace_back(m_id, m_blocks.back().get());
  return *m_blocks.back();
}

namespace {
template <typename A, typename B>
void add_into(A& into, const B& from) {
  for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i].load(std::memory_order_relaxed);
}
}  // namespace

stats_snapshot query_stats::snapshot() const {
  stats_snapshot s;
  std::lock_guard lock(m_mutex);
  for (const auto& b : m_blocks) {
    add_into(s.by_opcode, b->by_opcode);
    add_into(s.by_type, b->by_type);
    add_into(s.by_rcode, b->by_rcode);
    add_into(s.reply_size, b->reply_size);
    add_into(s.latency, b->latency);
    s.reply_bytes += b->reply_bytes.load(std::memory_order_relaxed);
    s.latency_ns_sum += b->latency_ns_sum.load(std::memory_order_relaxed);
    s.truncated += b->truncated.load(std::memory_order_relaxed);
    s.formerr += b->formerr.load(std::memory_order_relaxed);
    add_into(s.dropped_by, b->dropped);
    s.rrl_limited += b->rrl_limited.load(std::memory_order_relaxed);
    s.rrl_slipped += b->rrl_slipped.load(std::memory_order_relaxed);
    s.rrl_dropped += b->rrl_dropped.load(std::memory_order_relaxed);
    s.cookie_new += b->cookie_new.load(std::memory_order_relaxed);
    s.cookie_valid += b->cookie_valid.load(std::memory_order_relaxed);
    s.cookie_invalid += b->cookie_invalid.load(std::memory_order_relaxed);
  }
  s.dropped = std::accumulate(s.dropped_by.begin(), s.dropped_by.end(), std::uint64_t{0});
  return s;
}

}  // namespace cidns::serve
