// Shared helpers for the net tests: byte spans over strings, polling for a condition.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <thread>

namespace cidns::net::testing {

inline std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Polls `pred` until it holds or `limit` passes; returns its last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(2000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace cidns::net::testing
