// The DISCOVER index (DESIGN §7): inverted lists of ids for enumerated, text, region and
// framework values, sorted (value, id) arrays for numbers and prices (per currency), and
// evaluation that intersects the most selective indexed terms before reading any
// resource back, walking the first order key's array when the candidates are many.
#include "cidns/select/index.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>

#include "keys.hpp"
#include "posting.hpp"

namespace cidns::select {
namespace {

using detail::key_kind;
using detail::posting;
using ids_t = std::vector<std::uint32_t>;

// A number and its id as add() collects them, ordered by (value, id): 12 bytes where a pair
// would take 16 (a million resources with seven numeric keys: 27 MiB less while building).
struct pending_number {
  std::uint32_t high = 0, low = 0, id = 0;
  pending_number(std::uint64_t value, std::uint32_t i) noexcept
      : high(static_cast<std::uint32_t>(value >> 32)),
        low(static_cast<std::uint32_t>(value)),
        id(i) {}
  std::uint64_t value() const noexcept { return std::uint64_t{high} << 32 | low; }
  friend bool operator<(const pending_number& a, const pending_number& b) noexcept {
    return std::tie(a.high, a.low, a.id) < std::tie(b.high, b.low, b.id);
  }
};

// Numbers of one key (or one key and currency), sorted by (value, id) after build(): the ids
// in that order, and each distinct value with where its run of ids starts (values repeat a
// lot, counts, sizes, prices: 4 bytes per resource and key, not 12).
struct numeric_array {
  std::vector<pending_number> pending;
  std::vector<std::uint64_t> values;  // distinct, ascending
  std::vector<std::uint32_t> starts;  // values.size() + 1: run r is ids[starts[r], starts[r+1])
  ids_t ids;
};

// A part of a term's candidates: ids sorted by id (a posting list) or by value, or a dense
// posting's ids in [first, last).
struct source_span {
  std::span<const std::uint32_t> ids;
  bool by_id = true;
  const posting* dense = nullptr;
  std::uint32_t first = 0, last = 0;
};

struct plan {
  std::vector<source_span> parts;
  std::size_t count = 0;
};

std::string posting_key(std::string_view key, std::string_view value) {
  std::string k;
  k.reserve(key.size() + 1 + value.size());
  k.append(key).push_back('\x1f');
  k.append(value);
  return k;
}

// A bitmap over the ids [lo, hi), lo a multiple of 64 (so that a dense posting's words can be
// ORed in whole).
struct id_bitmap {
  std::uint32_t lo = 0, hi = 0;
  std::vector<std::uint64_t> words;
  void reset(std::uint32_t l, std::uint32_t h) {
    lo = l & ~std::uint32_t{63};
    hi = std::max(lo, h);
    words.assign((std::size_t{hi} - lo + 63) / 64, 0);
  }
  void set(std::uint32_t id) {
    if (id < lo || id >= hi) return;
    words[(id - lo) / 64] |= std::uint64_t{1} << ((id - lo) % 64);
  }
  bool test(std::uint32_t id) const {
    if (id < lo || id >= hi) return false;
    return (words[(id - lo) / 64] >> ((id - lo) % 64) & 1) != 0;
  }
};

// One loaded resource.
struct entry {
  std::uint32_t id = 0;
  record::desc desc;
  record::state state;
  bool has_state = false;
  resource view() const { return {&desc, has_state ? &state : nullptr}; }
};

// The best `limit` matches seen so far (a heap whose front is the worst kept).
class top_k {
 public:
  explicit top_k(const selector& s) : m_s(s) {}
  bool full() const { return m_heap.size() >= m_s.limit; }
  // Offers the scratch entry; afterwards `scratch` holds storage to reuse.
  void offer(entry& scratch) {
    if (!full()) {
      m_heap.push_back(std::move(scratch));
      std::push_heap(m_heap.begin(), m_heap.end(), before());
      scratch = entry{};
      return;
    }
    if (!before()(scratch, m_heap.front())) return;
    std::pop_heap(m_heap.begin(), m_heap.end(), before());
    std::swap(m_heap.back(), scratch);
    std::push_heap(m_heap.begin(), m_heap.end(), before());
  }
  std::vector<std::uint32_t> result() {
    std::sort_heap(m_heap.begin(), m_heap.end(), before());
    std::vector<std::uint32_t> out;
    out.reserve(m_heap.size());
    for (const auto& e : m_heap) out.push_back(e.id);
    return out;
  }
  void clear() { m_heap.clear(); }

