// Compiles zone contents into the answering form (compiled_zone.hpp).
#include "cidns/zone/compiled_zone.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <stdexcept>
#include <thread>

#include <sys/mman.h>
#include <unistd.h>

#include "cidns/record/data.hpp"
#include "cidns/util/trim_memory.hpp"
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
  return {m_origin, record::rtype::soa, soa->ttl, std::string(soa->front_data())};
}

namespace {

std::uint32_t name_hash(std::string_view name) noexcept {
  const std::uint64_t h = std::hash<std::string_view>{}(name);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

}  // namespace

std::uint32_t compiled_zone::find_number(std::string_view name) const noexcept {
  if (!m_slots) return no_node;
  const auto& slots = *m_slots;
  const std::uint32_t h = name_hash(name);
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots[i];
    if (slot == 0) return no_node;
    if (static_cast<std::uint32_t>(slot >> 32) != h) continue;
    const auto number = static_cast<std::uint32_t>(slot) - 1;
    if (m_nodes[number]->name == name) return number;
  }
}

const node* compiled_zone::find(std::string_view name) const noexcept {
  const std::uint32_t number = find_number(name);
  return number == no_node ? nullptr : m_nodes[number];
}

std::shared_ptr<const node> compiled_zone::same_node(const node& n) const noexcept {
  const std::uint32_t number = find_number(n.name);
  if (number == no_node) return nullptr;
  const node& old = *m_nodes[number];
  if (old.role != n.role || old.cut != n.cut || old.apex != n.apex ||
      old.rrsets.size() != n.rrsets.size()) {
    return nullptr;
  }
  for (std::size_t i = 0; i < n.rrsets.size(); ++i) {
    const rrset& a = old.rrsets[i];
    const rrset& b = n.rrsets[i];
    if (a.type == record::rtype::ns || a.type != b.type || a.ttl != b.ttl || !a.same_records(b)) {
      return nullptr;
    }
  }
  return m_owners[number];
}

void compiled_zone::index_names() {
  std::size_t size = 16;
  while (size < 2 * m_nodes.size()) size *= 2;
  auto slots = std::make_shared<std::vector<std::uint64_t>>(size, 0);
  const std::size_t mask = size - 1;
  for (std::uint32_t n = 0; n < m_nodes.size(); ++n) {
    const std::uint32_t h = name_hash(m_nodes[n]->name);
    std::size_t i = h & mask;
    while ((*slots)[i] != 0) i = (i + 1) & mask;
    (*slots)[i] = std::uint64_t{h} << 32 | (n + 1);
  }
  m_slots = std::move(slots);
}

void compiled_zone::index_nsec() {
  auto cover = std::make_shared<std::vector<std::uint32_t>>(m_nodes.size());
  std::uint32_t last = no_node;
  for (std::uint32_t i = 0; i < m_nodes.size(); ++i) {
    const node& n = *m_nodes[i];
    if (n.role != name_role::below_delegation && n.find(record::rtype::nsec) != nullptr) last = i;
    (*cover)[i] = last;
  }
  m_nsec = std::move(cover);
}

const rrset* compiled_zone::covering_nsec(std::string_view name) const noexcept {
  // The last node at or before `name`: the apex is the first node, so there is one.
  auto it =
      std::upper_bound(m_nodes.begin(), m_nodes.end(), name, [](std::string_view n, const node* x) {
        return name::canonical_compare(n, std::string_view(x->name)) < 0;
      });
  if (it == m_nodes.begin()) return nullptr;
  const std::uint32_t at = (*m_nsec)[static_cast<std::size_t>(it - m_nodes.begin()) - 1];
  return at == no_node ? nullptr : m_nodes[at]->find(record::rtype::nsec);
}

// Node addresses and RRsets inside nodes no longer move once every record is
// in, so pointers between them stay valid for the zone's life.
void compiled_zone::resolve_links(rrset& set) const {
  set.set_links(nullptr);
  if (set.type == record::rtype::cname && !set.empty()) {
    if (auto c = record::cname::decode(set.front_data())) {
      auto l = std::make_shared<rrset::links>();
      l->target = c->target.text();
      set.set_links(std::move(l));
    }
    return;
  }
  if (set.type != record::rtype::ns) return;
  std::vector<const rrset*> glue;
  for (const rrset::entry e : set.records()) {
    auto ns = record::ns::decode(e.data);
    if (!ns || !ns->server.is_part_of(m_origin)) continue;
    const node* target = find(ns->server.text());
    if (target == nullptr) continue;
    if (const rrset* a = target->find(record::rtype::addr)) glue.push_back(a);
  }
  if (glue.empty()) return;
  auto l = std::make_shared<rrset::links>();
  l->glue = std::move(glue);
  set.set_links(std::move(l));
}

