// Planning a dynamic UPDATE (update_plan.hpp).
#include "update_plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"

namespace cidns::authd {
namespace {

using record::rtype;

update_plan refuse(wire::rcode rc, std::string why) {
  update_plan p;
  p.rcode = rc;
  p.why = std::move(why);
  return p;
}

std::string what(std::string_view kind, std::size_t i, const record::rr& r) {
  return r.type == rtype::none
             ? fmt::format("{} {} ({})", kind, i + 1, r.owner.text())
             : fmt::format("{} {} ({} {})", kind, i + 1, r.owner.text(), record::type_name(r.type));
}

bool has_data(const zone::node* n) {
  return n != nullptr && std::any_of(n->rrsets.begin(), n->rrsets.end(),
                                     [](const zone::rrset& s) { return !s.empty(); });
}

// The delegation at or above `owner` (below the apex), or nullptr.
const zone::node* cut_above(const zone::compiled_zone& z, const name::identifier& owner) {
  for (name::identifier n = owner; n != z.origin() && n.is_part_of(z.origin()); n = n.parent()) {
    const zone::node* at = z.find(n.text());
    if (at != nullptr && at->cut) return at;
  }
  return nullptr;
}

// ---- prerequisites (RFC 2136 §3.2) --------------------------------------------------------

update_plan check_prerequisites(const zone::compiled_zone& z, const wire::message& m) {
  using kind = wire::prerequisite_kind;
  // rrset_equals: the expected records of each (owner, type), gathered first.
  std::map<std::pair<std::string, rtype>, std::set<std::string>> expected;
  for (std::size_t i = 0; i < m.prerequisites.size(); ++i) {
    const auto& p = m.prerequisites[i];
    const auto& r = p.record;
    if (!r.owner.is_part_of(z.origin())) {
      return refuse(wire::rcode::notzone, what("prerequisite", i, r) + ": not in the zone");
    }
    const bool typed = p.kind == kind::rrset_exists || p.kind == kind::rrset_equals ||
                       p.kind == kind::rrset_absent;
    if (typed != (r.type != rtype::none)) {
      return refuse(wire::rcode::formerr,
                    what("prerequisite", i, r) + (typed ? ": needs a type" : ": takes no type"));
    }
    const zone::node* n = z.find(r.owner.text());
    const zone::rrset* set = typed && n != nullptr ? n->find(r.type) : nullptr;
    switch (p.kind) {
      case kind::rrset_exists:
        if (set == nullptr)
          return refuse(wire::rcode::nxrrset, what("prerequisite", i, r) + ": no such RRset");
        break;
      case kind::rrset_equals:
        expected[{r.owner.text(), r.type}].insert(r.data);
        break;
      case kind::rrset_absent:
        if (set != nullptr)
          return refuse(wire::rcode::yxrrset, what("prerequisite", i, r) + ": the RRset exists");
        break;
      case kind::name_in_use:
        if (!has_data(n))
          return refuse(wire::rcode::nxdomain,
                        what("prerequisite", i, r) + ": the name owns no RRset");
        break;
      case kind::name_absent:
        if (has_data(n))
          return refuse(wire::rcode::yxdomain, what("prerequisite", i, r) + ": the name is in use");
        break;
      default:
        return refuse(wire::rcode::formerr, what("prerequisite", i, r) + ": unknown kind");
    }
  }
  for (const auto& [key, want] : expected) {
    const zone::node* n = z.find(key.first);
    const zone::rrset* set = n != nullptr ? n->find(key.second) : nullptr;
    std::set<std::string> have;
    if (set != nullptr) {
      for (const zone::rrset::entry e : set->records()) have.emplace(e.data);
    }
    if (have != want) {
      return refuse(wire::rcode::nxrrset,
                    fmt::format("prerequisite: {} {} does not hold exactly the given records",
                                key.first, record::type_name(key.second)));
    }
  }
  return {};
}

// ---- changes: prescan (RFC 2136 §3.4.1) and policy ----------------------------------------

update_plan check_change(const zone::compiled_zone& z, const wire::change& c, std::size_t i,
                         std::string_view key, const update_policy& policy) {
  using kind = wire::change_kind;
  const auto& r = c.record;
  if (!r.owner.is_part_of(z.origin())) {
    return refuse(wire::rcode::notzone, what("change", i, r) + ": not in the zone");
  }
  if (const zone::node* cut = cut_above(z, r.owner)) {
    const bool at_cut = cut->name == r.owner.text();
    if (!at_cut || (r.type != rtype::ns && r.type != rtype::ds)) {
      return refuse(wire::rcode::notzone,
                    fmt::format("{}: {} is delegated (only NS and DS at the cut)",
                                what("change", i, r), cut->name));
    }
  }
  const bool typed = c.kind != kind::delete_name;
  if (typed != (r.type != rtype::none)) {
    return refuse(wire::rcode::formerr,
                  what("change", i, r) + (typed ? ": needs a type" : ": takes no type"));
  }
  if (c.kind != kind::add && c.kind != kind::delete_record && c.kind != kind::delete_rrset &&
      c.kind != kind::delete_name) {
    return refuse(wire::rcode::formerr, what("change", i, r) + ": unknown kind");
  }
  if (typed && server_managed(r.type)) {
    return refuse(wire::rcode::refused,
                  fmt::format("{}: {} is managed by the server", what("change", i, r),
                              record::type_name(r.type)));
  }
  if (c.kind == kind::add || c.kind == kind::delete_record) {
    if (auto ok = record::validate_data(r.type, r.data); !ok) {
      return refuse(wire::rcode::formerr, what("change", i, r) + ": " + ok.err().message);
    }
  }
  if (c.kind == kind::add && r.ttl > 0x7fffffffU) {
    return refuse(wire::rcode::formerr, what("change", i, r) + ": TTL over 2^31-1");
  }
  // The key must be allowed every type the change can touch.
  std::vector<rtype> touched;
  if (typed) {
    touched.push_back(r.type);
  } else if (const zone::node* n = z.find(r.owner.text())) {
    for (const auto& s : n->rrsets) {
      if (!server_managed(s.type) && !s.empty()) touched.push_back(s.type);
    }
  }
  for (auto t : touched) {
    if (!policy.allows(z.origin(), key, r.owner, t)) {
      return refuse(wire::rcode::refused,
                    fmt::format("{}: key {} may not change {} at {}", what("change", i, r), key,
                                record::type_name(t), r.owner.text()));
    }
  }
  return {};
}

// ---- applying the changes to the touched RRsets (RFC 2136 §3.4.2) -------------------------

struct working_set {
  std::uint32_t ttl = 0;
  std::vector<std::string> data;
};
using rrset_key = std::pair<std::string, rtype>;  // owner text, type

class workspace {
 public:
  explicit workspace(const zone::compiled_zone& z) : m_zone(z) {}

