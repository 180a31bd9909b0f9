// server_selection: smoothed RTTs, timeout penalties and lame marks (server_selection.hpp).
#include "server_selection.hpp"

#include <algorithm>

namespace cidns::resolve {

namespace {
constexpr std::uint32_t max_srtt_ms = 10'000;
}

std::uint32_t server_selection::srtt(const server_address& a) {
  auto it = m_srtt.find(a);
  if (it == m_srtt.end()) {
    it = m_srtt.emplace(a, static_cast<std::uint32_t>(1 + m_random() % 16)).first;
  }
  return it->second;
}

void server_selection::on_rtt(const server_address& a, std::uint32_t sample_ms) {
  auto it = m_srtt.find(a);
  if (it == m_srtt.end()) {
    m_srtt.emplace(a, std::min(sample_ms, max_srtt_ms));
    return;
  }
  const std::uint64_t s = (7ULL * it->second + sample_ms) / 8;
  it->second = static_cast<std::uint32_t>(std::min<std::uint64_t>(s, max_srtt_ms));
}

void server_selection::on_timeout(const server_address& a, time_ms timeout) {
  const std::uint32_t now = srtt(a);
  const std::uint64_t penalised = std::max<std::uint64_t>(2ULL * now, timeout);
  m_srtt[a] = static_cast<std::uint32_t>(std::min<std::uint64_t>(penalised, max_srtt_ms));
}

void server_selection::mark_lame(const name::identifier& zone, const server_address& a,
                                 time_ms until) {
  m_lame[{zone.text(), a}] = until;
}

bool server_selection::lame(const name::identifier& zone, const server_address& a,
                            time_ms now) const {
  auto it = m_lame.find({zone.text(), a});
  return it != m_lame.end() && it->second > now;
}

time_ms server_selection::timeout_for(const server_address& a, time_ms first) const {
  auto it = m_srtt.find(a);
  if (it == m_srtt.end()) return first;
  return std::clamp<time_ms>(4ULL * it->second, std::min<time_ms>(100, first), first);
}

}  // namespace cidns::resolve
