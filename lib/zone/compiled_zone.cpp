// Compiles zone contents into the answering form (compiled_zone.hpp).
#include "cidns/zone/compiled_zone.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "cidns/record/data.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::zone {

const rrset* node::find(record::rtype t) const noexcept {
  for (const auto& s : rrsets) {
    if (s.type == t) return &s;
    if (s.type > t) break;
  }
  return nullptr;
}

record::rr compiled_zone::soa_record() const {
  // compile() refuses a zone without an SOA at the apex.
  const rrset* soa = apex().find(record::rtype::soa);
  return {m_origin, record::rtype::soa, soa->ttl, soa->data.front()};
}

const node* compiled_zone::find(std::string_view name) const noexcept {
  auto it = m_index.find(name);
  return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

const rrset* compiled_zone::covering_nsec(std::string_view name) const noexcept {
  // The last node at or before `name`: the apex is the first node, so there is one.
  auto it =
      std::upper_bound(m_nodes.begin(), m_nodes.end(), name, [](std::string_view n, const node& x) {
        return name::canonical_compare(n, std::string_view(x.name)) < 0;
      });
  if (it == m_nodes.begin()) return nullptr;
  const std::uint32_t at = std::prev(it)->nsec_node;
  return at == no_node ? nullptr : m_nodes[at].find(record::rtype::nsec);
}

// Node addresses and RRsets inside nodes no longer move once every record is
// in, so pointers between them stay valid for the zone's life.
void compiled_zone::resolve_links(rrset& set) const {
  if (set.type == record::rtype::cname && !set.data.empty()) {
    if (auto c = record::cname::decode(set.data.front())) set.target = c->target.text();
  }
  if (set.type != record::rtype::ns) return;
  for (const auto& d : set.data) {
    auto ns = record::ns::decode(d);
    if (!ns || !ns->server.is_part_of(m_origin)) continue;
    const node* target = find(ns->server.text());
    if (target == nullptr) continue;
    if (const rrset* a = target->find(record::rtype::addr)) set.glue.push_back(a);
  }
}

namespace {

void add_record(node& n, const record::rr& r) {
  if (n.rrsets.empty() || n.rrsets.back().type != r.type) {
    rrset fresh;
    fresh.type = r.type;
    fresh.ttl = r.ttl;
    n.rrsets.push_back(std::move(fresh));
  }
  rrset& set = n.rrsets.back();
  set.data.push_back(r.data);
  std::string body;
  wire::encode_record_body(n.name, r.type, r.ttl, r.data, body);
  set.bodies.push_back(std::move(body));
}

// Canonical text `n` is `zone` or a name below it.
bool at_or_below(std::string_view n, std::string_view zone) noexcept {
  if (zone == ".") return true;
  return n.size() >= zone.size() && n.ends_with(zone) &&
         (n.size() == zone.size() || n[n.size() - zone.size() - 1] == '.');
}

}  // namespace

std::shared_ptr<const compiled_zone> compiled_zone::compile(contents zone, const layout& shape) {
  auto z = std::make_shared<compiled_zone>();
  z->m_origin = zone.origin;
  z->m_records = zone.records.size();
  z->m_nodes.reserve(shape.names.size());
  std::uint64_t earliest = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::pair<record::rtype, std::size_t>> sigs;  // covered type, record index

  for (const auto& e : shape.names) {
    if (e.role == name_role::outside) continue;  // the checker reported it
    node& n = z->m_nodes.emplace_back();
    n.name = e.name.text();
    n.role = e.role;
    n.apex = e.role == name_role::apex;
    n.cut = e.role == name_role::delegation;
    sigs.clear();
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      const auto& r = zone.records[i];
      if (r.type != record::rtype::sig) {
        add_record(n, r);
        continue;
      }
      auto s = record::sig::decode(r.data);
      if (!s) continue;  // the checker reported it
      sigs.emplace_back(s->type_covered, i);
      if (e.role != name_role::below_delegation) earliest = std::min(earliest, s->expiration);
    }
    for (const auto& [covered, i] : sigs) {
      const auto& r = zone.records[i];
      for (auto& set : n.rrsets) {
        if (set.type != covered) continue;
        std::string body;
        wire::encode_record_body(n.name, record::rtype::sig, r.ttl, r.data, body);
        set.sig_bodies.push_back(std::move(body));
        set.sig_data.push_back(r.data);
        set.sig_ttls.push_back(r.ttl);
      }
    }
  }
  zone = contents{};  // the records are copied into the nodes: free them before indexing

  z->m_index.reserve(z->m_nodes.size());
  bool found_apex = false;
  std::uint32_t last_nsec = no_node;
  for (std::uint32_t i = 0; i < z->m_nodes.size(); ++i) {
    node& n = z->m_nodes[i];
    z->m_index.emplace(std::string_view(n.name), i);
    if (n.apex) {
      z->m_apex = i;
      found_apex = true;
    }
    if (n.role != name_role::below_delegation && n.find(record::rtype::nsec) != nullptr) {
      last_nsec = i;
    }
    n.nsec_node = last_nsec;
  }
  if (!found_apex) throw std::runtime_error("zone has no records at its origin");
  const node& apex = z->m_nodes[z->m_apex];
  const rrset* soa_set = apex.find(record::rtype::soa);
  if (soa_set == nullptr || soa_set->data.empty()) throw std::runtime_error("zone has no SOA");
  auto soa = record::soa::decode(soa_set->data.front());
  if (!soa) throw std::runtime_error("zone SOA does not decode: " + soa.err().message);
  z->m_serial = soa->serial;
  const std::uint32_t negative_ttl = std::min(soa_set->ttl, soa->negative_ttl);
  wire::encode_record_body(apex.name, record::rtype::soa, negative_ttl, soa_set->data.front(),
                           z->m_negative_soa);
  for (const auto& d : soa_set->sig_data) {
    wire::encode_record_body(apex.name, record::rtype::sig, negative_ttl, d,
                             z->m_negative_soa_sigs.emplace_back());
  }
  z->m_signed = apex.find(record::rtype::key) != nullptr && apex.find(record::rtype::nsec);
  if (z->m_signed && earliest != std::numeric_limits<std::uint64_t>::max()) {
    z->m_earliest_expiration = earliest;
  }
  for (auto& n : z->m_nodes) {
    for (auto& set : n.rrsets) z->resolve_links(set);
  }
  z->index_resources();
  return z;
}

