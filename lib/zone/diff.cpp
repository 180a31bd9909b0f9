// The changeset between two versions of a compiled zone (diff.hpp): the two node lists are
// walked in step (both are in canonical order) and, at a name both have, the RRsets by type;
// an RRset whose pre-encoded bodies (owner, type, TTL, data) and SIG bodies are equal is
// unchanged without decoding anything.
#include "cidns/zone/diff.hpp"

#include <algorithm>
#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cidns::zone {
namespace {

// One side's records of an RRset (data with the RRset's TTL, then its SIGs with theirs).
struct item {
  record::rtype type;
  std::uint32_t ttl;
  std::string_view data;
  friend bool operator==(const item& a, const item& b) noexcept {
    return a.type == b.type && a.ttl == b.ttl && a.data == b.data;
  }
};

std::vector<item> items_of(const rrset& set, bool with_data) {
  std::vector<item> out;
  out.reserve(set.size() + set.sig_count());
  if (with_data) {
    for (const rrset::entry e : set.records()) out.push_back({set.type, set.ttl, e.data});
  }
  for (const rrset::entry e : set.sigs()) out.push_back({record::rtype::sig, e.ttl, e.data});
  return out;
}

// Collects the changes of one zone walk; the apex SOA record itself is left to diff().
class collector {
 public:
  explicit collector(record::changeset& c) : m_c(c) {}

  // Every record of `set` at `owner` goes (into `to`'s list: removed or added).
  void all(const std::string& owner, const rrset& set, bool apex, std::vector<record::rr>& to) {
    for (const auto& it : items_of(set, !(apex && set.type == record::rtype::soa))) {
      push(owner, it, to);
    }
  }

  // Two RRsets of one type at one name.
  void compare(const std::string& owner, const rrset& a, const rrset& b, bool apex) {
    if (a.same_records(b)) return;
    const bool with_data = !(apex && a.type == record::rtype::soa);
    const auto old_items = items_of(a, with_data);
    const auto new_items = items_of(b, with_data);
    // RRsets are small: a quadratic match costs less than building an index.
    for (const auto& it : old_items) {
      if (std::find(new_items.begin(), new_items.end(), it) == new_items.end()) {
        push(owner, it, m_c.removed);
      }
    }
    for (const auto& it : new_items) {
      if (std::find(old_items.begin(), old_items.end(), it) == old_items.end()) {
        push(owner, it, m_c.added);
      }
    }
  }

  void nodes(const node& a, const node& b) {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.rrsets.size() || j < b.rrsets.size()) {
      if (j == b.rrsets.size() || (i < a.rrsets.size() && a.rrsets[i].type < b.rrsets[j].type)) {
        all(a.name, a.rrsets[i++], a.apex, m_c.removed);
      } else if (i == a.rrsets.size() || b.rrsets[j].type < a.rrsets[i].type) {
        all(b.name, b.rrsets[j++], b.apex, m_c.added);
      } else {
        compare(a.name, a.rrsets[i++], b.rrsets[j++], a.apex);
      }
    }
  }

 private:
  void push(const std::string& owner, const item& it, std::vector<record::rr>& to) {
    if (m_owner_text != owner) {
      m_owner = name::identifier::from_canonical_text(owner);
      m_owner_text = owner;
    }
    to.push_back(record::rr{m_owner, it.type, it.ttl, std::string(it.data)});
  }

  record::changeset& m_c;
  std::string m_owner_text;
  name::identifier m_owner;
};

// Canonical order (contents::sort_canonical's): owner, type, data; then TTL, for determinism.
bool canonical_before(const record::rr& a, const record::rr& b) {
  if (auto c = name::canonical_compare(a.owner, b.owner); c != 0) return c < 0;
  if (a.type != b.type) return a.type < b.type;
  if (a.data != b.data) return a.data < b.data;
  return a.ttl < b.ttl;
}

}  // namespace

record::changeset diff(const compiled_zone& from, const compiled_zone& to) {
  record::changeset c;
  c.from = from.serial();
  c.to = to.serial();
  c.removed.push_back(from.soa_record());
  c.added.push_back(to.soa_record());

  collector changes(c);
  const auto& a = from.nodes();
  const auto& b = to.nodes();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    std::strong_ordering order = std::strong_ordering::equal;
    if (i == a.size()) {
      order = std::strong_ordering::greater;
    } else if (j == b.size()) {
      order = std::strong_ordering::less;
    } else {
      if (a[i] == b[j]) {  // a node both versions share (compiled_zone::patched): unchanged
        ++i;
        ++j;
        continue;
      }
      order = name::canonical_compare(std::string_view(a[i]->name), std::string_view(b[j]->name));
    }
    if (order < 0) {
      for (const auto& set : a[i]->rrsets) changes.all(a[i]->name, set, a[i]->apex, c.removed);
      ++i;
    } else if (order > 0) {
      for (const auto& set : b[j]->rrsets) changes.all(b[j]->name, set, b[j]->apex, c.added);
      ++j;
    } else {
      changes.nodes(*a[i++], *b[j++]);
    }
  }
  std::sort(c.removed.begin() + 1, c.removed.end(), canonical_before);
  std::sort(c.added.begin() + 1, c.added.end(), canonical_before);
  return c;
}

}  // namespace cidns::zone
