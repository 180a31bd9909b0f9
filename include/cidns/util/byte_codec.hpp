// The small byte formats cidns stores (cache values, journal changesets): fixed-width
// integers in either byte order, LEB128 varints, and a bounds-checked reader over untrusted
// bytes that fails (ok() turns false, reads return 0 or empty) instead of running past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cidns::util {

enum class byte_order { little, big };

inline void put_uint(std::string& out, std::uint64_t v, unsigned bytes, byte_order order) {
  for (unsigned i = 0; i < bytes; ++i) {
    const unsigned shift = order == byte_order::little ? i : bytes - 1 - i;
    out.push_back(static_cast<char>((v >> (8 * shift)) & 0xff));
  }
}

// The bytes put_varint writes for `v` (1 to 10).
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80U) {
    v >>= 7U;
    ++n;
  }
  return n;
}

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class byte_reader {
 public:
  explicit byte_reader(std::string_view in) : m_in(in) {}
  bool ok() const noexcept { return m_ok; }
  bool at_end() const noexcept { return m_pos == m_in.size(); }
  std::size_t pos() const noexcept { return m_pos; }
  std::size_t left() const noexcept { return m_in.size() - m_pos; }

  std::uint64_t uint(unsigned bytes, byte_order order) {
    if (!need(bytes)) return 0;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) {
      const std::uint64_t b = static_cast<unsigned char>(m_in[m_pos + i]);
      v = order == byte_order::little ? v | (b << (8 * i)) : (v << 8) | b;
    }
    m_pos += bytes;
    return v;
  }
  // At most `max_bytes` bytes; with `shortest`, a varint with a needless trailing zero byte
  // (not in its shortest form) fails too, so that every value has one encoding.
  std::uint64_t varint(unsigned max_bytes = 10, bool shortest = false) {
    std::uint64_t v = 0;
    for (unsigned i = 0, shift = 0; i < max_bytes && shift < 64; ++i, shift += 7) {
      if (!need(1)) return 0;
      const auto c = static_cast<unsigned char>(m_in[m_pos++]);
      v |= std::uint64_t{c & 0x7fu} << shift;
      if ((c & 0x80) == 0) {
        if (shortest && c == 0 && shift != 0) break;
        return v;
      }
    }
    m_ok = false;
    return 0;
  }
  std::string_view bytes(std::uint64_t n) {
    if (!need(n)) return {};
    std::string_view out = m_in.substr(m_pos, n);
    m_pos += n;
    return out;
  }

 private:
  bool need(std::uint64_t n) {
    if (!m_ok || n > m_in.size() - m_pos) m_ok = false;
    return m_ok;
  }
  std::string_view m_in;
  std::size_t m_pos = 0;
  bool m_ok = true;
};

}  // namespace cidns::util
