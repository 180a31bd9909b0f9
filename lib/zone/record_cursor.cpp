// A compiled zone's records one at a time, in the full transfer's order (record_cursor.hpp).
#include "cidns/zone/record_cursor.hpp"

#include <utility>

namespace cidns::zone {

record_cursor::record_cursor(std::shared_ptr<const compiled_zone> zone)
    : m_hold(std::move(zone)), m_zone(m_hold.get()) {}

record_cursor::record_cursor(const compiled_zone& zone) : m_zone(&zone) {}

bool record_cursor::emit(std::size_t node_index, const rrset& set, record::rr& out) {
  // The records and then the SIGs lie one after the other in the RRset's buffer.
  if (m_item == 0) m_at = set.records().begin();
  if (m_at == set.sigs().end()) return false;
  if (m_owner_node != node_index) {
    m_owner = name::identifier::from_canonical_text(m_zone->nodes()[node_index]->name);
    m_owner_node = node_index;
  }
  const rrset::entry e = *m_at;
  out.owner = m_owner;
  const bool sig = m_item >= set.size();
  out.type = sig ? record::rtype::sig : set.type;
  out.ttl = sig ? e.ttl : set.ttl;
  out.data = e.data;
  ++m_at;
  ++m_item;
  return true;
}

bool record_cursor::next(record::rr& out) {
  if (m_zone == nullptr) return false;
  const auto& nodes = m_zone->nodes();
  const node& apex = m_zone->apex();
  const std::size_t apex_index = m_zone->apex_index();
  if (m_soa_first) {
    if (const rrset* soa = apex.find(record::rtype::soa); soa && emit(apex_index, *soa, out)) {
      return true;
    }
    m_soa_first = false;
    m_item = 0;
  }
  while (m_node < nodes.size()) {
    const node& n = *nodes[m_node];
    if (m_set >= n.rrsets.size()) {
      ++m_node;
      m_set = 0;
      m_item = 0;
      continue;
    }
    const rrset& set = n.rrsets[m_set];
    const bool done_first = m_node == apex_index && set.type == record::rtype::soa;
    if (!done_first && emit(m_node, set, out)) return true;
    ++m_set;
    m_item = 0;
  }
  return false;
}

}  // namespace cidns::zone
