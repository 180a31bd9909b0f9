// A zone compiled for answering: immutable, indexed by name, with every RRset's
// records pre-encoded as Record bodies so a reply is a sequence of copies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/zone/contents.hpp"

namespace cidns::authd {

// One RRset: its records' data and their pre-encoded Record bodies (owner =
// the node's name), plus the SIGs that cover it (shown only when DO is set).
struct rrset {
  record::rtype type = record::rtype::none;
  std::uint32_t ttl = 0;
  std::vector<std::string> data;
  std::vector<std::string> bodies;
  std::vector<std::string> sig_data;
  std::vector<std::string> sig_bodies;
  // Resolved once at compile time, so answering decodes nothing:
  std::vector<const rrset*> glue;  // NS: the ADDR RRsets of in-zone server names
  std::string target;              // CNAME: the target's canonical text
};

// A name of the zone. Empty non-terminals are nodes without RRsets, so that
// "does anything exist at or below this name" is one lookup.
struct node {
  std::string name;           // canonical text
  std::vector<rrset> rrsets;  // by ascending type (SIGs folded into the RRsets they cover)
  bool cut = false;           // NS below the apex: a delegation point
  bool apex = false;

  const rrset* find(record::rtype t) const noexcept;
};

class zone_index {
 public:
  // Compiles checked contents (zone::check passed). Throws std::runtime_error
  // on contents without an SOA at the origin.
  static std::shared_ptr<const zone_index> compile(zone::contents contents);

  const name::identifier& origin() const noexcept { return m_origin; }
  std::uint32_t serial() const noexcept { return m_serial; }
  std::size_t record_count() const noexcept { return m_records; }
  std::size_t name_count() const noexcept { return m_nodes.size(); }

  // The node named `name` (canonical text), or nullptr.
  const node* find(std::string_view name) const noexcept;
  const node& apex() const noexcept { return *m_apex; }
  // The apex SOA as a Record body with TTL = min(SOA TTL, negative TTL), for
  // the authority section of negative answers.
  std::string_view negative_soa() const noexcept { return m_negative_soa; }

 private:
  void resolve_links(rrset& set) const;

  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  name::identifier m_origin;
  std::uint32_t m_serial = 0;
  std::size_t m_records = 0;
  std::unordered_map<std::string, node, text_hash, std::equal_to<>> m_nodes;
  const node* m_apex = nullptr;
  std::string m_negative_soa;
};

}  // namespace cidns::authd
