// Identifier parsing, ordering and key encoding (DESIGN §2).
#include "cidns/name/identifier.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cassert>
#include <vector>

namespace cidns::name {
namespace {

constexpr std::string_view uri_scheme = "cid://";

// 0: invalid, 1: valid as is, 2: upper case letter (folded).
constexpr unsigned char char_class(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') return 1;
  if (c >= 'A' && c <= 'Z') return 2;
  return 0;
}

std::string describe_char(unsigned char c) {
  if (c >= 0x80) return fmt::format("non-ASCII byte 0x{:02x} (use punycode)", c);
  if (c < 0x20 || c == 0x7f) return fmt::format("control character 0x{:02x}", c);
  if (c == '\\') return "'\\' (escapes are not allowed)";
  if (c == ' ') return "a space";
  return fmt::format("'{}'", static_cast<char>(c));
}

// Appends the lowercased labels of `text` (no trailing dot, not empty) to out,
// each followed by '.'; `base` is the 1-based column of text[0] for errors.
result<void> append_labels(std::string_view text, std::uint32_t base, std::string& out) {
  std::size_t start = 0;
  std::size_t index = 1;
  while (true) {
    std::size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view label = text.substr(start, end - start);
    auto col = static_cast<std::uint32_t>(base + start);
    if (label.empty()) return make_error(fmt::format("empty label {}", index), 0, col);
    if (auto ok = check_label(label, start == 0); !ok) {
      return make_error(fmt::format("label {} \"{}\": {}", index, label, ok.err().message), 0,
                        col + ok.err().col - 1);
    }
    for (char c : label) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    out.push_back('.');
    if (end == text.size()) return {};
    start = end + 1;
    ++index;
  }
}

}  // namespace

result<void> check_label(std::string_view label, bool leftmost) {
  if (label.empty()) return make_error("empty label", 0, 1);
  if (label.size() > max_label_length) {
    return make_error(
        fmt::format("label is {} bytes long, at most {} allowed", label.size(), max_label_length),
        0, 1);
  }
  if (label == "*") {
    if (leftmost) return {};
    return make_error("'*' is allowed only as the leftmost label", 0, 1);
  }
  for (std::size_t i = 0; i < label.size(); ++i) {
    auto c = static_cast<unsigned char>(label[i]);
    if (char_class(c) == 0) {
      return make_error(
          fmt::format("invalid character {}; allowed are a-z 0-9 '-' '_'", describe_char(c)), 0,
          static_cast<std::uint32_t>(i + 1));
    }
  }
  return {};
}

result<identifier> identifier::parse(std::string_view text, const identifier* origin) {
  if (text.empty()) return make_error("empty identifier", 0, 1);
  if (text == ".") return identifier{};
  if (text == "@") {
    if (origin != nullptr) return *origin;
    return make_error("'@' needs an origin", 0, 1);
  }
  bool absolute = text.back() == '.';
  std::string_view body = absolute ? text.substr(0, text.size() - 1) : text;
  std::string out;
  out.reserve(text.size() + 1 + (absolute || origin == nullptr ? 0 : origin->m_text.size()));
  if (auto ok = append_labels(body, 1, out); !ok) return std::move(ok).err();
  if (!absolute && origin != nullptr && !origin->is_root()) out += origin->m_text;
  if (out.size() - 1 > max_name_length) {
    return make_error(fmt::format("identifier is {} characters long, at most {} allowed",
                                  out.size() - 1, max_name_length),
                      0, 1);
  }
  return identifier{std::move(out)};
}

identifier identifier::from_canonical_text(std::string_view text) {
  assert(!text.empty() && text.back() == '.');
  assert(parse(text).ok() && parse(text)->text() == text);
  return identifier{std::string(text)};
}

result<identifier> identifier::from_key(std::string_view key) {
  if (key.empty()) return identifier{};
  if (key.back() != '\0') return make_error("storage key does not end with a label terminator");
  std::vector<std::string_view> labels;
  for (std::size_t start = 0; start < key.size();) {
    std::size_t end = key.find('\0', start);
    if (end == start) return make_error("storage key has an empty label");
    if (key.substr(start, end - start).find('.') != std::string_view::npos) {
      return make_error("storage key has a '.' inside a label");
    }
    labels.push_back(key.substr(start, end - start));
    start = end + 1;
  }
  std::string text;
  text.reserve(key.size());
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    text.append(*it);
    text.push_back('.');
  }
  auto parsed = parse(text);
  if (!parsed) return make_error("invalid storage key: " + parsed.err().message);
  if (parsed->m_text != text) return make_error("storage key is not lowercase");
  return parsed;
}

std::string_view identifier::text_no_dot() const noexcept {
  if (is_root()) return m_text;
  return std::string_view(m_text).substr(0, m_text.size() - 1);
}

std::string identifier::uri() const {
  std::string out(uri_scheme);
  out.append(text_no_dot());  // the root is "cid://."
  return out;
}

std::size_t identifier::label_count() const noexcept {
  if (is_root()) return 0;
  return static_cast<std::size_t>(std::count(m_text.begin(), m_text.end(), '.'));
}

