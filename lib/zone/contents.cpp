// Canonical ordering of a zone's records.
#include "cidns/zone/contents.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <string_view>

namespace cidns::zone {
namespace {

// A run of consecutive records with one owner, and where that owner's storage
// key lies in the key arena (bytewise order of keys = canonical order of names).
struct run {
  std::uint32_t begin;
  std::uint32_t end;
  std::size_t key_at;
  std::uint32_t key_size;
};

// Moves element perm[i] to position i for every i, in place, following cycles:
// a zone of millions of records is not copied into a second array.
template <typename T>
void apply_permutation(std::vector<T>& v, std::vector<std::uint32_t>& perm) {
  for (std::uint32_t i = 0; i < perm.size(); ++i) {
    if (perm[i] == i) continue;
    T held = std::move(v[i]);
    std::uint32_t j = i;
    while (perm[j] != i) {
      v[j] = std::move(v[perm[j]]);
      std::uint32_t next = perm[j];
      perm[j] = j;
      j = next;
    }
    v[j] = std::move(held);
    perm[j] = j;
  }
}

}  // namespace

void contents::sort_canonical() {
  const std::size_t n = records.size();
  if (positions.size() != n) positions.resize(n);
  std::vector<run> runs;
  std::string arena;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || records[i].owner != records[i - 1].owner) {
      if (!runs.empty()) runs.back().end = static_cast<std::uint32_t>(i);
      const std::size_t at = arena.size();
      records[i].owner.append_key(arena);
      runs.push_back(
          run{static_cast<std::uint32_t>(i), 0, at, static_cast<std::uint32_t>(arena.size() - at)});
    }
  }
  if (!runs.empty()) runs.back().end = static_cast<std::uint32_t>(n);
  auto key = [&](std::uint32_t r) {
    return std::string_view(arena).substr(runs[r].key_at, runs[r].key_size);
  };

  std::vector<std::uint32_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0U);
  auto key_less = [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); };
  if (!std::is_sorted(order.begin(), order.end(), key_less)) {
    std::stable_sort(order.begin(), order.end(), key_less);
  }

  auto rec_less = [&](std::uint32_t a, std::uint32_t b) {
    const auto& x = records[a];
    const auto& y = records[b];
    if (x.type != y.type) return x.type < y.type;
    if (int c = x.data.compare(y.data); c != 0) return c < 0;
    return positions[a].ordinal < positions[b].ordinal;
  };
  std::vector<std::uint32_t> perm;
  perm.reserve(n);
  bool identity = true;
  for (std::size_t g = 0; g < order.size();) {
    // All runs with the same owner form one group.
    std::size_t h = g + 1;
    while (h < order.size() && key(order[h]) == key(order[g])) ++h;
    const std::size_t first = perm.size();
    for (std::size_t k = g; k < h; ++k) {
      for (std::uint32_t i = runs[order[k]].begin; i < runs[order[k]].end; ++i) perm.push_back(i);
    }
    auto b = perm.begin() + static_cast<std::ptrdiff_t>(first);
    if (!std::is_sorted(b, perm.end(), rec_less)) std::sort(b, perm.end(), rec_less);
    g = h;
  }
  for (std::size_t i = 0; i < n && identity; ++i) identity = perm[i] == i;
  if (!identity) {
    std::vector<std::uint32_t> second = perm;
    apply_permutation(records, perm);
    apply_permutation(positions, second);
  }
  m_sorted = true;
}

std::vector<record_range> contents::names() const {
  std::vector<record_range> out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i == 0 || records[i].owner != records[i - 1].owner) {
      if (!out.empty()) out.back().end = i;
      out.push_back(record_range{i, 0});
    }
  }
  if (!out.empty()) out.back().end = records.size();
  return out;
}

std::size_t contents::rrset_end(std::size_t begin) const noexcept {
  std::size_t end = begin + 1;
  while (end < records.size() && records[end].type == records[begin].type &&
         records[end].owner == records[begin].owner) {
    ++end;
  }
  return end;
}

std::vector<record_range> contents::rrsets() const {
  std::vector<record_range> out;
  for (std::size_t i = 0; i < records.size(); i = out.back().end) {
    out.push_back(record_range{i, rrset_end(i)});
  }
  return out;
}

}  // namespace cidns::zone
