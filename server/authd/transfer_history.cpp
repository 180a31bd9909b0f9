// The primary's transfer history (transfer_history.hpp).
#include "transfer_history.hpp"

#include <stdexcept>

#include "cidns/util/log.hpp"
#include "cidns/zone/diff.hpp"

namespace cidns::authd {

void transfer_history::record(const std::shared_ptr<const zone::compiled_zone>& old,
                              const std::shared_ptr<const zone::compiled_zone>& now) {
  const std::string& zone = now->origin().text();
  const auto u = m_journal.usage(zone);
  const bool has_entry = u.changesets > 0 || u.last != 0;
  if (!old || !record::serial_after(now->serial(), old->serial())) {
    // A restart, or a version that does not move the serial on: the history goes on only when
    // it ends where this version is (a restart with the same zone).
    if (has_entry && u.last != now->serial()) m_journal.drop_zone(zone);
    return;
  }
  if (has_entry && u.last != old->serial()) m_journal.drop_zone(zone);
  if (auto r = m_journal.append(zone, zone::diff(*old, *now)); !r) {
    throw std::runtime_error("transfer history: " + r.err().message);
  }
  if (m_journal.over(zone, m_limits)) m_journal.trim(zone, m_limits);
}

std::optional<std::vector<record::changeset>> transfer_history::since(
    const zone::compiled_zone& now, std::uint32_t serial) const {
  auto changes = m_journal.since(now.origin().text(), serial);
  if (!changes) return std::nullopt;
  const std::uint32_t end = changes->empty() ? serial : changes->back().to;
  if (end != now.serial()) return std::nullopt;
  return changes;
}

}  // namespace cidns::authd
