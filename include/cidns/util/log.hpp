// Daemon logging: one line per event on stderr,
// "2026-11-25T10:00:00Z cidns-authd info: message", so an operator (or journald) sees which
// program did what, and why.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace cidns::log {

enum class level { error, warning, info, debug };

inline level& threshold() {
  static level l = level::info;
  return l;
}

// The program name each line carries; set once at the start of main.
inline std::string& program() {
  static std::string name = "cidns";
  return name;
}

inline void write(level l, std::string_view text) {
  if (l > threshold()) return;
  static constexpr std::string_view names[] = {"error", "warning", "info", "debug"};
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line =
      fmt::format("{} {} {}: {}\n", stamp, program(), names[static_cast<int>(l)], text);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

template <typename... A>
void error(fmt::format_string<A...> f, A&&... a) {
  write(level::error, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void warning(fmt::format_string<A...> f, A&&... a) {
  write(level::warning, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void info(fmt::format_string<A...> f, A&&... a) {
  write(level::info, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void debug(fmt::format_string<A...> f, A&&... a) {
  write(level::debug, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace cidns::log
