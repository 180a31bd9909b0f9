// Compiles zone contents into the answering index (zone_index.hpp).
#include "zone_index.hpp"

#include <algorithm>
#include <stdexcept>

#include "cidns/record/data.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::authd {

const rrset* node::find(record::rtype t) const noexcept {
  for (const auto& s : rrsets) {
    if (s.type == t) return &s;
    if (s.type > t) break;
  }
  return nullptr;
}

const node* zone_index::find(std::string_view name) const noexcept {
  auto it = m_nodes.find(name);
  return it == m_nodes.end() ? nullptr : &it->second;
}

// Node addresses in the map and RRsets inside nodes no longer move once every
// record is in, so pointers between them stay valid for the zone's life.
void zone_index::resolve_links(rrset& set) const {
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

std::shared_ptr<const zone_index> zone_index::compile(zone::contents contents) {
  auto z = std::make_shared<zone_index>();
  z->m_origin = contents.origin;
  z->m_records = contents.records.size();
  contents.sort_canonical();
  const std::string& apex_text = z->m_origin.text();

  auto node_for = [&](const name::identifier& owner) -> node& {
    auto [it, fresh] = z->m_nodes.try_emplace(owner.text());
    if (fresh) {
      it->second.name = owner.text();
      // Empty non-terminals between the apex and this name.
      for (auto up = owner.parent(); up.is_part_of(z->m_origin) && up != owner; up = up.parent()) {
        auto [pit, pfresh] = z->m_nodes.try_emplace(up.text());
        if (!pfresh) break;
        pit->second.name = up.text();
        if (up == z->m_origin) break;
      }
    }
    return it->second;
  };

  // SIGs first collected per (owner, covered type), then folded in.
  struct pending_sig {
    std::string owner;
    record::rtype covered;
    std::string data;
    std::uint32_t ttl;
  };
  std::vector<pending_sig> sigs;

  for (const auto& r : contents.records) {
    if (!r.owner.is_part_of(z->m_origin)) continue;  // the checker reported it
    node& n = node_for(r.owner);
    if (r.type == record::rtype::sig) {
      auto s = record::sig::decode(r.data);
      if (s) sigs.push_back({r.owner.text(), s->type_covered, r.data, r.ttl});
      continue;
    }
    if (n.rrsets.empty() || n.rrsets.back().type != r.type) {
      rrset fresh;
      fresh.type = r.type;
      fresh.ttl = r.ttl;
      n.rrsets.push_back(std::move(fresh));
    }
    rrset& set = n.rrsets.back();
    set.data.push_back(r.data);
    std::string body;
    wire::encode_record_body(r.owner.text(), r.type, r.ttl, r.data, body);
    set.bodies.push_back(std::move(body));
  }
  for (auto& s : sigs) {
    auto it = z->m_nodes.find(s.owner);
    if (it == z->m_nodes.end()) continue;
    for (auto& set : it->second.rrsets) {
      if (set.type != s.covered) continue;
      std::string body;
      wire::encode_record_body(s.owner, record::rtype::sig, s.ttl, s.data, body);
      set.sig_bodies.push_back(std::move(body));
      set.sig_data.push_back(std::move(s.data));
    }
  }

  auto apex = z->m_nodes.find(apex_text);
  if (apex == z->m_nodes.end()) throw std::runtime_error("zone has no records at its origin");
  z->m_apex = &apex->second;
  apex->second.apex = true;
  const rrset* soa_set = apex->second.find(record::rtype::soa);
  if (soa_set == nullptr || soa_set->data.empty()) throw std::runtime_error("zone has no SOA");
  auto soa = record::soa::decode(soa_set->data.front());
  if (!soa) throw std::runtime_error("zone SOA does not decode: " + soa.err().message);
  z->m_serial = soa->serial;
  wire::encode_record_body(apex_text, record::rtype::soa, std::min(soa_set->ttl, soa->negative_ttl),
                           soa_set->data.front(), z->m_negative_soa);
  for (auto& [text, n] : z->m_nodes) {
    n.cut = !n.apex && n.find(record::rtype::ns) != nullptr;
    for (auto& set : n.rrsets) z->resolve_links(set);
  }
  return z;
}

}  // namespace cidns::authd