namespace {

// The RRsets of one name being built, in buffers kept from name to name: the node gets exact
// copies, one allocation each, and no buffer outgrown on the way is left behind as a hole in
// the heap between the zone's long-lived blocks.
class rrset_scratch {
 public:
  void clear() noexcept { m_used = 0; }
  void add(std::string_view owner, const record::rr& r) {
    if (m_used == 0 || m_sets[m_used - 1].type != r.type) {
      if (m_used == m_sets.size()) m_sets.emplace_back();
      m_sets[m_used++].reset(r.type, r.ttl);
    }
    m_sets[m_used - 1].add(owner, r.data);
  }
  void add_sig(std::string_view owner, record::rtype covered, const record::rr& r) {
    for (std::size_t i = 0; i < m_used; ++i) {
      if (m_sets[i].type == covered) m_sets[i].add_sig(owner, r.data, r.ttl);
    }
  }
  void copy_to(std::vector<rrset>& out) const {
    out.assign(m_sets.begin(), m_sets.begin() + static_cast<std::ptrdiff_t>(m_used));
  }

 private:
  std::vector<rrset> m_sets;
  std::size_t m_used = 0;
};

// Gives back the pages of a vector's capacity that no element occupies any more, in steps of
// at least 16 MiB: a big array consumed from its back (elements erased as they are spent)
// shrinks as it goes, without a new array or moving what is left. The capacity beyond size()
// is raw storage the vector owns; pages released there read as zeros if they are used again.
template <typename T>
class tail_release {
 public:
  explicit tail_release(std::vector<T>& v) : m_v(v), m_released(page_down(end_of(v.capacity()))) {}
  void operator()() {
    constexpr std::uintptr_t step = std::uintptr_t{16} << 20;
    const std::uintptr_t from = page_up(end_of(m_v.size()));
    if (from + step > m_released) return;
    ::madvise(reinterpret_cast<void*>(from), m_released - from, MADV_DONTNEED);
    m_released = from;
  }

 private:
  std::uintptr_t end_of(std::size_t n) const {
    return reinterpret_cast<std::uintptr_t>(m_v.data() + n);
  }
  static std::uintptr_t page() { return static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)); }
  static std::uintptr_t page_down(std::uintptr_t x) { return x & ~(page() - 1); }
  static std::uintptr_t page_up(std::uintptr_t x) { return page_down(x + page() - 1); }

  std::vector<T>& m_v;
  std::uintptr_t m_released;  // pages from here to the end of the capacity are given back
};

// Canonical text `n` is `zone` or a name below it.
bool at_or_below(std::string_view n, std::string_view zone) noexcept {
  if (zone == ".") return true;
  return n.size() >= zone.size() && n.ends_with(zone) &&
         (n.size() == zone.size() || n[n.size() - zone.size() - 1] == '.');
}

}  // namespace

