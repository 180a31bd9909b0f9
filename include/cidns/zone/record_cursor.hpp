// Walks a compiled zone's records in the order a full zone transfer sends them, one record
// at a time, decoding nothing but the owner names: what decompile() and the XFR writer read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "cidns/record/rr.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::zone {

// Reads a compiled zone's records in the full transfer's order (apex SOA and its SIGs first,
// then every other record in canonical order, SIGs right after the RRset they cover)
// without decompiling the whole zone: what a full transfer streams. Holds the zone alive.
class record_cursor {
 public:
  explicit record_cursor(std::shared_ptr<const compiled_zone> zone);
  // A cursor over a zone the caller keeps alive for as long as the cursor is used.
  explicit record_cursor(const compiled_zone& zone);

  bool next(record::rr& out);  // false at the end

 private:
  // Puts item m_item of `set` at `n` (its records' data first, then its SIGs) into `out`;
  // false when the set has no such item.
  bool emit(std::size_t node_index, const rrset& set, record::rr& out);

  std::shared_ptr<const compiled_zone> m_hold;
  const compiled_zone* m_zone = nullptr;
  bool m_soa_first = true;  // reading the apex SOA RRset, before the walk
  std::size_t m_node = 0;
  std::size_t m_set = 0;
  std::size_t m_item = 0;
  rrset::range::iterator m_at;                              // item m_item of the RRset being read
  std::size_t m_owner_node = static_cast<std::size_t>(-1);  // the node m_owner names
  name::identifier m_owner;
};

}  // namespace cidns::zone
