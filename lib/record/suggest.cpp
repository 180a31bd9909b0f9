// Nearest-keyword suggestions (suggest.hpp).
#include "cidns/record/suggest.hpp"

#include <algorithm>
#include <vector>

namespace cidns::record {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  constexpr std::size_t max_word = 64;
  constexpr std::size_t max_edits = 2;
  if (word.empty() || word.size() > max_word) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_d = max_edits + 1;
  for (auto c : candidates) {
    if (c.size() > max_word) continue;
    const std::size_t d = edit_distance(word, c);
    if (d < best_d && d * 2 < word.size()) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace cidns::record
