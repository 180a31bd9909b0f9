// Compiled zone back to contents, and changesets applied to contents (amend.hpp).
#include "cidns/zone/amend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/zone/record_cursor.hpp"

namespace cidns::zone {

contents decompile(const compiled_zone& z) {
  contents out;
  out.origin = z.origin();
  out.files.push_back("(zone in service)");
  out.records.reserve(z.record_count());
  out.positions.reserve(z.record_count());
  record_cursor cursor(z);
  record::rr r;
  while (cursor.next(r)) out.add(r, {});
  out.sort_canonical();
  return out;
}

namespace {

// A record's identity in a zone: owner, type and data (not the TTL). Views into records
// that outlive the map.
using record_key = std::tuple<std::string_view, std::uint16_t, std::string_view>;

record_key key_of(const record::rr& r) {
  return {r.owner.text(), static_cast<std::uint16_t>(r.type), r.data};
}

std::string describe(const record::rr& r) {
  return fmt::format("{} {}", r.owner.text(), record::type_name(r.type));
}

std::optional<std::uint32_t> soa_serial(const record::rr& r) {
  if (r.type != record::rtype::soa) return std::nullopt;
  auto soa = record::soa::decode(r.data);
  if (!soa) return std::nullopt;
  return soa->serial;
}

// The net effect of a sequence of changesets on a zone: which of its records go, which
// come (by identity; the last TTL written wins).
struct net_effect {
  std::map<record_key, std::size_t> index;  // the zone's records
  std::map<record_key, std::size_t> removed;
  std::map<record_key, const record::rr*> added;
  std::vector<std::pair<std::size_t, std::uint32_t>> new_ttls;  // zone records put back
};

result<void> fold(const record::changeset& c, net_effect& e) {
  const std::string which = fmt::format("changeset {} -> {}", c.from, c.to);
  for (const auto& r : c.removed) {
    auto k = key_of(r);
    if (e.added.erase(k) > 0) continue;  // added earlier in this sequence
    auto at = e.index.find(k);
    if (at == e.index.end() || e.removed.contains(k)) {
      return make_error(fmt::format("{}: {} to remove is not in the zone", which, describe(r)));
    }
    e.removed.emplace(at->first, at->second);
  }
  for (const auto& r : c.added) {
    auto k = key_of(r);
    if (auto it = e.removed.find(k); it != e.removed.end()) {
      e.new_ttls.emplace_back(it->second, r.ttl);  // back in the zone, with this TTL
      e.removed.erase(it);
      continue;
    }
    if (e.index.contains(k) || e.added.contains(k)) {
      return make_error(fmt::format("{}: {} to add is already in the zone", which, describe(r)));
    }
    e.added.emplace(k, &r);
  }
  return {};
}

}  // namespace

std::optional<std::uint32_t> serial_of(const contents& zone) {
  for (const auto& r : zone.records) {
    if (r.owner == zone.origin && r.type == record::rtype::soa) return soa_serial(r);
  }
  return std::nullopt;
}

namespace {

// A changeset opens with the old and the new SOA, and continues the zone at `serial`.
result<void> check_soas(const record::changeset& c, std::optional<std::uint32_t> serial) {
  const std::string which = fmt::format("changeset {} -> {}", c.from, c.to);
  if (c.removed.empty() || c.added.empty() || c.removed.front().type != record::rtype::soa ||
      c.added.front().type != record::rtype::soa) {
    return make_error(which + ": does not start with the old and the new SOA");
  }
  if (!serial || *serial != c.from || soa_serial(c.removed.front()) != c.from) {
    return make_error(fmt::format("{}: the zone is at serial {}", which,
                                  serial ? std::to_string(*serial) : "(none)"));
  }
  if (soa_serial(c.added.front()) != c.to) {
    return make_error(which + ": its new SOA does not carry serial " + std::to_string(c.to));
  }
  return {};
}

}  // namespace

result<void> apply_changesets(contents& zone, std::span<const record::changeset> changes) {
  if (changes.empty()) return {};
  net_effect e;
  for (std::size_t i = 0; i < zone.records.size(); ++i) e.index.emplace(key_of(zone.records[i]), i);
  auto serial = serial_of(zone);
  for (const auto& c : changes) {
    if (auto r = check_soas(c, serial); !r) return r;
    if (auto r = fold(c, e); !r) return r;
    serial = c.to;
  }
  // One pass: keep what stays, then append what is added.
  contents out;
  out.origin = zone.origin;
  out.files = zone.files;
  out.records.reserve(zone.records.size() - e.removed.size() + e.added.size());
  out.positions.reserve(out.records.capacity());
  for (auto [i, ttl] : e.new_ttls) zone.records[i].ttl = ttl;
  std::vector<bool> gone(zone.records.size(), false);
  for (const auto& [k, i] : e.removed) gone[i] = true;
  std::vector<record::rr> fresh;
  fresh.reserve(e.added.size());
  for (const auto& [k, r] : e.added) fresh.push_back(*r);  // copies before the views die
  for (std::size_t i = 0; i < zone.records.size(); ++i) {
    if (gone[i]) continue;
    out.records.push_back(std::move(zone.records[i]));
    out.positions.push_back(zone.positions[i]);
  }
  for (auto& r : fresh) out.add(std::move(r), {});
  out.touch();
  zone = std::move(out);
  return {};
}

namespace {

// The RRsets a sequence of changesets touches, as they become (rrset_changes).
class rrset_workspace {
 public:
  explicit rrset_workspace(const compiled_zone& z) : m_zone(z) {}

