// A new version of a compiled zone from changed RRsets only (compiled_zone::patched): the
// names the changes touch are built again, every other node is shared with the base version.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "cidns/record/data.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::zone {
namespace {

using record::rtype;

bool changeable(rtype t) noexcept {
  return t != rtype::ns && t != rtype::ds && t != rtype::key && t != rtype::sig && t != rtype::none;
}

bool has_data(const node& n) noexcept {
  return std::any_of(n.rrsets.begin(), n.rrsets.end(),
                     [](const rrset& s) { return s.type != rtype::nsec && !s.empty(); });
}

// A name that carries an NSEC in a signed zone (dnssec::nsec_chain's rule).
bool in_chain(const node& n) noexcept {
  return n.role != name_role::below_delegation && n.role != name_role::outside && has_data(n);
}

bool canonical_less(const std::string& a, const std::string& b) {
  return name::canonical_compare(std::string_view(a), std::string_view(b)) < 0;
}
using name_set = std::set<std::string, decltype(&canonical_less)>;

// Where `name` is or would go among `nodes` (canonical order).
std::size_t lower_position(const std::vector<const node*>& nodes, const std::string& name) {
  const auto it = std::lower_bound(
      nodes.begin(), nodes.end(), name,
      [](const node* x, const std::string& s) { return canonical_less(x->name, s); });
  return static_cast<std::size_t>(it - nodes.begin());
}

}  // namespace

class zone_patch {
 public:
  zone_patch(const compiled_zone& base, const rrset_signer* sign, patch_stats& stats)
      : m_base(base), m_sign(sign), m_stats(stats) {}

  std::shared_ptr<const compiled_zone> run(std::span<const rrset_change> changes) {
    if (!accept(changes)) return nullptr;
    auto z = std::make_shared<compiled_zone>();
    m_zone = z.get();
    z->m_origin = m_base.m_origin;
    z->m_records = m_base.m_records;
    build_nodes(changes);
    z->m_apex = 0;  // the apex comes first in canonical order
    if (m_sign != nullptr && m_base.m_signed) fix_nsec();
    sign_and_link();
    relink_glue();
    finish();
    return z;
  }

 private:
  // The changes the patch handles: in the zone, at authoritative names (new ones below
  // one), no delegation or key material, each RRset once, the SOA among them.
  bool accept(std::span<const rrset_change> changes) {
    if (m_sign != nullptr && !m_base.m_signed) return false;
    std::set<std::pair<std::string, rtype>> seen;
    bool soa = false;
    for (const auto& c : changes) {
      if (!c.owner.is_part_of(m_base.m_origin) || !changeable(c.type)) return false;
      if (c.type == rtype::nsec && m_sign != nullptr) return false;
      if (!seen.emplace(c.owner.text(), c.type).second) return false;
      if (c.type == rtype::soa) {
        if (c.owner != m_base.m_origin || c.data.size() != 1) return false;
        soa = true;
      }
      // The name, or the closest existing name above it, must be the zone's own data.
      for (name::identifier n = c.owner;; n = n.parent()) {
        if (const node* at = m_base.find(n.text())) {
          if (at->role != name_role::authoritative && at->role != name_role::apex) return false;
          break;
        }
        if (n == m_base.m_origin) return false;
      }
    }
    return soa;
  }

  // A writable copy of base node `name`'s contents, or a new empty node.
  node& edit(const std::string& name) {
    auto [it, fresh] = m_edited.try_emplace(name);
    if (fresh) {
      if (const node* n = m_base.find(name)) {
        it->second = std::make_shared<node>(*n);
      } else {
        it->second = std::make_shared<node>();
        it->second->name = name;
        it->second->role = name_role::authoritative;
        m_added.insert(name);
      }
    }
    return *it->second;
  }

