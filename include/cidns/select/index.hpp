// The index a compiled zone keeps for DISCOVER (DESIGN §7): inverted lists for enumerated
// and text keys (kind, sched, accel.vendor/model/family/link, net.fabric, site, frameworks
// by name and by name:version), sorted arrays for numeric keys (accel.count, accel.mem,
// price, free, ...) and the region prefix order. Evaluation picks the most selective
// indexed term, walks its candidates and checks the whole selector on each; only a
// selector without any indexed term scans the ids in range.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/select/selector.hpp"

namespace cidns::select {

// Where the index reads a resource back from when it must check a candidate: fills
// `desc` (and `state`, setting `has_state`) for the resource `id`; false when `id` has no
// decodable DESC.
class resource_source {
 public:
  virtual ~resource_source() = default;
  virtual bool load(std::uint32_t id, record::desc& desc, record::state& state,
                    bool& has_state) const = 0;
};

struct evaluation_stats {
  std::size_t candidates = 0;  // resources loaded and checked
  bool scanned = false;        // no indexed term: every id in range was checked
};

class index {
 public:
  index();
  ~index();
  index(index&&) noexcept;
  index& operator=(index&&) noexcept;

  // Adds a resource. Ids are the callers' (a compiled zone uses its node numbers, in
  // canonical name order, so that a scope is a range of ids); add in ascending id order.
  void add(std::uint32_t id, const record::desc& desc, const record::state* state);
  // Takes in `later`, an index filled by add() with ids all above this one's (a second
  // thread's share of the resources): its ids, lists and numbers go after these. Either may
  // be built already: halves built on their own threads wait in less memory (numbers sorted,
  // 4 bytes each, not collected pairs of 12) and the result is built (build() again is cheap).
  void append(index&& later);
  // Sorts the numeric arrays; call after the last add() (and append()).
  void build();
  std::size_t size() const noexcept;

  // The ids in [first, last) that match `s`, ordered by `s` (ties by id), at most
  // s.limit of them.
  std::vector<std::uint32_t> evaluate(const selector& s, std::uint32_t first, std::uint32_t last,
                                      const resource_source& source,
                                      evaluation_stats* stats = nullptr) const;
  // The same where the index is out of date for the ids in `stale` (ascending: resources
  // changed, added or removed since it was built): their entries are ignored and they are
  // checked from `source` directly, each one.
  std::vector<std::uint32_t> evaluate(const selector& s, std::uint32_t first, std::uint32_t last,
                                      const resource_source& source,
                                      std::span<const std::uint32_t> stale,
                                      evaluation_stats* stats = nullptr) const;

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
};

}  // namespace cidns::select
