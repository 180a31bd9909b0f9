// Priority then weighted random ordering of EP records (RFC 2782 style).
#include "cidns/stub/endpoints.hpp"

#include <algorithm>
#include <cstdint>

namespace cidns::stub {

namespace {

// Orders [first, last), records of one priority, by repeated weighted draws: zero-weight
// records are put first so that a draw of 0 can pick them (RFC 2782), then each draw takes
// the first record whose running weight sum reaches a number uniform in [0, total].
void weighted_order(std::vector<record::ep>::iterator first, std::vector<record::ep>::iterator last,
                    std::mt19937_64& rng) {
  std::stable_partition(first, last, [](const record::ep& e) { return e.weight == 0; });
  for (auto it = first; it != last; ++it) {
    std::uint64_t total = 0;
    for (auto j = it; j != last; ++j) total += j->weight;
    std::uniform_int_distribution<std::uint64_t> draw(0, total);
    const std::uint64_t pick = draw(rng);
    std::uint64_t running = 0;
    auto chosen = it;
    for (auto j = it; j != last; ++j) {
      running += j->weight;
      if (running >= pick) {
        chosen = j;
        break;
      }
    }
    std::rotate(it, chosen, chosen + 1);  // keeps the rest in order (zero weights first)
  }
}

}  // namespace

void order_endpoints(std::vector<record::ep>& eps, std::mt19937_64& rng) {
  std::stable_sort(eps.begin(), eps.end(), [](const record::ep& a, const record::ep& b) {
    return a.priority < b.priority;
  });
  for (auto first = eps.begin(); first != eps.end();) {
    auto last = std::find_if(first, eps.end(),
                             [&](const record::ep& e) { return e.priority != first->priority; });
    weighted_order(first, last, rng);
    first = last;
  }
}

void order_endpoints(std::vector<record::ep>& eps) {
  thread_local std::mt19937_64 rng{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  order_endpoints(eps, rng);
}

}  // namespace cidns::stub