std::shared_ptr<const compiled_zone> compiled_zone::compile(contents zone, layout shape,
                                                            const compiled_zone* previous) {
  // Where each record was written only serves diagnostics, all given by now.
  std::vector<source_pos>().swap(zone.positions);
  auto z = std::make_shared<compiled_zone>();
  z->m_origin = zone.origin;
  z->m_records = zone.records.size();
  std::vector<std::shared_ptr<const node>> built;  // from the last name to the first
  built.reserve(shape.names.size());
  std::vector<node*> building;  // the nodes built here (not previous's), writable until the end
  std::uint64_t earliest = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::pair<record::rtype, std::size_t>> sigs;  // covered type, record index
  rrset_scratch scratch;

  // Nodes are built from the last name to the first, so that the records and layout entries
  // already used are always at the back of their arrays: erased as we go, their pages given
  // back, and the peak is the compiled zone plus what is left of the contents.
  tail_release<record::rr> release_records(zone.records);
  tail_release<name_entry> release_names(shape.names);
  while (!shape.names.empty()) {
    auto& e = shape.names.back();
    if (!e.empty_non_terminal() && e.records.end != zone.records.size()) {
      throw std::logic_error("compile: the layout does not follow the records' order");
    }
    if (e.role != name_role::outside) {  // (the checker reported those)
      auto fresh = std::make_shared<node>();
      node& n = *fresh;
      n.name = e.name.text();
      n.role = e.role;
      n.apex = e.role == name_role::apex;
      n.cut = e.role == name_role::delegation;
      sigs.clear();
      scratch.clear();
      for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
        const auto& r = zone.records[i];
        if (r.type != record::rtype::sig) {
          scratch.add(n.name, r);
          continue;
        }
        auto s = record::sig::decode(r.data);
        if (!s) continue;  // the checker reported it
        sigs.emplace_back(s->type_covered, i);
        if (e.role != name_role::below_delegation) earliest = std::min(earliest, s->expiration);
      }
      for (const auto& [covered, i] : sigs) scratch.add_sig(n.name, covered, zone.records[i]);
      scratch.copy_to(n.rrsets);
      std::shared_ptr<const node> kept = previous ? previous->same_node(n) : nullptr;
      if (kept) {
        built.push_back(std::move(kept));
      } else {
        building.push_back(fresh.get());
        built.push_back(std::move(fresh));
      }
    }
    // (An empty non-terminal's range is {0, 0}: it has no records to erase.)
    if (!e.empty_non_terminal()) {
      zone.records.erase(zone.records.begin() + static_cast<std::ptrdiff_t>(e.records.begin),
                         zone.records.end());
    }
    shape.names.pop_back();
    release_records();
    release_names();
  }
  z->m_nodes.reserve(built.size());
  z->m_owners.reserve(built.size());
  for (auto it = built.rbegin(); it != built.rend(); ++it) z->add_node(std::move(*it));
  std::vector<std::shared_ptr<const node>>().swap(built);
  zone = contents{};  // the records are copied into the nodes: free them before indexing
  shape = layout{};

  z->index_names();
  z->index_nsec();
  bool found_apex = false;
  for (std::uint32_t i = 0; i < z->m_nodes.size() && !found_apex; ++i) {
    if (z->m_nodes[i]->apex) {
      z->m_apex = i;
      found_apex = true;
    }
  }
  if (!found_apex) throw std::runtime_error("zone has no records at its origin");
  z->set_apex_derived();
  if (z->m_signed && earliest != std::numeric_limits<std::uint64_t>::max()) {
    z->m_earliest_expiration = earliest;
  }
  // A kept node has no NS RRset, and its CNAME's target is its data's: its links hold.
  for (node* n : building) {
    for (auto& set : n->rrsets) z->resolve_links(set);
  }
  std::vector<node*>().swap(building);
  z->index_resources();
  // The contents' and the index build's blocks are free now, in pieces between the zone's:
  // hand their pages back rather than keep them mapped (about 45 MiB at a million names).
  util::trim_memory();
  return z;
}

void compiled_zone::add_node(std::shared_ptr<const node> n) {
  m_nodes.push_back(n.get());
  m_owners.push_back(std::move(n));
}

void compiled_zone::set_node(std::size_t i, std::shared_ptr<const node> n) {
  m_nodes[i] = n.get();
  m_owners.set(i, std::move(n));
}

void compiled_zone::erase_node(std::size_t i) {
  m_nodes.erase(m_nodes.begin() + static_cast<std::ptrdiff_t>(i));
  m_owners.erase(i);
}

void compiled_zone::set_apex_derived() {
  const node& apex = *m_nodes[m_apex];
  const rrset* soa_set = apex.find(record::rtype::soa);
  if (soa_set == nullptr || soa_set->empty()) throw std::runtime_error("zone has no SOA");
  auto soa = record::soa::decode(soa_set->front_data());
  if (!soa) throw std::runtime_error("zone SOA does not decode: " + soa.err().message);
  m_serial = soa->serial;
  const std::uint32_t negative_ttl = std::min(soa_set->ttl, soa->negative_ttl);
  m_negative_soa.clear();
  wire::encode_record_body(apex.name, record::rtype::soa, negative_ttl, soa_set->front_data(),
                           m_negative_soa);
  m_negative_soa_sigs.clear();
  for (const rrset::entry e : soa_set->sigs()) {
    wire::encode_record_body(apex.name, record::rtype::sig, negative_ttl, e.data,
                             m_negative_soa_sigs.emplace_back());
  }
  m_signed = apex.find(record::rtype::key) != nullptr && apex.find(record::rtype::nsec);
}