std::string_view identifier::label(std::size_t i) const noexcept {
  std::string_view t = m_text;
  std::size_t start = 0;
  for (; i > 0; --i) {
    start = t.find('.', start);
    if (start == std::string_view::npos || start + 1 >= t.size()) return {};
    ++start;
  }
  if (is_root()) return {};
  return t.substr(start, t.find('.', start) - start);
}

identifier identifier::parent() const {
  if (is_root()) return *this;
  std::size_t dot = m_text.find('.');
  if (dot + 1 == m_text.size()) return identifier{};
  return identifier{m_text.substr(dot + 1)};
}

identifier identifier::strip_left(std::size_t n) const {
  std::size_t pos = 0;
  for (; n > 0; --n) {
    pos = m_text.find('.', pos);
    if (pos == std::string::npos || pos + 1 >= m_text.size()) return identifier{};
    ++pos;
  }
  return identifier{m_text.substr(pos)};
}

result<identifier> identifier::child(std::string_view lbl) const {
  if (auto ok = check_label(lbl, true); !ok) return std::move(ok).err();
  std::string text;
  text.reserve(lbl.size() + m_text.size() + 1);
  for (char c : lbl) text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  text.push_back('.');
  if (!is_root()) text += m_text;
  if (text.size() - 1 > max_name_length) {
    return make_error(fmt::format("identifier is {} characters long, at most {} allowed",
                                  text.size() - 1, max_name_length));
  }
  return identifier{std::move(text)};
}

bool identifier::is_part_of(const identifier& zone) const noexcept {
  if (zone.is_root()) return true;
  if (m_text.size() < zone.m_text.size()) return false;
  std::size_t off = m_text.size() - zone.m_text.size();
  if (std::string_view(m_text).substr(off) != zone.m_text) return false;
  return off == 0 || m_text[off - 1] == '.';
}

std::string identifier::make_relative(const identifier& origin) const {
  if (*this == origin) return "@";
  if (!is_part_of(origin)) return m_text;
  if (origin.is_root()) return std::string(text_no_dot());
  return m_text.substr(0, m_text.size() - origin.m_text.size() - 1);
}

std::string identifier::key() const {
  std::string out;
  append_key(out);
  return out;
}

void identifier::append_key(std::string& out) const {
  if (is_root()) return;
  std::string_view t(m_text);
  std::size_t end = t.size() - 1;  // the trailing dot
  while (true) {
    std::size_t dot = end == 0 ? std::string_view::npos : t.rfind('.', end - 1);
    std::size_t start = dot == std::string_view::npos ? 0 : dot + 1;
    out.append(t.substr(start, end - start));
    out.push_back('\0');
    if (start == 0) return;
    end = dot;
  }
}

std::strong_ordering canonical_compare(const identifier& a, const identifier& b) noexcept {
  return canonical_compare(std::string_view(a.text()), std::string_view(b.text()));
}

std::strong_ordering canonical_compare(std::string_view x, std::string_view y) noexcept {
  if (x == y) return std::strong_ordering::equal;
  if (x == ".") return std::strong_ordering::less;
  if (y == ".") return std::strong_ordering::greater;
  // Walk labels from the right; ends exclude the trailing dot.
  std::size_t xe = x.size() - 1;
  std::size_t ye = y.size() - 1;
  while (true) {
    std::size_t xd = xe == 0 ? std::string_view::npos : x.rfind('.', xe - 1);
    std::size_t yd = ye == 0 ? std::string_view::npos : y.rfind('.', ye - 1);
    std::size_t xs = xd == std::string_view::npos ? 0 : xd + 1;
    std::size_t ys = yd == std::string_view::npos ? 0 : yd + 1;
    if (auto c = x.substr(xs, xe - xs) <=> y.substr(ys, ye - ys); c != 0) return c;
    bool xdone = xs == 0;
    bool ydone = ys == 0;
    if (xdone || ydone) {
      if (xdone && ydone) return std::strong_ordering::equal;
      return xdone ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    xe = xd;
    ye = yd;
  }
}

result<uri_parts> parse_uri(std::string_view uri) {
  if (uri.size() < uri_scheme.size() ||
      !std::equal(uri_scheme.begin(), uri_scheme.end(), uri.begin(),
                  [](char p, char c) { return p == (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); })) {
    return make_error("a cid URI starts with \"cid://\"", 0, 1);
  }
  std::string_view rest = uri.substr(uri_scheme.size());
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos) {
    return make_error("query strings and fragments are not part of identifiers", 0,
                      static_cast<std::uint32_t>(uri_scheme.size() + q + 1));
  }
  std::size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  if (host.empty()) return make_error("the cid URI names no identifier", 0, 7);
  auto id = identifier::parse(host);
  if (!id) {
    error e = std::move(id).err();
    e.col += static_cast<std::uint32_t>(uri_scheme.size());
    return e;
  }
  uri_parts parts{std::move(*id), {}};
  if (slash != std::string_view::npos) parts.path = std::string(rest.substr(slash));
  return parts;
}

}  // namespace cidns::name