  working_set& at(const std::string& owner, rtype t) {
    auto [it, fresh] = m_sets.try_emplace({owner, t});
    if (fresh) {
      const zone::node* n = m_zone.find(owner);
      if (const zone::rrset* s = n != nullptr ? n->find(t) : nullptr) {
        it->second.ttl = s->ttl;
        it->second.data = s->datas();
      }
    }
    return it->second;
  }
  // The types the name has now (zone and changes so far), server-managed ones excluded.
  std::vector<rtype> types_at(const std::string& owner) {
    std::set<rtype> out;
    if (const zone::node* n = m_zone.find(owner)) {
      for (const auto& s : n->rrsets) {
        if (!s.empty() && !server_managed(s.type)) out.insert(s.type);
      }
    }
    for (const auto& [k, s] : m_sets) {
      if (k.first != owner) continue;
      if (s.data.empty())
        out.erase(k.second);
      else
        out.insert(k.second);
    }
    return {out.begin(), out.end()};
  }
  const std::map<rrset_key, working_set>& sets() const { return m_sets; }

 private:
  const zone::compiled_zone& m_zone;
  std::map<rrset_key, working_set> m_sets;
};

void apply_change(workspace& w, const wire::change& c, bool apex) {
  using kind = wire::change_kind;
  const auto& r = c.record;
  const std::string& owner = r.owner.text();
  switch (c.kind) {
    case kind::add: {
      const auto types = w.types_at(owner);
      const bool has_cname = std::find(types.begin(), types.end(), rtype::cname) != types.end();
      const bool has_other =
          std::any_of(types.begin(), types.end(), [](rtype t) { return t != rtype::cname; });
      if (r.type == rtype::cname ? has_other : has_cname) return;  // RFC 2136 §3.4.2.2: ignored
      working_set& s = w.at(owner, r.type);
      if (r.type == rtype::cname) s.data.clear();  // a CNAME replaces the one there
      s.ttl = r.ttl;                               // one TTL per RRset: the newest
      if (std::find(s.data.begin(), s.data.end(), r.data) == s.data.end()) s.data.push_back(r.data);
      return;
    }
    case kind::delete_record: {
      working_set& s = w.at(owner, r.type);
      if (apex && r.type == rtype::ns && s.data.size() == 1) return;  // never the last apex NS
      std::erase(s.data, r.data);
      return;
    }
    case kind::delete_rrset:
      if (apex && r.type == rtype::ns) return;  // RFC 2136 §3.4.2.3
      w.at(owner, r.type).data.clear();
      return;
    case kind::delete_name:
      for (auto t : w.types_at(owner)) {
        if (apex && t == rtype::ns) continue;
        w.at(owner, t).data.clear();
      }
      return;
  }
}

// The SOA records that open the changeset: the zone's, and the same with the new serial.
void add_soa(const zone::compiled_zone& z, std::uint32_t new_serial, record::changeset& c) {
  record::rr old = z.soa_record();  // a compiled zone always has one
  record::rr fresh = old;
  if (auto s = record::soa::decode(old.data)) {
    s->serial = new_serial;
    fresh.data = s->encode();
  }
  c.from = z.serial();
  c.to = new_serial;
  c.removed.insert(c.removed.begin(), std::move(old));
  c.added.insert(c.added.begin(), std::move(fresh));
}

}  // namespace

update_plan plan_update(const zone::compiled_zone& z, const wire::message& m, std::string_view key,
                        const update_policy& policy, std::uint32_t new_serial) {
  if (!m.question || m.question->name != z.origin() || m.question->type != rtype::soa) {
    return refuse(wire::rcode::formerr, "the question must be the zone's apex, type SOA");
  }
  if (auto p = check_prerequisites(z, m); p.refused()) return p;
  for (std::size_t i = 0; i < m.changes.size(); ++i) {
    if (auto p = check_change(z, m.changes[i], i, key, policy); p.refused()) return p;
  }
  workspace w(z);
  for (const auto& c : m.changes) apply_change(w, c, c.record.owner == z.origin());
  update_plan plan;
  for (const auto& [k, now] : w.sets()) {
    const zone::node* n = z.find(k.first);
    const zone::rrset* before = n != nullptr ? n->find(k.second) : nullptr;
    const std::uint32_t old_ttl = before != nullptr ? before->ttl : 0;
    const auto old_data = before != nullptr ? before->datas() : std::vector<std::string>();
    const auto owner = name::identifier::from_canonical_text(k.first);
    const bool ttl_changed = !now.data.empty() && now.ttl != old_ttl;
    for (const auto& d : old_data) {
      if (ttl_changed || std::find(now.data.begin(), now.data.end(), d) == now.data.end()) {
        plan.change.removed.push_back({owner, k.second, old_ttl, d});
      }
    }
    for (const auto& d : now.data) {
      if (ttl_changed || std::find(old_data.begin(), old_data.end(), d) == old_data.end()) {
        plan.change.added.push_back({owner, k.second, now.ttl, d});
      }
    }
  }
  if (plan.change.removed.empty() && plan.change.added.empty()) return plan;  // nothing to do
  add_soa(z, new_serial, plan.change);
  return plan;
}

}  // namespace cidns::authd
