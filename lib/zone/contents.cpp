// Canonical ordering of a zone's records.
#include "cidns/zone/contents.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace cidns::zone {
namespace {

// A run of consecutive records with one owner, and that owner's storage key
// (bytewise order of keys = canonical order of names).
struct run {
  std::uint32_t begin;
  std::uint32_t end;
  std::string key;
};

}  // namespace

void contents::sort_canonical() {
  const std::size_t n = records.size();
  if (positions.size() != n) positions.resize(n);
  std::vector<run> runs;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || records[i].owner != records[i - 1].owner) {
      if (!runs.empty()) runs.back().end = static_cast<std::uint32_t>(i);
      runs.push_back(run{static_cast<std::uint32_t>(i), 0, records[i].owner.key()});
    }
  }
  if (!runs.empty()) runs.back().end = static_cast<std::uint32_t>(n);

  std::vector<std::uint32_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0U);
  auto key_less = [&](std::uint32_t a, std::uint32_t b) { return runs[a].key < runs[b].key; };
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
    while (h < order.size() && runs[order[h]].key == runs[order[g]].key) ++h;
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
    std::vector<record::rr> r;
    std::vector<source_pos> p;
    r.reserve(n);
    p.reserve(n);
    for (std::uint32_t i : perm) {
      r.push_back(std::move(records[i]));
      p.push_back(positions[i]);
    }
    records = std::move(r);
    positions = std::move(p);
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

std::vector<record_range> contents::rrsets() const {
  std::vector<record_range> out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i == 0 || records[i].type != records[i - 1].type ||
        records[i].owner != records[i - 1].owner) {
      if (!out.empty()) out.back().end = i;
      out.push_back(record_range{i, 0});
    }
  }
  if (!out.empty()) out.back().end = records.size();
  return out;
}

}  // namespace cidns::zone
