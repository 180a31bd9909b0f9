// A posting's two forms (posting.hpp): a sorted list, or a bitmap once the list would take at
// least twice the bitmap's bytes.
#include "posting.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace cidns::select::detail {

void posting::set(std::uint32_t id) {
  if (id / 64 >= m_words.size()) m_words.resize(id / 64 + 1, 0);
  std::uint64_t& word = m_words[id / 64];
  const std::uint64_t bit = std::uint64_t{1} << (id % 64);
  if ((word & bit) == 0) ++m_dense_count;
  word |= bit;
}

void posting::add(std::uint32_t id) {
  if (dense()) {
    set(id);
  } else if (m_list.empty() || m_list.back() != id) {
    m_list.push_back(id);
  }
}

std::size_t posting::count() const noexcept { return dense() ? m_dense_count : m_list.size(); }

std::size_t posting::bitmap_bytes(std::uint32_t highest) noexcept {
  return (std::size_t{highest} / 64 + 1) * sizeof(std::uint64_t);
}

void posting::append(posting&& later) {
  if (!dense() && !later.dense()) {
    m_list.insert(m_list.end(), later.m_list.begin(), later.m_list.end());
  } else {
    if (!dense()) {
      std::vector<std::uint32_t> list;
      list.swap(m_list);
      for (auto id : list) set(id);
    }
    if (later.dense()) {
      if (later.m_words.size() > m_words.size()) m_words.resize(later.m_words.size(), 0);
      m_dense_count = 0;
      for (std::size_t w = 0; w < m_words.size(); ++w) {
        if (w < later.m_words.size()) m_words[w] |= later.m_words[w];
        m_dense_count += static_cast<std::size_t>(std::popcount(m_words[w]));
      }
    } else {
      for (auto id : later.m_list) set(id);
    }
  }
  later = posting();
  // Spare capacity given back at every block, not kept for the next: it copies a list once
  // more per block, and keeps the index build's peak 4 MiB lower at a million resources.
  settle();
}

void sort_unique(std::vector<std::uint32_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

void posting::repair() { sort_unique(m_list); }

void posting::settle() {
  if (dense()) {
    // Back to a list when the ids thinned out (a bitmap grown from a few dense blocks).
    const std::size_t n = count();
    if (n * sizeof(std::uint32_t) < m_words.size() * sizeof(std::uint64_t)) {
      m_list.resize(n);
      copy_in(0, std::uint64_t{64} * m_words.size(), m_list.data());
      std::vector<std::uint64_t>().swap(m_words);
      m_dense_count = 0;
    } else {
      m_words.shrink_to_fit();
    }
    return;
  }
  if (!m_list.empty() && m_list.size() * sizeof(std::uint32_t) >= 2 * bitmap_bytes(m_list.back())) {
    std::vector<std::uint32_t> list;
    list.swap(m_list);
    m_words.assign(std::size_t{list.back()} / 64 + 1, 0);
    m_dense_count = 0;
    for (auto id : list) set(id);
    return;
  }
  m_list.shrink_to_fit();
}

std::span<const std::uint32_t> posting::list_in(std::uint32_t first,
                                                std::uint32_t last) const noexcept {
  auto b = std::lower_bound(m_list.begin(), m_list.end(), first);
  auto e = std::lower_bound(b, m_list.end(), last);
  return {m_list.data() + (b - m_list.begin()), static_cast<std::size_t>(e - b)};
}

std::size_t posting::count_in(std::uint32_t first, std::uint32_t last) const noexcept {
  if (!dense()) return list_in(first, last).size();
  // The whole posting (a query at the apex): counted once, by settle().
  if (first == 0 && last >= std::uint64_t{64} * m_words.size()) return m_dense_count;
  std::size_t n = 0;
  for_each_word(first, last, [&n](std::uint64_t, std::uint64_t bits) {
    n += static_cast<std::size_t>(std::popcount(bits));
  });
  return n;
}

void posting::copy_in(std::uint32_t first, std::uint64_t last, std::uint32_t* out) const noexcept {
  if (!dense()) {
    auto it = std::lower_bound(m_list.begin(), m_list.end(), first);
    for (; it != m_list.end() && *it < last; ++it) *out++ = *it;
    return;
  }
  for_each_word(first, last, [&out](std::uint64_t w, std::uint64_t bits) {
    for (; bits != 0; bits &= bits - 1) {
      *out++ =
          static_cast<std::uint32_t>(w * 64 + static_cast<std::uint64_t>(std::countr_zero(bits)));
    }
  });
}

void posting::or_into(std::span<std::uint64_t> out, std::uint32_t base, std::uint32_t first,
                      std::uint32_t last) const noexcept {
  if (!dense()) {
    for (auto id : list_in(first, last)) {
      if (id >= base && (id - base) / 64 < out.size()) {
        out[(id - base) / 64] |= std::uint64_t{1} << ((id - base) % 64);
      }
    }
    return;
  }
  const std::uint64_t skip = base / 64;
  for_each_word(std::max(first, base), last, [&](std::uint64_t w, std::uint64_t bits) {
    if (w - skip < out.size()) out[w - skip] |= bits;
  });
}

}  // namespace cidns::select::detail
