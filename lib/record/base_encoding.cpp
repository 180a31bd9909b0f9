// Base64 and hex codecs.
#include "cidns/record/base_encoding.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace cidns::record {
namespace {

constexpr std::string_view b64_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_b64_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < b64_chars.size(); ++i) {
    t[static_cast<unsigned char>(b64_chars[i])] = static_cast<std::int8_t>(i);
  }
  return t;
}
constexpr auto b64_table = make_b64_table();

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void base64_append(std::string_view bytes, std::string& out) {
  out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto b = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    out.push_back(b64_chars[v >> 18 & 63]);
    out.push_back(b64_chars[v >> 12 & 63]);
    out.push_back(b64_chars[v >> 6 & 63]);
    out.push_back(b64_chars[v & 63]);
  }
  if (bytes.size() - i == 1) {
    std::uint32_t v = b(i) << 16;
    out.push_back(b64_chars[v >> 18 & 63]);
    out.push_back(b64_chars[v >> 12 & 63]);
    out.append("==");
  } else if (bytes.size() - i == 2) {
    std::uint32_t v = b(i) << 16 | b(i + 1) << 8;
    out.push_back(b64_chars[v >> 18 & 63]);
    out.push_back(b64_chars[v >> 12 & 63]);
    out.push_back(b64_chars[v >> 6 & 63]);
    out.push_back('=');
  }
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_append(bytes, out);
  return out;
}

result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(
        fmt::format("base64 text is {} characters long, not a multiple of 4", text.size()), 0,
        static_cast<std::uint32_t>(text.size()));
  }
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    auto v = b64_table[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return make_error(
          fmt::format("invalid base64 character '{}'", text[i] == '=' ? '=' : text[i]), 0,
          static_cast<std::uint32_t>(i + 1));
    }
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    if (i % 4 == 3) {
      out.push_back(static_cast<char>(acc >> 16));
      out.push_back(static_cast<char>(acc >> 8));
      out.push_back(static_cast<char>(acc));
      acc = 0;
    }
  }
  if (pad == 1) {  // 3 chars: 18 bits, 2 bytes
    if ((acc & 3) != 0)
      return make_error("base64 text has non-zero padding bits", 0,
                        static_cast<std::uint32_t>(text.size() - 1));
    out.push_back(static_cast<char>(acc >> 10));
    out.push_back(static_cast<char>(acc >> 2));
  } else if (pad == 2) {  // 2 chars: 12 bits, 1 byte
    if ((acc & 15) != 0)
      return make_error("base64 text has non-zero padding bits", 0,
                        static_cast<std::uint32_t>(text.size() - 2));
    out.push_back(static_cast<char>(acc >> 4));
  }
  return out;
}

void hex_append(std::string_view bytes, std::string& out) {
  constexpr std::string_view digits = "0123456789abcdef";
  out.reserve(out.size() + bytes.size() * 2);
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(digits[u >> 4]);
    out.push_back(digits[u & 15]);
  }
}

std::string hex_encode(std::string_view bytes) {
  std::string out;
  hex_append(bytes, out);
  return out;
}

result<std::string> hex_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (hex_value(text[i]) < 0) {
      return make_error(fmt::format("invalid hex digit '{}'", text[i]), 0,
                        static_cast<std::uint32_t>(i + 1));
    }
  }
  if (text.size() % 2 != 0) {
    return make_error("hex text has an odd number of digits", 0,
                      static_cast<std::uint32_t>(text.size()));
  }
  for (std::size_t i = 0; i < text.size(); i += 2) {
    out.push_back(static_cast<char>(hex_value(text[i]) << 4 | hex_value(text[i + 1])));
  }
  return out;
}

}  // namespace cidns::record
