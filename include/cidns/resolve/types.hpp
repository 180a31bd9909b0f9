// Values shared by the resolver core, its cache and its validator: the validation state of
// an answer (DESIGN §6), the trust rank of cached data, and the clock the core is driven by.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/wire/message.hpp"

namespace cidns::resolve {

// Milliseconds since the Unix epoch. The core never reads a clock: the daemon passes the
// system clock, scenario tests a fake one. SIG windows and TTLs use now_ms / 1000.
using time_ms = std::uint64_t;

// The validation state of an answer.
//   secure        every link from the trust anchor down verified;
//   insecure      a signed parent proved the delegation unsigned (or no trust anchor is set);
//   bogus         a link failed: SERVFAIL with an extended error saying what and where;
//   indeterminate not validated (CD set, or validation not reached).
enum class security : std::uint8_t { indeterminate = 0, insecure = 1, secure = 2, bogus = 3 };
std::string_view security_name(security s);  // "secure", "insecure", "bogus", "indeterminate"

// Trust of cached data (Knot Resolver's ranks, simplified). Higher wins: data of a lower rank
// never replaces unexpired data of a higher one, so glue or a spoofed unvalidated answer cannot
// override validated data. A secure write always replaces.
enum class rank : std::uint8_t {
  bogus = 0,     // failed validation; kept briefly so a storm of clients does not re-query
  glue = 1,      // additional/authority data of a referral, not authoritative
  nonauth = 2,   // an answer without AA
  auth = 3,      // authoritative, not validated (no trust anchor, or CD)
  insecure = 4,  // validated as provably unsigned
  secure = 5,    // validated from the trust anchor
};

// The outcome of a validation step: the state, and for bogus the extended error (code and a
// text naming what and where, e.g. "signature expired on DESC h100.pool1.provx.cn-north.",
// "DS digest mismatch for provx.cn-north.").
struct verdict {
  security state = security::indeterminate;
  wire::error_code code = wire::error_code::other;
  std::string reason;

  static verdict secure() { return {security::secure, wire::error_code::other, {}}; }
  static verdict insecure(std::string why = {}) {
    return {security::insecure, wire::error_code::other, std::move(why)};
  }
  static verdict bogus(wire::error_code c, std::string why) {
    return {security::bogus, c, std::move(why)};
  }
  bool is_secure() const noexcept { return state == security::secure; }
  bool is_bogus() const noexcept { return state == security::bogus; }
};

}  // namespace cidns::resolve
