// The wall clock as unix seconds: signature times, HMAC times, key generation, journal stamps.
#pragma once

#include <chrono>
#include <cstdint>

namespace cidns::util {

inline std::uint64_t unix_seconds() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace cidns::util
