// Compute identifiers (DESIGN §2): absolute, dot-separated, lowercase names such as
// "h100-8x.pool1.provx.cn-north.", with canonical ordering and the storage key form.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::name {

inline constexpr std::size_t max_label_length = 63;
inline constexpr std::size_t max_name_length = 253;  // characters, without the trailing dot
inline constexpr std::size_t max_labels = 127;

// An identifier: a sequence of labels, most specific first, ending at the root.
// Always valid and lowercase once constructed; stored as its presentation text
// with the trailing dot ("a.b." or "." for the root). Equality is exact;
// canonical_compare() gives the DNSSEC order (RFC 4034 §6.1) used by NSEC
// chains, caches and zone storage.
class identifier {
 public:
  // The root, ".".
  identifier() : m_text(".") {}

  // Parses presentation text. A name without a trailing dot is relative to
  // `origin` when one is given ("@" alone is the origin), and absolute otherwise.
  // Upper case is folded. On error, err().col is the 1-based offset of the problem in `text`.
  static result<identifier> parse(std::string_view text, const identifier* origin = nullptr);
  static result<identifier> parse(std::string_view text, const identifier& origin) {
    return parse(text, &origin);
  }

  // Builds from text already known to be valid and lowercase with a trailing dot
  // (e.g. produced by text()). Checked only by an assertion in debug builds.
  static identifier from_canonical_text(std::string_view text);

  // The inverse of key(); fails on bytes that are not a valid key.
  static result<identifier> from_key(std::string_view key);

  // "h100-8x.pool1.provx.cn-north." (root: ".").
  const std::string& text() const noexcept { return m_text; }
  // Without the trailing dot (root: "."), as in the cid:// URI form.
  std::string_view text_no_dot() const noexcept;
  // "cid://h100-8x.pool1.provx.cn-north" (root: "cid://.").
  std::string uri() const;

  bool is_root() const noexcept { return m_text.size() == 1; }
  bool is_wildcard() const noexcept {
    return m_text.size() >= 2 && m_text[0] == '*' && m_text[1] == '.';
  }
  std::size_t label_count() const noexcept;  // root: 0
  // Label i, counted from the left (most specific) label, 0-based.
  std::string_view label(std::size_t i) const noexcept;
  std::string_view first_label() const noexcept { return label(0); }

  // The name with its first label removed; the root's parent is the root.
  identifier parent() const;
  // The name with its `n` leftmost labels removed (n <= label_count()).
  identifier strip_left(std::size_t n) const;
  // label + "." + this; fails if the label is invalid or the result too long.
  result<identifier> child(std::string_view label) const;
  // "*." + this.
  result<identifier> wildcard_child() const { return child("*"); }

  // True if this name equals `zone` or lies below it.
  bool is_part_of(const identifier& zone) const noexcept;
  // Relative text for printing inside `origin`: "@" for the origin itself,
  // "a.b" for names below it, the absolute text otherwise.
  std::string make_relative(const identifier& origin) const;

  // Storage key: labels from the root side, each followed by a 0 byte.
  // Bytewise order of keys equals canonical order of names.
  std::string key() const;
  void append_key(std::string& out) const;

  friend bool operator==(const identifier& a, const identifier& b) noexcept = default;

 private:
  explicit identifier(std::string text) : m_text(std::move(text)) {}
  std::string m_text;
};

// Canonical (DNSSEC) order: label by label from the root side, bytewise; a
// name sorts before the names below it.
std::strong_ordering canonical_compare(const identifier& a, const identifier& b) noexcept;
// The same on canonical text (lowercase, trailing dot), as identifier::text() holds it.
std::strong_ordering canonical_compare(std::string_view a, std::string_view b) noexcept;

struct canonical_less {
  bool operator()(const identifier& a, const identifier& b) const noexcept {
    return canonical_compare(a, b) < 0;
  }
};

// A parsed cid:// URI: the identifier, and the optional /path (not resolved).
struct uri_parts {
  identifier id;
  std::string path;
};
result<uri_parts> parse_uri(std::string_view uri);

// Checks one label; on error, err().col is the 1-based offset within the label.
result<void> check_label(std::string_view label, bool leftmost);

}  // namespace cidns::name

template <>
struct std::hash<cidns::name::identifier> {
  std::size_t operator()(const cidns::name::identifier& n) const noexcept {
    return std::hash<std::string>{}(n.text());
  }
};
