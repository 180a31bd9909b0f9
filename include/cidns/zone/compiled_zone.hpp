// A zone compiled for answering: immutable; its names in canonical order (so
// the NSEC covering any name is one binary search away) with a hash index
// beside them (so an exact name is one lookup); every RRset's records
// pre-encoded as Record bodies, so a reply is a sequence of copies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/select/index.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/layout.hpp"

namespace cidns::zone {

// One RRset: its records' data and their pre-encoded Record bodies (owner =
// the node's name), plus the SIGs that cover it (shown only when DO is set).
struct rrset {
  record::rtype type = record::rtype::none;
  std::uint32_t ttl = 0;
  std::vector<std::string> data;
  std::vector<std::string> bodies;
  std::vector<std::string> sig_data;
  std::vector<std::uint32_t> sig_ttls;
  std::vector<std::string> sig_bodies;
  // Resolved once at compile time, so answering decodes nothing:
  std::vector<const rrset*> glue;  // NS: the ADDR RRsets of in-zone server names
  std::string target;              // CNAME: the target's canonical text
};

inline constexpr std::uint32_t no_node = 0xffffffff;

// A name of the zone. Empty non-terminals are nodes without RRsets, so that
// "does anything exist at or below this name" is one lookup.
struct node {
  std::string name;           // canonical text
  std::vector<rrset> rrsets;  // by ascending type (SIGs folded into the RRsets they cover)
  name_role role = name_role::authoritative;
  bool cut = false;  // a delegation point
  bool apex = false;
  // Index of the node whose NSEC covers the names right after this one in
  // canonical order (this node itself when it has an NSEC); no_node in an
  // unsigned zone.
  std::uint32_t nsec_node = no_node;

  const rrset* find(record::rtype t) const noexcept;
};

class compiled_zone : public select::resource_source {
 public:
  // Compiles checked contents and their layout (zone::adjust). Throws
  // std::runtime_error on contents without an SOA at the origin.
  static std::shared_ptr<const compiled_zone> compile(contents zone, const layout& shape);

  const name::identifier& origin() const noexcept { return m_origin; }
  std::uint32_t serial() const noexcept { return m_serial; }
  std::size_t record_count() const noexcept { return m_records; }
  std::size_t name_count() const noexcept { return m_nodes.size(); }
  // True when the apex has KEY records and the names carry NSECs.
  bool is_signed() const noexcept { return m_signed; }
  // The earliest SIG expiration in the zone (unix seconds; 0 when unsigned).
  std::uint64_t earliest_expiration() const noexcept { return m_earliest_expiration; }

  // The node named `name` (canonical text), or nullptr.
  const node* find(std::string_view name) const noexcept;
  const node& apex() const noexcept { return m_nodes[m_apex]; }
  // Nodes in canonical order.
  const std::vector<node>& nodes() const noexcept { return m_nodes; }
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

  // DISCOVER (DESIGN §7): the index over the zone's resources (authoritative names with a
  // DESC, wildcards excepted), by node number; a scope is the node range of its subtree.
  const select::index& discovery() const noexcept { return m_discovery; }
  // The nodes at or below `name` (canonical text): [first, last), empty when none.
  std::pair<std::uint32_t, std::uint32_t> subtree(std::string_view name) const noexcept;
  // Node numbers of the delegation points, ascending.
  const std::vector<std::uint32_t>& cuts() const noexcept { return m_cuts; }
  // select::resource_source: the DESC and STATE of node `id`, decoded.
  bool load(std::uint32_t id, record::desc& desc, record::state& state,
            bool& has_state) const override;

 private:
  void resolve_links(rrset& set) const;
  void index_resources();

  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  name::identifier m_origin;
  std::uint32_t m_serial = 0;
  std::size_t m_records = 0;
  std::vector<node> m_nodes;
  std::unordered_map<std::string_view, std::uint32_t, text_hash, std::equal_to<>> m_index;
  std::uint32_t m_apex = 0;
  bool m_signed = false;
  std::uint64_t m_earliest_expiration = 0;
  std::string m_negative_soa;
  std::vector<std::string> m_negative_soa_sigs;
  select::index m_discovery;
  std::vector<std::uint32_t> m_cuts;
};

}  // namespace cidns::zone