 private:
  struct ranks_before {
    const selector* s;
    bool operator()(const entry& a, const entry& b) const {
      int c = compare(*s, a.view(), b.view());
      return c != 0 ? c < 0 : a.id < b.id;
    }
  };
  ranks_before before() const { return {&m_s}; }
  const selector& m_s;
  std::vector<entry> m_heap;
};

}  // namespace

struct index::impl {
  ids_t ids;  // every added id, ascending
  std::unordered_map<std::string, posting> postings;
  std::set<std::string> regions;
  std::unordered_map<std::string, numeric_array> numbers;                       // key
  std::unordered_map<std::string, std::map<std::string, numeric_array>> money;  // key, currency

  std::string post_key;  // add(): the posting key being looked up, without an allocation each

  void post(std::string_view key, std::string_view value, std::uint32_t id) {
    post_key.assign(key).push_back('\x1f');
    post_key.append(value);
    auto it = postings.find(post_key);
    if (it == postings.end()) it = postings.emplace(post_key, posting()).first;
    it->second.add(id);
  }

  void add_posting(plan& p, std::string_view key, std::string_view value, std::uint32_t first,
                   std::uint32_t last) const {
    auto it = postings.find(posting_key(key, value));
    if (it == postings.end()) return;
    const posting& found = it->second;
    source_span s;
    if (found.dense()) {
      s.dense = &found;
      s.first = first;
      s.last = last;
      p.count += found.count_in(first, last);
    } else {
      s.ids = found.list_in(first, last);
      p.count += s.ids.size();
    }
    p.parts.push_back(s);
  }

  static void add_range(plan& p, const numeric_array& a, op o, std::uint64_t x) {
    if (a.starts.empty()) return;  // not built
    const auto run_lb = std::lower_bound(a.values.begin(), a.values.end(), x) - a.values.begin();
    const auto run_ub = std::upper_bound(a.values.begin(), a.values.end(), x) - a.values.begin();
    const std::ptrdiff_t lb = a.starts[static_cast<std::size_t>(run_lb)];
    const std::ptrdiff_t ub = a.starts[static_cast<std::size_t>(run_ub)];
    std::ptrdiff_t b = 0, e = static_cast<std::ptrdiff_t>(a.ids.size());
    switch (o) {
      case op::eq:
        b = lb, e = ub;
        break;
      case op::lt:
        e = lb;
        break;
      case op::le:
        e = ub;
        break;
      case op::gt:
        b = ub;
        break;
      case op::ge:
        b = lb;
        break;
      default:
        return;
    }
    if (e <= b) return;
    p.parts.push_back({std::span<const std::uint32_t>(a.ids.data() + b, a.ids.data() + e), false});
    p.count += static_cast<std::size_t>(e - b);
  }

  // True when the first order key has a sorted array walk_order() can walk.
  bool orders_by_array(const selector& s) const {
    if (s.order.empty()) return false;
    const auto* def = detail::find_key(s.order.front().key);
    if (def == nullptr) return false;
    if (def->kind == key_kind::number) return numbers.contains(s.order.front().key);
    return def->kind == key_kind::money && money.contains(s.order.front().key);
  }

  // The candidates of one term, or nullopt when the term is not indexed (!=).
  std::optional<plan> plan_term(const term& t, std::uint32_t first, std::uint32_t last) const;

