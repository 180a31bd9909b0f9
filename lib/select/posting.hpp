// One posting of the DISCOVER index: the ids that have one (key, value). A sorted list while
// they are few; a bitmap over ids [0, 64 × words) once a list would take at least twice the
// bitmap's bytes. In a big zone most enumerated and text values (kind=gpu, a region, a
// vendor, a framework) cover a large share of the resources: an eighth of a byte per id of
// the zone instead of 4 bytes per id listed.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cidns::select::detail {

// Sorts ids and drops repeats.
void sort_unique(std::vector<std::uint32_t>& ids);

class posting {
 public:
  // Adds `id`; ids come in ascending order (a repeat of the last is ignored).
  void add(std::uint32_t id);
  // Takes in `later`, whose ids are all above these, and settles the form.
  void append(posting&& later);
  // Sorts and deduplicates a list filled out of order.
  void repair();
  // Chooses the smaller form for the ids held and gives back spare capacity.
  void settle();

  bool dense() const noexcept { return !m_words.empty(); }
  // How many ids lie in [first, last).
  std::size_t count_in(std::uint32_t first, std::uint32_t last) const noexcept;
  // The listed ids in [first, last) (not dense).
  std::span<const std::uint32_t> list_in(std::uint32_t first, std::uint32_t last) const noexcept;
  // ORs the ids in [first, last) into `out`, a bitmap whose bit 0 is id `base` (a multiple
  // of 64); ids outside it are left out.
  void or_into(std::span<std::uint64_t> out, std::uint32_t base, std::uint32_t first,
               std::uint32_t last) const noexcept;
  // Writes the ids in [first, last) to `out` (room for count_in() of them), ascending.
  void copy_in(std::uint32_t first, std::uint64_t last, std::uint32_t* out) const noexcept;

 private:
  // Calls f(w, bits) for each word w covering ids [first, last), bits outside them cleared.
  template <typename F>
  void for_each_word(std::uint64_t first, std::uint64_t last, F&& f) const;
  void set(std::uint32_t id);
  std::size_t count() const noexcept;
  static std::size_t bitmap_bytes(std::uint32_t highest) noexcept;

  std::vector<std::uint32_t> m_list;
  std::vector<std::uint64_t> m_words;  // bit i of word w: id 64w + i
  std::size_t m_dense_count = 0;       // the bits set (0 while a list): kept by set()
};

template <typename F>
void posting::for_each_word(std::uint64_t first, std::uint64_t last, F&& f) const {
  const std::uint64_t end = std::min<std::uint64_t>(last, std::uint64_t{64} * m_words.size());
  for (std::uint64_t w = first / 64; w * 64 < end; ++w) {
    std::uint64_t bits = m_words[w];
    if (w * 64 < first) bits &= ~std::uint64_t{0} << (first % 64);
    if (w * 64 + 64 > end) bits &= (std::uint64_t{1} << (end % 64)) - 1;
    f(w, bits);
  }
}

}  // namespace cidns::select::detail
