// The replay guard (replay.hpp): accepted (key, time, MAC) triples, ordered by time so that
// those past their window leave from the front.
#include "cidns/hmac/replay.hpp"

namespace cidns::hmac {

bool replay_guard::first_use(std::string_view key, std::uint64_t time, std::string_view mac,
                             std::uint64_t now, std::uint32_t window) {
  std::string id;
  id.reserve(key.size() + 1 + mac.size());
  id.append(key).push_back('\0');
  id.append(mac);

  std::lock_guard lock(m_mutex);
  // Drop entries with time + window < now (written so that no sum can overflow).
  if (now > window) {
    const std::uint64_t oldest = now - window;
    while (!m_seen.empty() && m_seen.begin()->first < oldest) m_seen.erase(m_seen.begin());
  }
  auto entry = std::pair{time, std::move(id)};
  if (m_seen.contains(entry)) return false;
  if (m_seen.size() >= m_max) return false;
  m_seen.insert(std::move(entry));
  return true;
}

std::size_t replay_guard::size() const {
  std::lock_guard lock(m_mutex);
  return m_seen.size();
}

}  // namespace cidns::hmac