  // Walks the first order key's sorted array(s), checking the candidates (`bm`, or every
  // id in [first, last) when `scan`) in the selector's order, until `best` is full at the
  // end of a run of equal values. False when that is not possible or not worth it (few
  // candidates, a key without array) or the arrays ran out first (the rest lack the key).
  // With a `budget` (0: none), gives up after that many loads, setting `exhausted`.
  bool walk_order(const selector& s, std::span<const std::uint32_t> cand, bool scan,
                  std::uint32_t first, std::uint32_t last, id_bitmap& bm,
                  const resource_source& src, top_k& best, std::size_t& loads, std::size_t budget,
                  bool& exhausted) const;
};

std::optional<plan> index::impl::plan_term(const term& t, std::uint32_t first,
                                           std::uint32_t last) const {
  const auto* def = detail::find_key(t.key);
  if (def == nullptr) return plan{};
  if (t.o == op::ne) return std::nullopt;
  plan p;
  switch (def->kind) {
    case key_kind::enumeration:
      for (const auto& v : t.values) add_posting(p, t.key, std::to_string(v.number), first, last);
      break;
    case key_kind::text:
    case key_kind::list:
      for (const auto& v : t.values) add_posting(p, t.key, v.text, first, last);
      break;
    case key_kind::region:
      for (const auto& v : t.values) {
        if (!v.prefix) {
          add_posting(p, t.key, v.text, first, last);
          continue;
        }
        for (auto it = regions.lower_bound(v.text);
             it != regions.end() && std::string_view(*it).substr(0, v.text.size()) == v.text;
             ++it) {
          if (detail::under_region(*it, v.text)) add_posting(p, t.key, *it, first, last);
        }
      }
      break;
    case key_kind::number: {
      auto it = numbers.find(t.key);
      if (it == numbers.end()) break;
      for (const auto& v : t.values) add_range(p, it->second, t.o, v.number);
      break;
    }
    case key_kind::money: {
      auto it = money.find(t.key);
      if (it == money.end() || t.values.empty()) break;
      auto c = it->second.find(t.values.front().currency);
      if (c == it->second.end()) break;
      for (const auto& v : t.values) add_range(p, c->second, t.o, v.number);
      break;
    }
  }
  return p;
}

index::index() : m_impl(std::make_unique<impl>()) {}
index::~index() = default;
index::index(index&&) noexcept = default;
index& index::operator=(index&&) noexcept = default;

std::size_t index::size() const noexcept { return m_impl->ids.size(); }

void index::add(std::uint32_t id, const record::desc& desc, const record::state* state) {
  auto& m = *m_impl;
  m.ids.push_back(id);
  for (const auto& def : detail::keys()) {
    auto f = def.get(desc, state);
    if (!f.present) continue;
    switch (def.kind) {
      case key_kind::number:
        m.numbers[std::string(def.name)].pending.emplace_back(f.number, id);
        break;
      case key_kind::money:
        m.money[std::string(def.name)][std::string(f.currency)].pending.emplace_back(f.number, id);
        break;
      case key_kind::enumeration:
        m.post(def.name, std::to_string(f.number), id);
        break;
      case key_kind::region:
        if (m.regions.find(std::string(f.text)) == m.regions.end()) m.regions.emplace(f.text);
        m.post(def.name, f.text, id);
        break;
      case key_kind::text:
        m.post(def.name, f.text, id);
        break;
      case key_kind::list:
        for (const auto& item : *f.list) {
          m.post(def.name, item, id);
          if (detail::item_name(item).size() != item.size())
            m.post(def.name, detail::item_name(item), id);
        }
        break;
    }
  }
  for (const auto& [k, v] : desc.extensions) m.post(k, v, id);
}

namespace {
// Sorts a key's collected numbers into its arrays; an array already built stays as it is.
void finish(numeric_array& a) {
  if (a.pending.empty() && !a.starts.empty()) return;
  std::sort(a.pending.begin(), a.pending.end());
  a.ids.resize(a.pending.size());
  a.values.clear();
  a.starts.clear();
  for (std::size_t i = 0; i < a.pending.size(); ++i) {
    if (i == 0 || a.pending[i].value() != a.pending[i - 1].value()) {
      a.values.push_back(a.pending[i].value());
      a.starts.push_back(static_cast<std::uint32_t>(i));
    }
    a.ids[i] = a.pending[i].id;
  }
  a.starts.push_back(static_cast<std::uint32_t>(a.pending.size()));
  a.values.shrink_to_fit();
  a.starts.shrink_to_fit();
  decltype(a.pending)().swap(a.pending);  // "= {}" would keep the capacity
}

// Merges `from`, whose ids are all above `to`'s, into `to` (both built first when they are
// not): in a run of equal values `to`'s ids come first, so the (value, id) order holds. Two
// built halves hold 4 bytes per number where the collected pairs held 12.
void append_numbers(numeric_array& to, numeric_array& from) {
  finish(to);
  finish(from);
  numeric_array out;
  out.ids.reserve(to.ids.size() + from.ids.size());
  auto take = [&out](const numeric_array& a, std::size_t run) {
    out.ids.insert(out.ids.end(), a.ids.begin() + a.starts[run], a.ids.begin() + a.starts[run + 1]);
  };
  std::size_t i = 0, j = 0;  // the next run of `to`, of `from`
  while (i < to.values.size() || j < from.values.size()) {
    const bool from_to =
        j == from.values.size() || (i < to.values.size() && to.values[i] <= from.values[j]);
    const std::uint64_t v = from_to ? to.values[i] : from.values[j];
    out.values.push_back(v);
    out.starts.push_back(static_cast<std::uint32_t>(out.ids.size()));
    if (i < to.values.size() && to.values[i] == v) take(to, i++);
    if (j < from.values.size() && from.values[j] == v) take(from, j++);
  }
  out.starts.push_back(static_cast<std::uint32_t>(out.ids.size()));
  out.values.shrink_to_fit();
  out.starts.shrink_to_fit();
  to = std::move(out);
  from = numeric_array();
}
}  // namespace

void index::append(index&& later) {
  auto& m = *m_impl;
  auto& l = *later.m_impl;
  m.ids.insert(m.ids.end(), l.ids.begin(), l.ids.end());
  for (auto& [k, list] : l.postings) {
    m.postings[k].append(std::move(list));  // `list` freed now, not with all of `later`
  }
  m.regions.merge(l.regions);
  for (auto& [k, a] : l.numbers) append_numbers(m.numbers[k], a);
  for (auto& [k, by] : l.money) {
    for (auto& [c, a] : by) append_numbers(m.money[k][c], a);
  }
  later = index();
}

void index::build() {
  auto& m = *m_impl;
  for (auto& [k, a] : m.numbers) finish(a);
  for (auto& [k, by] : m.money) {
    for (auto& [c, a] : by) finish(a);
  }
  // add() in ascending id order keeps every list sorted; repair a caller that did not.
  bool sorted = std::is_sorted(m.ids.begin(), m.ids.end());
  if (!sorted) detail::sort_unique(m.ids);
  for (auto& [k, list] : m.postings) {
    if (!sorted) list.repair();
    list.settle();
  }
  m.ids.shrink_to_fit();
  m.post_key = std::string();
}

namespace {

constexpr std::size_t intersect_ratio = 64;  // marking an id costs ~1/64 of loading one
constexpr std::size_t few_candidates = 16;
constexpr std::size_t walk_min = 512;     // fewer candidates than this are simply all loaded
constexpr std::size_t walk_budget = 256;  // loads before a walk on few intersections gives up

void mark(id_bitmap& bm, const plan& p) {
  for (const auto& part : p.parts) {
    if (part.dense != nullptr) {
      part.dense->or_into(bm.words, bm.lo, part.first, part.last);
    } else {
      for (auto id : part.ids) bm.set(id);
    }
  }
}

ids_t materialize(const plan& p, std::uint32_t first, std::uint32_t last) {
  ids_t out;
  out.reserve(p.count);
  for (const auto& part : p.parts) {
    if (part.dense != nullptr) {  // already cut to [first, last)
      const std::size_t at = out.size();
      out.resize(at + part.dense->count_in(part.first, part.last));
      part.dense->copy_in(part.first, part.last, out.data() + at);
      continue;
    }
    for (auto id : part.ids) {
      if (id >= first && id < last) out.push_back(id);
    }
  }
  if (p.parts.size() > 1 || (!p.parts.empty() && !p.parts.front().by_id)) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

bool all_dense(const plan& p) {
  return !p.parts.empty() && std::all_of(p.parts.begin(), p.parts.end(),
                                         [](const source_span& x) { return x.dense != nullptr; });
}

// The candidates from the first plan. When it and the next are all bitmaps (values that many
// resources share: a kind, a family, a region), those plans are intersected word by word and
// only the ids in all of them are copied out, instead of copying out the first plan's ids and
// striking them off one by one. `taken`: how many plans the candidates already satisfy.
ids_t first_candidates(std::span<const plan> plans, std::uint32_t first, std::uint32_t last,
                       id_bitmap& bm, std::size_t& taken) {
  taken = 1;
  if (plans.size() < 2 || !all_dense(plans[0]) || !all_dense(plans[1])) {
    return materialize(plans[0], first, last);
  }
  std::fill(bm.words.begin(), bm.words.end(), 0);
  mark(bm, plans[0]);
  id_bitmap next;
  next.reset(bm.lo, bm.hi);
  for (; taken < plans.size() && all_dense(plans[taken]); ++taken) {
    if (taken > 1) std::fill(next.words.begin(), next.words.end(), 0);
    mark(next, plans[taken]);
    for (std::size_t w = 0; w < bm.words.size(); ++w) bm.words[w] &= next.words[w];
  }
  ids_t out;
  for (std::size_t w = 0; w < bm.words.size(); ++w) {
    for (std::uint64_t bits = bm.words[w]; bits != 0; bits &= bits - 1) {
      out.push_back(bm.lo + static_cast<std::uint32_t>(64 * w + std::countr_zero(bits)));
    }
  }
  return out;
}

// Loads `id` into `scratch` and offers it when it matches; counts the load.
void check(const selector& s, const resource_source& src, std::uint32_t id, entry& scratch,
           top_k& best, std::size_t& loads) {
  ++loads;
  scratch.id = id;
  scratch.has_state = false;
  if (!src.load(id, scratch.desc, scratch.state, scratch.has_state)) return;
  if (matches(s, scratch.view())) best.offer(scratch);
}

}  // namespace

bool index::impl::walk_order(const selector& s, std::span<const std::uint32_t> cand, bool scan,
                             std::uint32_t first, std::uint32_t last, id_bitmap& bm,
                             const resource_source& src, top_k& best, std::size_t& loads,
                             std::size_t budget, bool& exhausted) const {
  exhausted = false;
  if (s.order.empty() || cand.size() <= walk_min + std::size_t{4} * s.limit) return false;
  const order_key& o = s.order.front();
  const auto* def = detail::find_key(o.key);
  std::vector<const numeric_array*> seq;
  if (def != nullptr && def->kind == key_kind::number) {
    auto it = numbers.find(o.key);
    if (it != numbers.end()) seq.push_back(&it->second);
  } else if (def != nullptr && def->kind == key_kind::money) {
    auto it = money.find(o.key);
    if (it == money.end()) return false;
    const std::string* currency = nullptr;  // a term on the key fixes the currency
    for (const auto& t : s.terms) {
      if (t.key == o.key && !t.values.empty()) currency = &t.values.front().currency;
    }
    for (const auto& [c, a] : it->second) {
      if (currency == nullptr || *currency == c) seq.push_back(&a);
    }
  }
  if (seq.empty()) return false;
  if (o.descending) std::reverse(seq.begin(), seq.end());
  if (!scan) {
    std::fill(bm.words.begin(), bm.words.end(), 0);
    for (auto id : cand) bm.set(id);
  }
  entry scratch;
  auto visit = [&](std::uint32_t id) {
    if (scan ? (id < first || id >= last) : !bm.test(id)) return;
    check(s, src, id, scratch, best, loads);
  };
  for (const auto* a : seq) {
    const std::size_t runs = a->values.size();
    for (std::size_t i = 0; i < runs; ++i) {
      // One run of equal values, from the start (ascending) or the end (descending).
      const std::size_t r = o.descending ? runs - 1 - i : i;
      for (std::size_t k = a->starts[r]; k < a->starts[r + 1]; ++k) {
        visit(a->ids[k]);
        if (budget != 0 && loads > budget) {  // a long run of equal values counts too
          exhausted = true;
          return false;
        }
      }
      if (best.full()) return true;
    }
  }
  return false;
}

std::vector<std::uint32_t> index::evaluate(const selector& s, std::uint32_t first,
                                           std::uint32_t last, const resource_source& source,
                                           evaluation_stats* stats) const {
  const auto& m = *m_impl;
  evaluation_stats local;
  evaluation_stats& st = stats != nullptr ? *stats : local;
  st = {};
  if (first >= last || m.ids.empty()) return {};

  std::vector<plan> plans;
  for (const auto& t : s.terms) {
    if (auto p = m.plan_term(t, first, last)) {
      if (p->count == 0) return {};  // an indexed term nobody in range satisfies
      plans.push_back(std::move(*p));
    }
  }
  std::sort(plans.begin(), plans.end(),
            [](const plan& a, const plan& b) { return a.count < b.count; });

  // The candidates: the smallest indexed term's ids, intersected with the next terms
  // while marking them is cheaper than loading the candidates; or every id in range.
  auto lo_it = std::lower_bound(m.ids.begin(), m.ids.end(), first);
  auto hi_it = std::lower_bound(lo_it, m.ids.end(), last);
  if (lo_it == hi_it) return {};
  id_bitmap bm;
  bm.reset(*lo_it, *(hi_it - 1) + 1);
  ids_t cand;
  std::span<const std::uint32_t> walk_ids;
  std::size_t intersected = 1;  // the plans the candidates satisfy
  if (plans.empty()) {
    st.scanned = true;
    walk_ids = std::span<const std::uint32_t>(&*lo_it, static_cast<std::size_t>(hi_it - lo_it));
  } else {
    cand = first_candidates(plans, first, last, bm, intersected);
  }
  // Intersects the candidates with the next terms, as long as marking a term costs less than
  // loading the candidates it would remove (`ratio` times the candidates at most).
  const auto intersect = [&](std::size_t ratio) {
    for (; intersected < plans.size() && cand.size() > few_candidates; ++intersected) {
      if (plans[intersected].count > ratio * cand.size()) break;
      std::fill(bm.words.begin(), bm.words.end(), 0);
      mark(bm, plans[intersected]);
      std::erase_if(cand, [&](std::uint32_t id) { return !bm.test(id); });
    }
  };

  top_k best(s);
  entry scratch;
  std::size_t loads = 0;
  bool exhausted = false;
  if (!plans.empty() && m.orders_by_array(s)) {
    // Walking the order key's array often stops after a few loads: first try it with only
    // the cheap intersections; when the matches are rare, intersect the rest and walk again.
    intersect(1);
    if (m.walk_order(s, cand, false, first, last, bm, source, best, loads,
                     walk_budget + std::size_t{8} * s.limit, exhausted)) {
      st.candidates = loads;
      return best.result();
    }
    best.clear();
  }
  if (!plans.empty()) {
    intersect(intersect_ratio);
    walk_ids = cand;
  }
  if (walk_ids.empty()) return {};
  if (m.walk_order(s, walk_ids, st.scanned, first, last, bm, source, best, loads, 0, exhausted)) {
    st.candidates = loads;
    st.scanned = false;
    return best.result();
  }
  best.clear();
  for (auto id : walk_ids) {
    check(s, source, id, scratch, best, loads);
    // Without order keys the result is the first matches by id.
    if (s.order.empty() && best.full()) break;
  }
  st.candidates = loads;
  return best.result();
}

namespace {

// A source that has nothing for the stale ids, so that the index's own walk skips them.
class without_stale : public resource_source {
 public:
  without_stale(const resource_source& source, std::span<const std::uint32_t> stale)
      : m_source(source), m_stale(stale) {}
  bool load(std::uint32_t id, record::desc& desc, record::state& state,
            bool& has_state) const override {
    if (std::binary_search(m_stale.begin(), m_stale.end(), id)) return false;
    return m_source.load(id, desc, state, has_state);
  }

 private:
  const resource_source& m_source;
  std::span<const std::uint32_t> m_stale;
};

}  // namespace

std::vector<std::uint32_t> index::evaluate(const selector& s, std::uint32_t first,
                                           std::uint32_t last, const resource_source& source,
                                           std::span<const std::uint32_t> stale,
                                           evaluation_stats* stats) const {
  const auto lo = std::lower_bound(stale.begin(), stale.end(), first);
  const auto hi = std::lower_bound(lo, stale.end(), last);
  if (lo == hi) return evaluate(s, first, last, source, stats);
  // The index's best matches among the others, then the stale ones, ranked together.
  const without_stale others(source, stale);
  const auto fresh = evaluate(s, first, last, others, stats);
  top_k best(s);
  entry scratch;
  std::size_t loads = 0;
  for (auto id : fresh) check(s, source, id, scratch, best, loads);
  for (auto it = lo; it != hi; ++it) check(s, source, *it, scratch, best, loads);
  if (stats != nullptr) stats->candidates += loads;
  return best.result();  // without order keys: by id, so the first matches by id
}

}  // namespace cidns::select
