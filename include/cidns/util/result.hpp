// A value or an error with a message: what every decoder of untrusted input returns.
// (std::expected in libstdc++ 12 does not build under clang 14, which the fuzzers use.)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace cidns {

// What went wrong, for a person to read. line/col are 1-based positions in
// presentation text when known (0 = unknown); offset is a byte offset in wire data.
struct error {
  std::string message;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
};

template <typename T>
class [[nodiscard]] result {
 public:
  result(T value)
      : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error err)
      : m_v(std::in_place_index<1>, std::move(err)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const& { return std::get<1>(m_v); }
  error&& err() && { return std::get<1>(std::move(m_v)); }

 private:
  std::variant<T, error> m_v;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error err) : m_err(std::move(err)), m_ok(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }
  const error& err() const& { return m_err; }
  error&& err() && { return std::move(m_err); }

 private:
  error m_err;
  bool m_ok = true;
};

inline error make_error(std::string message, std::uint32_t line = 0, std::uint32_t col = 0) {
  return error{std::move(message), line, col};
}

}  // namespace cidns
