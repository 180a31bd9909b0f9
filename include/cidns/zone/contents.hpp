// A zone's records as read from its zonefile(s): the origin, the records, and
// where each record came from, for error reports (Knot's "zone contents").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"

namespace cidns::zone {

// Where a record was written: file (index into contents::files), 1-based line
// and column of its first token, and its ordinal in reading order (so that
// problems can be reported in file order after the records are sorted).
struct source_pos {
  std::uint32_t ordinal = 0;
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
  // The reader parsed the data from its typed presentation form, which checks
  // every value: the checker need not validate it again (generic "\#" data is).
  bool validated = false;
};

// A run [begin, end) of records in `records`.
struct record_range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
};

class contents {
 public:
  name::identifier origin;
  std::vector<record::rr> records;
  std::vector<source_pos> positions;  // parallel to records
  std::vector<std::string> files;     // files[0] is the top file

  void add(record::rr r, source_pos pos) {
    records.push_back(std::move(r));
    positions.push_back(pos);
    m_sorted = false;
  }
  std::size_t size() const noexcept { return records.size(); }

  // Sorts records into canonical order: owner (canonical name order), then type
  // number, then data bytes, then reading order (so duplicates keep their first
  // occurrence first). positions move along. After this, each name's records
  // and each RRset are contiguous.
  void sort_canonical();
  // Marks the records as changed (call after editing `records` directly).
  void touch() noexcept { m_sorted = false; }
  bool is_sorted() const noexcept { return m_sorted; }

  // After sort_canonical(): the runs of equal owners, and of equal (owner, type).
  std::vector<record_range> names() const;
  std::vector<record_range> rrsets() const;
  // After sort_canonical(): where the RRset starting at records[begin] ends (begin < size()),
  // for a walk over a big zone's RRsets without a list of them all.
  std::size_t rrset_end(std::size_t begin) const noexcept;

 private:
  bool m_sorted = false;
};

}  // namespace cidns::zone