  static void count(const rrset& s, std::ptrdiff_t sign, std::size_t& records) {
    const auto n = static_cast<std::ptrdiff_t>(s.size() + s.sig_count());
    records = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(records) + sign * n);
  }

  void replace_rrset(node& n, rtype type, std::uint32_t ttl, std::vector<std::string> data,
                     const std::vector<std::string>* sig_data,
                     const std::vector<std::uint32_t>* sig_ttls) {
    auto it = std::find_if(n.rrsets.begin(), n.rrsets.end(),
                           [type](const rrset& s) { return s.type >= type; });
    if (it != n.rrsets.end() && it->type == type) {
      count(*it, -1, m_zone->m_records);
      it = n.rrsets.erase(it);
    }
    ++m_stats.rrsets;
    if (data.empty()) return;
    std::sort(data.begin(), data.end());
    rrset fresh;
    fresh.type = type;
    fresh.ttl = ttl;
    for (const auto& d : data) fresh.add(n.name, d);
    if (sig_data != nullptr) {
      for (std::size_t i = 0; i < sig_data->size(); ++i) {
        fresh.add_sig(n.name, (*sig_data)[i], i < sig_ttls->size() ? (*sig_ttls)[i] : ttl);
      }
    }
    count(fresh, 1, m_zone->m_records);
    n.rrsets.insert(it, std::move(fresh));
    if (m_sign != nullptr) m_to_sign.emplace(n.name, type);
  }

  // The changed nodes in place, the new names (and the empty non-terminals above them)
  // added, the names left without data (and the empty non-terminals above them) removed.
  void build_nodes(std::span<const rrset_change> changes) {
    for (const auto& c : changes) {
      node& n = edit(c.owner.text());
      replace_rrset(n, c.type, c.ttl, c.data, m_sign != nullptr ? nullptr : &c.sig_data,
                    &c.sig_ttls);
      if (c.type == rtype::desc || c.type == rtype::state) m_resources.insert(n.name);
    }
    // Names left without data lose their NSEC when the server signs (unsigned, the transfer
    // removes it); without any RRset they go, unless names below them stay.
    name_set empty(&canonical_less);
    for (auto& [name, n] : m_edited) {
      if (has_data(*n) || n->apex) continue;
      if (m_sign != nullptr && !n->rrsets.empty()) {
        for (const auto& s : n->rrsets) count(s, -1, m_zone->m_records);
        n->rrsets.clear();
      }
      if (n->rrsets.empty()) empty.insert(name);
    }
    for (const auto& name : empty) {
      if (!m_added.contains(name)) continue;
      m_edited.erase(name);  // added and emptied by the same change: never there
      m_added.erase(name);
    }
    // Empty non-terminals above new names.
    const std::vector<std::string> added(m_added.begin(), m_added.end());
    for (const auto& name : added) {
      for (auto p = name::identifier::from_canonical_text(name).parent(); p != m_base.m_origin;
           p = p.parent()) {
        if (m_base.find(p.text()) != nullptr || m_edited.contains(p.text())) break;
        edit(p.text());
      }
    }
    merge();
    remove_empty(empty);
    m_stats.names_changed = !m_added.empty() || !m_gone.empty();
  }

  // The new node order: the base's, rebuilt nodes in place of theirs, added names in.
  void merge() {
    compiled_zone& z = *m_zone;
    const auto& base = m_base.m_nodes;
    if (m_added.empty()) {  // the base's table, chunks shared: only the edited ones copied
      z.m_nodes = base;
      z.m_owners = m_base.m_owners;
      for (auto& [name, n] : m_edited) z.set_node(index_of_base(name), n);
      return;
    }
    std::vector<std::string> added(m_added.begin(), m_added.end());
    std::sort(added.begin(), added.end(), canonical_less);
    z.m_nodes.clear();
    z.m_owners = node_owners();
    z.m_nodes.reserve(base.size() + added.size());
    z.m_owners.reserve(base.size() + added.size());
    std::size_t a = 0;
    for (std::size_t i = 0; i <= base.size(); ++i) {
      while (a < added.size() && (i == base.size() || canonical_less(added[a], base[i]->name))) {
        z.add_node(m_edited.at(added[a++]));
      }
      if (i == base.size()) break;
      auto e = m_edited.find(base[i]->name);
      z.add_node(e != m_edited.end() ? e->second : m_base.m_owners[i]);
    }
  }

  // Number of base node `name`.
  std::uint32_t index_of_base(const std::string& name) const {
    return static_cast<std::uint32_t>(lower_position(m_base.m_nodes, name));
  }

  // Removes the names in `empty` that have nothing below them, then the empty
  // non-terminals above them that are left with nothing below.
  void remove_empty(const name_set& empty) {
    name_set check(&canonical_less);
    for (const auto& name : empty) {
      check.insert(name);
      for (auto p = name::identifier::from_canonical_text(name).parent(); p != m_base.m_origin;
           p = p.parent()) {
        check.insert(p.text());
      }
    }
    const auto& out = m_zone->m_nodes;
    // Deepest first: canonical order puts a name before everything below it.
    for (auto it = check.rbegin(); it != check.rend(); ++it) {
      const auto pos = position(*it);
      if (pos == out.size() || out[pos]->name != *it) continue;
      const node& n = *out[pos];
      if (!n.rrsets.empty() || n.apex) continue;
      if (pos + 1 < out.size() && name::identifier::from_canonical_text(out[pos + 1]->name)
                                      .is_part_of(name::identifier::from_canonical_text(n.name))) {
        continue;  // names below it stay: an empty non-terminal
      }
      if (!m_added.erase(*it)) m_gone.insert(*it);
      m_edited.erase(*it);
      m_zone->erase_node(pos);
    }
  }

  // The position of `name` in the new order (or where it would go).
  std::size_t position(const std::string& name) const {
    return lower_position(m_zone->m_nodes, name);
  }

  // The node at `pos` of the new order, writable (copied from the base when shared).
  node& writable(std::size_t pos) {
    const node& now = *m_zone->m_nodes[pos];
    auto [it, fresh] = m_edited.try_emplace(now.name);
    if (fresh) it->second = std::make_shared<node>(now);
    m_zone->set_node(pos, it->second);
    return *it->second;
  }

  // Rewrites the NSEC of every chain name whose next name or types changed: the changed
  // names and the chain names before each of them.
  void fix_nsec() {
    const auto& out = m_zone->m_nodes;
    std::set<std::size_t> look;
    auto around = [&](const std::string& name) {
      const std::size_t pos = position(name);
      if (pos < out.size() && out[pos]->name == name) look.insert(pos);
      for (std::size_t p = pos; p-- > 0;) {
        if (in_chain(*out[p])) {
          look.insert(p);
          break;
        }
      }
    };
    std::vector<std::string> names;
    for (const auto& [name, n] : m_edited) names.push_back(name);
    for (const auto& name : m_gone) names.push_back(name);
    for (const auto& name : names) around(name);
    const rrset* soa = out[0]->find(rtype::soa);
    auto soa_data = record::soa::decode(soa->front_data());
    const std::uint32_t ttl = soa_data ? std::min(soa->ttl, soa_data->negative_ttl) : soa->ttl;
    for (std::size_t pos : look) {
      const node& n = *out[pos];
      if (!in_chain(n)) continue;
      std::size_t next = pos + 1;
      while (next < out.size() && !in_chain(*out[next])) ++next;
      record::nsec want;
      want.next =
          name::identifier::from_canonical_text(next < out.size() ? out[next]->name : out[0]->name);
      for (const auto& s : n.rrsets) {
        if (s.empty() || s.type == rtype::nsec) continue;
        if (n.role != name_role::delegation || s.type == rtype::ns || s.type == rtype::ds) {
          want.types.push_back(s.type);
        }
      }
      want.types.push_back(rtype::sig);
      want.types.push_back(rtype::nsec);
      std::sort(want.types.begin(), want.types.end());
      want.types.erase(std::unique(want.types.begin(), want.types.end()), want.types.end());
      std::string data = want.encode();
      const rrset* have = n.find(rtype::nsec);
      if (have != nullptr && have->size() == 1 && have->front_data() == data && have->ttl == ttl) {
        continue;
      }
      replace_rrset(writable(pos), rtype::nsec, ttl, {std::move(data)}, nullptr, nullptr);
      ++m_stats.nsec;
    }
  }

  // SIGs for the RRsets that changed (with a signer), CNAME targets and glue of new nodes.
  void sign_and_link() {
    if (m_stats.names_changed) {
      m_zone->index_names();
    } else {
      m_zone->m_slots = m_base.m_slots;  // the same names at the same numbers
    }
    for (auto& [name, n] : m_edited) {
      for (auto& s : n->rrsets) {
        if (m_sign != nullptr && m_to_sign.contains({name, s.type})) {
          count(s, -1, m_zone->m_records);
          s.clear_sigs();
          const auto owner = name::identifier::from_canonical_text(name);
          for (const auto& sig : (*m_sign)(owner, s.type, s.ttl, s.datas())) {
            s.add_sig(name, sig, s.ttl);
            ++m_stats.signatures;
          }
          count(s, 1, m_zone->m_records);
        }
        s.shrink();
        m_zone->resolve_links(s);
      }
    }
  }

  // NS RRsets of unchanged nodes whose glue is in a node that was rebuilt or went: at the
  // apex and the delegation points (a patch makes no new ones), not a walk over every node.
  void relink_glue() {
    if (m_edited.empty()) return;
    std::vector<std::string> owners{m_base.apex().name};
    for (auto c : m_base.m_cuts) owners.push_back(m_base.m_nodes[c]->name);
    const auto& out = m_zone->m_nodes;
    for (const auto& name : owners) {
      const std::size_t pos = position(name);
      if (pos == out.size() || out[pos]->name != name) continue;
      const node& n = *out[pos];
      if (m_edited.contains(n.name)) continue;
      const rrset* ns = n.find(rtype::ns);
      if (ns == nullptr || ns->glue().empty()) continue;
      bool stale = false;
      for (const rrset::entry e : ns->records()) {
        auto decoded = record::ns::decode(e.data);
        if (!decoded) continue;
        const auto& server = decoded->server.text();
        if (m_edited.contains(server) || m_gone.contains(server)) stale = true;
      }
      if (!stale) continue;
      node& w = writable(pos);
      for (auto& s : w.rrsets) m_zone->resolve_links(s);
    }
  }

  // Whether a rebuilt node gained or lost its NSEC (the NSEC cover moves).
  bool chain_moved() const {
    for (const auto& [name, n] : m_edited) {
      const node* before = m_base.find(name);
      const bool had = before != nullptr && before->find(rtype::nsec) != nullptr;
      if (had != (n->find(rtype::nsec) != nullptr)) return true;
    }
    return false;
  }

  void finish() {
    compiled_zone& z = *m_zone;
    z.set_apex_derived();
    z.m_earliest_expiration = earliest();
    if (m_stats.names_changed) {
      z.index_nsec();
      z.index_resources();
      return;
    }
    if (chain_moved()) {
      z.index_nsec();
    } else {
      z.m_nsec = m_base.m_nsec;
    }
    z.m_cuts = m_base.m_cuts;
    z.m_discovery = m_base.m_discovery;
    z.m_stale = m_base.m_stale;
    for (const auto& name : m_resources) {
      const auto i = index_of_base(name);
      auto at = std::lower_bound(z.m_stale.begin(), z.m_stale.end(), i);
      if (at == z.m_stale.end() || *at != i) z.m_stale.insert(at, i);
    }
  }

  std::uint64_t earliest() const {
    if (!m_zone->m_signed) return 0;
    std::uint64_t e = m_base.m_earliest_expiration != 0 ? m_base.m_earliest_expiration
                                                        : std::numeric_limits<std::uint64_t>::max();
    for (const auto& [name, n] : m_edited) {
      if (n->role == name_role::below_delegation) continue;
      for (const auto& s : n->rrsets) {
        for (const rrset::entry sig_entry : s.sigs()) {
          if (auto sig = record::sig::decode(sig_entry.data)) e = std::min(e, sig->expiration);
        }
      }
    }
    return e == std::numeric_limits<std::uint64_t>::max() ? 0 : e;
  }

  const compiled_zone& m_base;
  const rrset_signer* m_sign;
  patch_stats& m_stats;
  compiled_zone* m_zone = nullptr;
  std::map<std::string, std::shared_ptr<node>> m_edited;  // by name: rebuilt or new nodes
  std::set<std::string> m_added;                          // names the base does not have
  std::set<std::string> m_gone;                           // base names removed
  std::set<std::string> m_resources;                      // names whose DESC or STATE changed
  std::set<std::pair<std::string, rtype>> m_to_sign;
};

std::shared_ptr<const compiled_zone> compiled_zone::patched(std::span<const rrset_change> changes,
                                                            const rrset_signer* sign,
                                                            patch_stats* stats) const {
  patch_stats local;
  zone_patch p(*this, sign, stats != nullptr ? *stats : local);
  return p.run(changes);
}

}  // namespace cidns::zone
