// The changeset between two versions of one compiled zone: what an incremental transfer
// sends and the journal stores when a zone is reloaded from its zonefile.
#pragma once

#include "cidns/record/changeset.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::zone {

// What changed from `from` to `to` (two versions of one zone): the records of `from` that are
// not in `to` (removed) and those of `to` not in `from` (added), compared by owner, type and
// data (a TTL change is a removal plus an addition), SIGs and NSECs included, each list in
// canonical order after its SOA: removed[0] is from's SOA and added[0] is to's SOA (always,
// also when only the serial changed); c.from / c.to are their serials. Walks the two zones'
// nodes in step and compares RRsets by their encoded bytes first, so unchanged RRsets cost a
// comparison, not a decode.
record::changeset diff(const compiled_zone& from, const compiled_zone& to);

}  // namespace cidns::zone
