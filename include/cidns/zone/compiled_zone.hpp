// A zone compiled for answering: immutable; its names in canonical order (so
// the NSEC covering any name is one binary search away) with a hash index
// beside them (so an exact name is one lookup); every RRset's records
// pre-encoded as Record bodies, so a reply is a sequence of copies.
//
// Nodes are shared between versions: a version made by patched() (a dynamic UPDATE, an
// incremental transfer) holds the nodes it did not change by pointer, so building it costs
// the changed names plus a copy of the node pointers, not a recompile of the zone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/select/index.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/layout.hpp"
#include "cidns/zone/node_owners.hpp"
#include "cidns/zone/rrset.hpp"

namespace cidns::zone {

inline constexpr std::uint32_t no_node = 0xffffffff;

// A name of the zone. Empty non-terminals are nodes without RRsets, so that
// "does anything exist at or below this name" is one lookup.
struct node {
  std::string name;           // canonical text
  std::vector<rrset> rrsets;  // by ascending type (SIGs folded into the RRsets they cover)
  name_role role = name_role::authoritative;
  bool cut = false;  // a delegation point
  bool apex = false;

  const rrset* find(record::rtype t) const noexcept;
};

// One RRset as a new version has it (patched()): every record's data, the TTL, and its SIGs.
struct rrset_change {
  name::identifier owner;
  record::rtype type = record::rtype::none;
  std::uint32_t ttl = 0;
  std::vector<std::string> data;  // empty: the RRset goes
  // Its SIGs (data and TTLs), as a transfer carries them; a signer replaces them.
  std::vector<std::string> sig_data;
  std::vector<std::uint32_t> sig_ttls;
};

// Makes the SIGs (data) of one RRset of a version being built: owner, type, TTL, records.
using rrset_signer = std::function<std::vector<std::string>(
    const name::identifier&, record::rtype, std::uint32_t, const std::vector<std::string>&)>;

// What patched() did, for the log.
struct patch_stats {
  std::size_t rrsets = 0;      // RRsets replaced, added or removed (NSECs included)
  std::size_t nsec = 0;        // NSEC RRsets rewritten
  std::size_t signatures = 0;  // SIGs made
  bool names_changed = false;  // names appeared or went
};

class compiled_zone : public select::resource_source {
 public:
  // Compiles checked contents and their layout (zone::adjust). Throws
  // std::runtime_error on contents without an SOA at the origin.
  // Both are consumed: their memory is given back as the nodes are built.
  // With `previous` (the version in service, when a reload builds its successor), a name
  // whose node comes out the same as previous's is not kept twice: the new version holds
  // previous's node, as patched() versions do, and a reload of a zone that changed a little
  // costs the records as read beside the version in service, not a second zone.
  static std::shared_ptr<const compiled_zone> compile(contents zone, layout shape,
                                                      const compiled_zone* previous = nullptr);

  const name::identifier& origin() const noexcept { return m_origin; }
  std::uint32_t serial() const noexcept { return m_serial; }
  std::size_t record_count() const noexcept { return m_records; }
  std::size_t name_count() const noexcept { return m_nodes.size(); }

  // A new version: this one with `changes` applied (one entry per RRset, each at most once),
  // sharing every node they leave alone. With `sign` (a zone signed online), each changed
  // RRset, the SOA and the NSECs of the names whose neighbours or types changed are signed
  // again and those NSECs rewritten; without, SIGs and NSECs come in `changes` (a transfer).
  // The SOA must be among the changes (the new serial). nullptr when the change is not one
  // the patch handles and needs the full pipeline (zone::load_contents): a change at or
  // below a delegation, of NS, DS or KEY, an NSEC or SIG change with a signer, a name
  // outside the zone. The caller checks data, CNAME rules and policy (update_plan).
  std::shared_ptr<const compiled_zone> patched(std::span<const rrset_change> changes,
                                               const rrset_signer* sign,
                                               patch_stats* stats = nullptr) const;
  // True when the apex has KEY records and the names carry NSECs.
  bool is_signed() const noexcept { return m_signed; }
  // The earliest SIG expiration in the zone (unix seconds; 0 when unsigned).
  std::uint64_t earliest_expiration() const noexcept { return m_earliest_expiration; }

