// "Did you mean ...?" for misspelt keywords: the nearest candidate by edit
// distance. Shared by the zonefile parser (DESC/STATE/EP keys) and selectors.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace cidns::record {

// Levenshtein distance (insertions, deletions, substitutions, each 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if one is close enough to be a likely typo:
// at most 2 edits, and fewer than half of `word`'s length (so "ab" does not
// suggest "cd"). Ties go to the earlier candidate. Words longer than 64 bytes
// get no suggestion (bounded work on hostile input).
std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates);

}  // namespace cidns::record
