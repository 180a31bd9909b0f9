// The difference between two versions of a zone, as an incremental transfer carries it and
// the journal stores it: the records removed from version `from` and those added to make
// version `to`. The old SOA is the first record removed and the new SOA the first added
// (RFC 1995's order), so a changeset names its two serials and can be replayed alone.
#pragma once

#include <cstdint>
#include <vector>

#include "cidns/record/rr.hpp"

namespace cidns::record {

struct changeset {
  std::uint32_t from = 0;  // SOA serial before
  std::uint32_t to = 0;    // SOA serial after
  std::vector<rr> removed;
  std::vector<rr> added;

  friend bool operator==(const changeset&, const changeset&) = default;
};

// RFC 1982 serial arithmetic: a is after b when (a - b) mod 2^32 is in (0, 2^31).
constexpr bool serial_after(std::uint32_t a, std::uint32_t b) noexcept {
  return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000U;
}

// The serial after `s` for a new version: s + 1, skipping 0 (never a valid "next" for
// tools that treat 0 as unset).
constexpr std::uint32_t next_serial(std::uint32_t s) noexcept { return s + 1 == 0 ? 1 : s + 1; }

}  // namespace cidns::record
