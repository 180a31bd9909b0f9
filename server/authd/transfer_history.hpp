// What a primary keeps for incremental transfers: the difference between each version of a
// zone it published and the next one, SIGs and NSECs included (zone::diff), in an LMDB journal
// of its own (STATE_DIR/history; the UPDATE journal holds the clients' changes, which do not
// include the signer's), bounded per zone. A secondary whose serial the history reaches gets
// those changesets; any other gets the full zone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "cidns/record/changeset.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::authd {

class transfer_history {
 public:
  // `j` must outlive the history.
  explicit transfer_history(store::journal& j, store::journal_limits limits = {})
      : m_journal(j), m_limits(limits) {}

  // A new version of a zone was published (zone_manager's publish listener): appends its
  // difference from `old`, or starts the history over when it cannot continue it (no old
  // version, a serial not after the last one). Throws on journal failures.
  void record(const std::shared_ptr<const zone::compiled_zone>& old,
              const std::shared_ptr<const zone::compiled_zone>& now);
  // The changesets from `serial` to `now`'s serial, oldest first; nullopt when the history does
  // not reach back to `serial` or does not end at `now` (the caller sends the full zone).
  std::optional<std::vector<record::changeset>> since(const zone::compiled_zone& now,
                                                      std::uint32_t serial) const;

 private:
  store::journal& m_journal;
  store::journal_limits m_limits;
};

}  // namespace cidns::authd
