// Query counters of the servers (cidns-authd, cidns-resolverd) for `stats` and
// Prometheus: by opcode, type and rcode, reply sizes and handling latency,
// response-rate limiting and cookies. Each serving thread counts into its own
// block (no shared cache lines); readers sum the blocks.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cidns/record/rtype.hpp"

namespace cidns::serve {

// Why a message got no reply at all: bytes that do not decode as a query (and whose
// header cannot be read, or is a reply's), a message that is itself a reply (QR set:
// answering it could loop two servers), or an empty datagram.
enum class drop_reason : std::uint8_t { undecodable, reply, empty };
inline constexpr std::size_t drop_reasons = 3;

// "undecodable", "reply", "empty": the reason label of cidns_dropped_total and `stats`.
constexpr const char* drop_reason_name(drop_reason r) noexcept {
  switch (r) {
    case drop_reason::undecodable:
      return "undecodable";
    case drop_reason::reply:
      return "reply";
    case drop_reason::empty:
      return "empty";
  }
  return "other";
}

struct stats_block {
  static constexpr std::size_t opcodes = 8;  // 0..6 by number, 7 = any other
  static constexpr std::size_t other_opcode = opcodes - 1;
  // by_type: one slot per known data type (record::known_types() order), then
  // RESOURCE, then every other type. Sized from the type table's bound, so a
  // type added to the table gets its own counter with no change here.
  static constexpr std::size_t resource_type = record::max_known_types;
  static constexpr std::size_t other_type = resource_type + 1;
  static constexpr std::size_t types = other_type + 1;
  static constexpr std::size_t rcodes = 24;  // 0..23, >23 counted at 23
  static constexpr std::array<std::uint32_t, 8> size_bounds{128,  256,  512,   1024,
                                                            1232, 4096, 16384, 65535};
  static constexpr std::array<std::uint32_t, 8> latency_bounds_us{1, 2, 5, 10, 25, 50, 100, 1000};

  // The by_opcode slot of an opcode's raw number: negative and large values
  // (proto3 enums are open) share other_opcode, reported as "OTHER".
  static constexpr std::size_t opcode_slot(std::int64_t op) noexcept {
    return op >= 0 && op < static_cast<std::int64_t>(other_opcode) ? static_cast<std::size_t>(op)
                                                                   : other_opcode;
  }

  // The by_type slot of a question type.
  static std::size_t type_slot(record::rtype t) noexcept {
    if (auto i = record::known_type_index(t)) return *i;
    return t == record::rtype::resource ? resource_type : other_type;
  }
  // The label of a by_type slot: the type's mnemonic, "RESOURCE" or "OTHER".
  static std::string type_label(std::size_t slot) {
    const auto known = record::known_types();
    if (slot < known.size()) return record::type_name(known[slot]);
    return slot == resource_type ? "RESOURCE" : "OTHER";
  }

  std::array<std::atomic<std::uint64_t>, opcodes> by_opcode{};
  std::array<std::atomic<std::uint64_t>, types> by_type{};
  std::array<std::atomic<std::uint64_t>, rcodes> by_rcode{};
  std::array<std::atomic<std::uint64_t>, size_bounds.size() + 1> reply_size{};
  std::atomic<std::uint64_t> reply_bytes{0};
  std::array<std::atomic<std::uint64_t>, latency_bounds_us.size() + 1> latency{};
  std::atomic<std::uint64_t> latency_ns_sum{0};
  std::atomic<std::uint64_t> truncated{0};
  std::atomic<std::uint64_t> formerr{0};
  std::array<std::atomic<std::uint64_t>, drop_reasons> dropped{};  // no reply sent, by reason
  // Response-rate limiting: limited = slipped (sent empty with TC) + dropped.
  std::atomic<std::uint64_t> rrl_limited{0};
  std::atomic<std::uint64_t> rrl_slipped{0};
  std::atomic<std::uint64_t> rrl_dropped{0};
  // Queries with a cookie: client cookie alone, valid server cookie, invalid one.
  std::atomic<std::uint64_t> cookie_new{0};
  std::atomic<std::uint64_t> cookie_valid{0};
  std::atomic<std::uint64_t> cookie_invalid{0};
};

// Plain sums of every block.
struct stats_snapshot {
  std::array<std::uint64_t, stats_block::opcodes> by_opcode{};
  std::array<std::uint64_t, stats_block::types> by_type{};
  std::array<std::uint64_t, stats_block::rcodes> by_rcode{};
  std::array<std::uint64_t, stats_block::size_bounds.size() + 1> reply_size{};
  std::uint64_t reply_bytes = 0;
  std::array<std::uint64_t, stats_block::latency_bounds_us.size() + 1> latency{};
  std::uint64_t latency_ns_sum = 0;
  std::uint64_t truncated = 0, formerr = 0;
  std::uint64_t dropped = 0;                             // the sum of dropped_by
  std::array<std::uint64_t, drop_reasons> dropped_by{};  // by drop_reason
  std::uint64_t rrl_limited = 0, rrl_slipped = 0, rrl_dropped = 0;
  std::uint64_t cookie_new = 0, cookie_valid = 0, cookie_invalid = 0;
  std::uint64_t queries() const;
};

class query_stats {
 public:
  // The calling thread's block (created on first use).
  stats_block& local();
  stats_snapshot snapshot() const;

 private:
  static std::uint64_t next_id() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
  const std::uint64_t m_id = next_id();
  mutable std::mutex m_mutex;
  std::vector<std::unique_ptr<stats_block>> m_blocks;
};

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // single writer
}

inline void bump(stats_block& st, drop_reason why) noexcept {
  bump(st.dropped[static_cast<std::size_t>(why)]);
}

}  // namespace cidns::serve