void compiled_zone::index_resources() {
  m_cuts.clear();
  for (std::uint32_t i = 0; i < m_nodes.size(); ++i) {
    if (m_nodes[i]->cut) m_cuts.push_back(i);
  }
  m_stale.clear();
  m_discovery = build_index();
}

std::shared_ptr<const select::index> compiled_zone::build_index() const {
  // Decoding every DESC and STATE is most of the work: a big zone splits it in two halves,
  // the second on a thread of its own, and appends the second to the first. Each half is
  // filled a block of names at a time, each block built (its numbers sorted, 4 bytes each)
  // and appended before the next: the numbers are never all held as collected pairs (12
  // bytes each), which at a million resources is most of the build's extra memory.
  static constexpr std::uint32_t block = 16384;
  auto fill = [this](select::index& into, std::uint32_t first, std::uint32_t last) {
    record::desc desc;
    record::state state;
    bool has_state = false;
    for (std::uint32_t from = first; from < last;) {
      const std::uint32_t to = from + std::min(block, last - from);
      select::index part;
      for (std::uint32_t i = from; i < to; ++i) {
        if (load(i, desc, state, has_state)) part.add(i, desc, has_state ? &state : nullptr);
      }
      part.build();
      into.append(std::move(part));
      from = to;
    }
  };
  const auto n = static_cast<std::uint32_t>(m_nodes.size());
  auto discovery = std::make_shared<select::index>();
  if (n >= parallel_index_min && std::thread::hardware_concurrency() > 1) {
    select::index later;
    std::exception_ptr failed;
    std::thread second([&] {
      try {
        fill(later, n / 2, n);
      } catch (...) {
        failed = std::current_exception();
      }
    });
    try {
      fill(*discovery, 0, n / 2);
    } catch (...) {
      second.join();
      throw;
    }
    second.join();
    if (failed) std::rethrow_exception(failed);
    discovery->append(std::move(later));
  } else {
    fill(*discovery, 0, n);
  }
  discovery->build();
  return discovery;
}

std::shared_ptr<const compiled_zone> compiled_zone::with_index(
    std::shared_ptr<const select::index> index, const compiled_zone& indexed) const {
  // Sharing the index means no name changed in between (a name change rebuilds it), so
  // node numbers are the same in both versions.
  if (m_discovery != indexed.m_discovery || m_nodes.size() != indexed.m_nodes.size()) {
    return nullptr;
  }
  auto z = std::make_shared<compiled_zone>(*this);
  z->m_discovery = std::move(index);
  z->m_stale.clear();
  for (auto id : m_stale) {
    if (m_nodes[id] != indexed.m_nodes[id]) z->m_stale.push_back(id);
  }
  return z;
}

std::vector<std::uint32_t> compiled_zone::discover(const select::selector& s, std::uint32_t first,
                                                   std::uint32_t last,
                                                   select::evaluation_stats* stats) const {
  return m_discovery->evaluate(s, first, last, *this, m_stale, stats);
}

bool compiled_zone::load(std::uint32_t id, record::desc& desc, record::state& state,
                         bool& has_state) const {
  if (id >= m_nodes.size()) return false;
  const node& n = *m_nodes[id];
  // Resources are authoritative names with a DESC; a wildcard is no one resource.
  if (n.role != name_role::authoritative && n.role != name_role::apex) return false;
  if (n.name.starts_with("*.")) return false;
  const rrset* d = n.find(record::rtype::desc);
  if (d == nullptr || d->empty()) return false;
  auto decoded = record::desc::decode(d->front_data());
  if (!decoded) return false;
  desc = std::move(*decoded);
  has_state = false;
  if (const rrset* s = n.find(record::rtype::state); s != nullptr && !s->empty()) {
    if (auto st = record::state::decode(s->front_data())) {
      state = std::move(*st);
      has_state = true;
    }
  }
  return true;
}

std::pair<std::uint32_t, std::uint32_t> compiled_zone::subtree(
    std::string_view name) const noexcept {
  const auto first =
      std::lower_bound(m_nodes.begin(), m_nodes.end(), name, [](const node* x, std::string_view n) {
        return name::canonical_compare(std::string_view(x->name), n) < 0;
      });
  // Canonical order keeps a subtree contiguous: the names below `name` follow it.
  const auto last = std::partition_point(first, m_nodes.end(),
                                         [&](const node* x) { return at_or_below(x->name, name); });
  return {static_cast<std::uint32_t>(first - m_nodes.begin()),
          static_cast<std::uint32_t>(last - m_nodes.begin())};
}

}  // namespace cidns::zone
