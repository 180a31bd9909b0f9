// Changing a zone in service without its zonefile: the records of a compiled zone back as
// contents, and changesets (dynamic UPDATE, the journal replayed at startup, an incremental
// transfer) applied to contents. The result goes through the same pipeline as a zonefile
// (check, sign, compile: load.hpp's load_contents), so an updated zone is held to the same
// rules as a loaded one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cidns/record/changeset.hpp"
#include "cidns/util/result.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "cidns/zone/contents.hpp"

namespace cidns::zone {

// Every record of `z` (SIGs with the RRsets they cover), in canonical order, without source
// positions (a diagnostic on them has no line to cite).
contents decompile(const compiled_zone& z);

// The serial of the SOA at the origin, or nullopt when there is none (or it does not decode).
std::optional<std::uint32_t> serial_of(const contents& zone);

// Applies `changes` in order, folded into one pass over `zone` (a journal of thousands of
// changesets costs one pass, not thousands). Each changeset's `from` must be the serial the
// zone has at that point and its first removed record the SOA; a removed record must be
// there (owner, type and data; the TTL is not compared, as in DNS) unless an earlier
// changeset of the same call added it. Fails with a message naming the changeset (its
// serials) and the record, leaving `zone` unchanged.
result<void> apply_changesets(contents& zone, std::span<const record::changeset> changes);

// The same changesets as the RRsets of `z` they leave changed (for compiled_zone::patched):
// one entry per (owner, type) touched, with its records and SIGs as they end up (a SIG
// belongs to the RRset of the type it covers), in canonical order. The same rules and
// messages as apply_changesets; added data must be valid (record::validate_data), and an
// RRset's records must end up with one TTL (each record keeps its own until then, as in
// apply_changesets; the zone checker refuses a mixed RRset too).
result<std::vector<rrset_change>> rrset_changes(const compiled_zone& z,
                                                std::span<const record::changeset> changes);

}  // namespace cidns::zone