void compiled_zone::index_resources() {
  record::desc desc;
  record::state state;
  bool has_state = false;
  for (std::uint32_t i = 0; i < m_nodes.size(); ++i) {
    const node& n = m_nodes[i];
    if (n.cut) m_cuts.push_back(i);
    if (n.role != name_role::authoritative && n.role != name_role::apex) continue;
    if (n.name.starts_with("*.")) continue;  // a wildcard is no one resource
    if (load(i, desc, state, has_state)) m_discovery.add(i, desc, has_state ? &state : nullptr);
  }
  m_discovery.build();
}

bool compiled_zone::load(std::uint32_t id, record::desc& desc, record::state& state,
                         bool& has_state) const {
  if (id >= m_nodes.size()) return false;
  const node& n = m_nodes[id];
  const rrset* d = n.find(record::rtype::desc);
  if (d == nullptr || d->data.empty()) return false;
  auto decoded = record::desc::decode(d->data.front());
  if (!decoded) return false;
  desc = std::move(*decoded);
  has_state = false;
  if (const rrset* s = n.find(record::rtype::state); s != nullptr && !s->data.empty()) {
    if (auto st = record::state::decode(s->data.front())) {
      state = std::move(*st);
      has_state = true;
    }
  }
  return true;
}

std::pair<std::uint32_t, std::uint32_t> compiled_zone::subtree(
    std::string_view name) const noexcept {
  const auto first =
      std::lower_bound(m_nodes.begin(), m_nodes.end(), name, [](const node& x, std::string_view n) {
        return name::canonical_compare(std::string_view(x.name), n) < 0;
      });
  // Canonical order keeps a subtree contiguous: the names below `name` follow it.
  const auto last = std::partition_point(first, m_nodes.end(),
                                         [&](const node& x) { return at_or_below(x.name, name); });
  return {static_cast<std::uint32_t>(first - m_nodes.begin()),
          static_cast<std::uint32_t>(last - m_nodes.begin())};
}

}  // namespace cidns::zone