  // The node named `name` (canonical text), or nullptr.
  const node* find(std::string_view name) const noexcept;
  const node& apex() const noexcept { return *m_nodes[m_apex]; }
  std::uint32_t apex_index() const noexcept { return m_apex; }
  // Nodes in canonical order.
  const std::vector<const node*>& nodes() const noexcept { return m_nodes; }
  const node& at(std::uint32_t i) const noexcept { return *m_nodes[i]; }
  // The NSEC RRset that covers `name` (canonical text in the zone): the one
  // at the closest name before or at it in canonical order that has one.
  // nullptr in an unsigned zone.
  const rrset* covering_nsec(std::string_view name) const noexcept;
  // The apex SOA as a Record body with TTL = min(SOA TTL, negative TTL), for
  // the authority section of negative answers.
  std::string_view negative_soa() const noexcept { return m_negative_soa; }
  // The apex SOA as a record (its own TTL): what NOTIFY, transfers and changesets carry.
  record::rr soa_record() const;
  // The SOA's SIGs as Record bodies with that same TTL (RFC 4034 §3: a SIG's TTL
  // is its RRset's).
  const std::vector<std::string>& negative_soa_sigs() const noexcept { return m_negative_soa_sigs; }

  // DISCOVER (DESIGN §7): the resources (authoritative names with a DESC, wildcards
  // excepted) in node numbers [first, last) that match `s`, in its order. An index over
  // them answers, by node number (a scope is the node range of its subtree); a patched
  // version shares its base's index and checks the resources changed since directly.
  std::vector<std::uint32_t> discover(const select::selector& s, std::uint32_t first,
                                      std::uint32_t last,
                                      select::evaluation_stats* stats = nullptr) const;
  // Resources changed since the index was built (checked directly by discover()).
  std::size_t stale_resources() const noexcept { return m_stale.size(); }
  // More stale resources than this: the index is worth building again (reindexed()).
  static constexpr std::size_t stale_limit = 64;
  // The discovery index of this version, built afresh (O(zone); the version is immutable, so
  // any thread may build it while others answer from it).
  std::shared_ptr<const select::index> build_index() const;
  // Zones with at least this many names build their index on two threads.
  static constexpr std::uint32_t parallel_index_min = 20000;
  // This version with `index`, built by build_index() on `indexed` (an earlier version with
  // the same names, sharing this one's index: one patched from it, or from its descendants,
  // with no name added or removed): the stale resources left are those whose nodes changed
  // since `indexed`. nullptr when `indexed` does not qualify (a name changed since).
  std::shared_ptr<const compiled_zone> with_index(std::shared_ptr<const select::index> index,
                                                  const compiled_zone& indexed) const;
  // The nodes at or below `name` (canonical text): [first, last), empty when none.
  std::pair<std::uint32_t, std::uint32_t> subtree(std::string_view name) const noexcept;
  // Node numbers of the delegation points, ascending.
  const std::vector<std::uint32_t>& cuts() const noexcept { return m_cuts; }
  // select::resource_source: the DESC and STATE of node `id`, decoded.
  bool load(std::uint32_t id, record::desc& desc, record::state& state,
            bool& has_state) const override;

 private:
  friend class zone_patch;
  void resolve_links(rrset& set) const;
  // The number of the node named `name`, or no_node.
  std::uint32_t find_number(std::string_view name) const noexcept;
  // This version's node equal to `n` (same name, role and RRsets, byte for byte), or null.
  // Never one with an NS RRset: its glue points at the RRsets of its own version.
  std::shared_ptr<const node> same_node(const node& n) const noexcept;
  void index_resources();
  // After m_nodes is in place: the name index, the NSEC cover, the apex, the cuts.
  void index_names();
  void index_nsec();
  void set_apex_derived();                       // serial, negative SOA and its SIGs, m_signed
  void add_node(std::shared_ptr<const node> n);  // at the end
  void set_node(std::size_t i, std::shared_ptr<const node> n);  // in place of node i
  void erase_node(std::size_t i);                               // the ones after move down

  name::identifier m_origin;
  std::uint32_t m_serial = 0;
  std::size_t m_records = 0;
  // The nodes in canonical order: m_nodes for lookups, m_owners keeping them alive (the same
  // pointers; shared with other versions chunk by chunk, so copying a version is cheap).
  std::vector<const node*> m_nodes;
  node_owners m_owners;
  // The name index: open addressing over (hash << 32 | node number + 1), 0 empty. Shared
  // with the version patched from this one while no name comes or goes.
  std::shared_ptr<const std::vector<std::uint64_t>> m_slots;
  // For each node, the node whose NSEC covers the names right after it in canonical order
  // (itself when it has an NSEC); no_node in an unsigned zone. Shared like m_slots.
  std::shared_ptr<const std::vector<std::uint32_t>> m_nsec;
  std::uint32_t m_apex = 0;
  bool m_signed = false;
  std::uint64_t m_earliest_expiration = 0;
  std::string m_negative_soa;
  std::vector<std::string> m_negative_soa_sigs;
  std::shared_ptr<const select::index> m_discovery;
  std::vector<std::uint32_t> m_stale;  // node numbers, ascending
  std::vector<std::uint32_t> m_cuts;
};

}  // namespace cidns::zone