  result<void> apply(const record::changeset& c) {
    const std::string which = fmt::format("changeset {} -> {}", c.from, c.to);
    for (const auto& r : c.removed) {
      auto [set, data, ttls] = place(r);
      if (set == nullptr) return make_error(fmt::format("{}: {} is not valid", which, describe(r)));
      auto it = std::find(data->begin(), data->end(), r.data);
      if (it == data->end()) {
        return make_error(fmt::format("{}: {} to remove is not in the zone", which, describe(r)));
      }
      ttls->erase(ttls->begin() + (it - data->begin()));
      data->erase(it);
    }
    for (const auto& r : c.added) {
      auto [set, data, ttls] = place(r);
      if (set == nullptr) return make_error(fmt::format("{}: {} is not valid", which, describe(r)));
      if (auto ok = record::validate_data(r.type, r.data); !ok) {
        return make_error(fmt::format("{}: {}: {}", which, describe(r), ok.err().message));
      }
      if (std::find(data->begin(), data->end(), r.data) != data->end()) {
        return make_error(fmt::format("{}: {} to add is already in the zone", which, describe(r)));
      }
      data->push_back(r.data);
      ttls->push_back(r.ttl);
    }
    return {};
  }

  // The RRsets as they end up; an error when an RRset's records end up with different TTLs
  // (the zone checker refuses that too: records keep their own TTLs until then, so a record
  // added and removed again leaves the others' TTL as it was).
  result<std::vector<rrset_change>> take() {
    std::vector<rrset_change> out;
    out.reserve(m_sets.size());
    for (auto& [k, s] : m_sets) {
      auto& ttls = s.ttls;
      if (std::adjacent_find(ttls.begin(), ttls.end(), std::not_equal_to<>()) != ttls.end()) {
        return make_error(fmt::format("the {} RRset at {} would have records with different TTLs",
                                      record::type_name(s.set.type), s.set.owner.text()));
      }
      if (!ttls.empty()) s.set.ttl = ttls.front();
      out.push_back(std::move(s.set));
    }
    std::sort(out.begin(), out.end(), [](const rrset_change& a, const rrset_change& b) {
      if (auto c = name::canonical_compare(a.owner, b.owner); c != 0) return c < 0;
      return a.type < b.type;
    });
    return out;
  }

 private:
  struct where {
    rrset_change* set;
    std::vector<std::string>* data;
    std::vector<std::uint32_t>* ttls;  // each datum's TTL
  };
  struct working_set {
    rrset_change set;
    std::vector<std::uint32_t> ttls;  // each record's TTL (a SIG's are in set.sig_ttls)
  };

  // The working RRset a record belongs to (a SIG: the RRset it covers), loaded from the zone
  // on first use.
  where place(const record::rr& r) {
    record::rtype type = r.type;
    if (r.type == record::rtype::sig) {
      auto sig = record::sig::decode(r.data);
      if (!sig) return {nullptr, nullptr, nullptr};
      type = sig->type_covered;
    }
    auto [it, fresh] = m_sets.try_emplace({r.owner.text(), type});
    rrset_change& set = it->second.set;
    if (fresh) {
      set.owner = r.owner;
      set.type = type;
      set.ttl = r.ttl;
      if (const node* n = m_zone.find(r.owner.text())) {
        if (const rrset* have = n->find(type)) {
          set.ttl = have->ttl;
          set.data = have->datas();
          set.sig_data = have->sig_datas();
          set.sig_ttls = have->sig_ttls();
          it->second.ttls.assign(have->size(), have->ttl);
        }
      }
    }
    if (r.type == record::rtype::sig) return {&set, &set.sig_data, &set.sig_ttls};
    return {&set, &set.data, &it->second.ttls};
  }

  const compiled_zone& m_zone;
  std::map<std::pair<std::string, record::rtype>, working_set> m_sets;
};

}  // namespace

result<std::vector<rrset_change>> rrset_changes(const compiled_zone& z,
                                                std::span<const record::changeset> changes) {
  rrset_workspace w(z);
  std::optional<std::uint32_t> serial = z.serial();
  for (const auto& c : changes) {
    if (auto r = check_soas(c, serial); !r) return std::move(r).err();
    if (auto r = w.apply(c); !r) return std::move(r).err();
    serial = c.to;
  }
  return w.take();
}

}  // namespace cidns::zone
