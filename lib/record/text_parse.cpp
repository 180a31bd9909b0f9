// The text side of the generic engine, reading: data tokens -> values -> wire
// data, driven by the type table. Values stay views into the tokens unless a
// conversion (escapes, canonical names) needs storage.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <algorithm>
#include <cstring>

#include "cidns/record/base_encoding.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/suggest.hpp"
#include "field.hpp"
#include "units.hpp"

namespace cidns::record {
namespace {

using namespace detail;

// Where a value sits: its token, and the 1-based column of the value's first
// character inside the token's text.
struct place {
  const token* tok = nullptr;
  std::uint32_t offset = 1;
};

class text_parser {
 public:
  text_parser(const type_desc& td, values& v, std::span<const token> tokens,
              const name::identifier& origin)
      : m_td(td), m_v(v), m_tokens(tokens), m_origin(origin) {}

  result<void> run();

 private:
  error fail(place at, std::uint32_t col_in_value, std::string message) const;
  error fail_field(const field_desc& f, place at, std::uint32_t col, std::string_view why) const {
    return fail(at, col, fmt::format("{}{}", field_prefix(m_td, f), why));
  }
  error missing(const field_desc& f) const;
  std::string unknown_key(std::string_view key) const;
  result<std::string_view> value_text(std::string_view raw, bool quoted, place at);
  result<void> parse_value(const field_desc& f, std::string_view text, place at);
  result<void> parse_enum(const field_desc& f, std::string_view text, place at);
  result<void> parse_list(const field_desc& f, std::string_view text, place at);
  result<void> parse_rest(const field_desc& f, std::size_t& i);
  result<void> parse_keyvalue(const token& t);
  result<void> set_currency(const field_desc& f, std::uint32_t number, std::string_view cur,
                            place at);

  const type_desc& m_td;
  values& m_v;
  std::span<const token> m_tokens;
  const name::identifier& m_origin;
  std::uint32_t m_seen = 0;  // bit per field number given as key=value
  std::array<place, max_fields> m_where{};
};

error text_parser::fail(place at, std::uint32_t col_in_value, std::string message) const {
  if (at.tok == nullptr) return make_error(std::move(message));
  std::uint32_t col = at.tok->col == 0 ? 0
                                       : at.tok->col + (at.tok->quoted ? 1 : 0) + at.offset - 1 +
                                             (col_in_value > 0 ? col_in_value - 1 : 0);
  return make_error(std::move(message), at.tok->line, col);
}

error text_parser::missing(const field_desc& f) const {
  place at;
  std::uint32_t col = 0;
  if (!m_tokens.empty()) {
    at.tok = &m_tokens.back();
    col = static_cast<std::uint32_t>(at.tok->text.size() + (at.tok->quoted ? 2 : 0)) + 1;
    if (at.tok->quoted) col -= 1;
  }
  return fail(at, col, fmt::format("{}: missing {}", m_td.name, f.key));
}

// "unknown DESC key "accel.cont" (did you mean "accel.count"?)".
std::string text_parser::unknown_key(std::string_view key) const {
  std::array<std::string_view, max_fields> keys{};
  std::size_t n = 0;
  for (const auto& f : m_td.fields) {
    if (f.form == field_form::keyvalue && f.kind != field_kind::extensions) keys[n++] = f.key;
  }
  auto near = nearest(key, std::span<const std::string_view>(keys.data(), n));
  if (!near) return fmt::format("unknown {} key \"{}\"", m_td.name, key);
  return fmt::format("unknown {} key \"{}\" (did you mean \"{}\"?)", m_td.name, key, *near);
}

// The value as meant: quotes removed, escapes resolved.
result<std::string_view> text_parser::value_text(std::string_view raw, bool quoted, place at) {
  if (!quoted && !raw.empty() && raw.front() == '"') {
    if (raw.size() < 2 || raw.back() != '"') {
      return fail(at, 1, fmt::format("{}: unterminated quoted value", m_td.name));
    }
    raw = raw.substr(1, raw.size() - 2);
    at.offset += 1;
    quoted = true;
  } else if (!quoted) {
    if (auto q = raw.find('"'); q != std::string_view::npos) {
      return fail(
          at, static_cast<std::uint32_t>(q + 1),
          fmt::format("{}: unexpected '\"' inside a value; quote the whole value", m_td.name));
    }
    return raw;
  }
  if (raw.find('\\') == std::string_view::npos) return raw;
  auto u = unescape(raw);
  if (!u) return fail(at, u.err().col, fmt::format("{}: {}", m_td.name, u.err().message));
  return m_v.keep(std::move(u).value());
}

result<void> text_parser::run() {
  std::size_t i = 0;
  for (const auto& f : m_td.fields) {
    if (f.form == field_form::keyvalue) continue;
    if (f.form == field_form::rest) {
      if (auto ok = parse_rest(f, i); !ok) return ok;
      continue;
    }
    if (i >= m_tokens.size()) {
      if (f.form == field_form::positional_optional) continue;
      return missing(f);
    }
    const token& t = m_tokens[i++];
    place at{&t, 1};
    auto text = value_text(t.text, t.quoted, at);
    if (!text) return std::move(text).err();
    if (!t.quoted && t.text.size() > 1 && t.text.front() == '"') at.offset = 2;
    if (auto ok = parse_value(f, *text, at); !ok) return ok;
  }
  std::size_t keys = 0;
  for (; i < m_tokens.size(); ++i) {
    if (auto ok = parse_keyvalue(m_tokens[i]); !ok) return ok;
    if (++keys > max_desc_keys) {
      return fail({&m_tokens[i], 1}, 1,
                  fmt::format("{}: more than {} keys", m_td.name, max_desc_keys));
    }
  }
  for (const auto& f : m_td.fields) {
    if (f.kind != field_kind::extensions) continue;
    auto& map = m_v[f.number].map;
    std::sort(map.begin(), map.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  if (auto ok = check_values(m_v); !ok) {
    for (const auto& f : m_td.fields) {
      if (f.kind == field_kind::key_list) return fail(m_where[f.number], 1, ok.err().message);
    }
    return ok;
  }
  return {};
}

result<void> text_parser::parse_keyvalue(const token& t) {
  place at{&t, 1};
  if (t.quoted) {
    return fail(at, 1, fmt::format("{}: expected key=value, got a quoted string", m_td.name));
  }
  auto eq = t.text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    bool any_kv = std::any_of(m_td.fields.begin(), m_td.fields.end(),
                              [](const field_desc& f) { return f.form == field_form::keyvalue; });
    if (!any_kv) return fail(at, 1, fmt::format("{}: unexpected \"{}\"", m_td.name, t.text));
    return fail(at, 1, fmt::format("{}: expected key=value, got \"{}\"", m_td.name, t.text));
  }
  std::string_view key = t.text.substr(0, eq);
  const field_desc* f = nullptr;
  if (is_extension_key(key)) {
    for (const auto& x : m_td.fields) {
      if (x.kind == field_kind::extensions) f = &x;
    }
  } else {
    f = find_key(m_td, key);
    if (f != nullptr && f->kind == field_kind::extensions) f = nullptr;
  }
  if (f == nullptr || (f->kind == field_kind::extensions && !check_syntax(f->kind, key).empty())) {
    std::string lower(key);
    for (auto& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (lower != key && (find_key(m_td, lower) != nullptr || is_extension_key(lower))) {
      return fail(at, 1,
                  fmt::format("{} key \"{}\": keys are lower case ({})", m_td.name, key, lower));
    }
    if (f != nullptr) {
      return fail(at, 1,
                  fmt::format("{} key \"{}\": {}", m_td.name, key, check_syntax(f->kind, key)));
    }
    return fail(at, 1, unknown_key(key));
  }
  std::string_view raw = t.text.substr(eq + 1);
  at.offset = static_cast<std::uint32_t>(eq + 2);
  if (raw.empty()) return fail_field(*f, at, 1, "missing value");
  if (f->kind == field_kind::extensions) {
    for (const auto& e : m_v[f->number].map) {
      if (e.first == key)
        return fail(at, 0, fmt::format("{}: duplicate key \"{}\"", m_td.name, key));
    }
  } else {
    std::uint32_t bit = std::uint32_t{1} << f->number;
    if ((m_seen & bit) != 0) {
      return fail({&t, 1}, 1, fmt::format("{}: duplicate key \"{}\"", m_td.name, key));
    }
    m_seen |= bit;
  }
  auto text = value_text(raw, false, at);
  if (!text) return std::move(text).err();
  if (raw.front() == '"') ++at.offset;
  if (f->kind == field_kind::extensions) {
    if (text->size() > max_string || !is_valid_utf8(*text)) {
      return fail(at, 1, fmt::format("{} {}: value too long or not UTF-8", m_td.name, key));
    }
    auto& map = m_v[f->number].map;
    if (map.size() >= max_list) {
      return fail(at, 1, fmt::format("{}: more than {} x- keys", m_td.name, max_list));
    }
    map.emplace_back(key, *text);
    return {};
  }
  m_where[f->number] = at;
  return parse_value(*f, *text, at);
}

result<void> text_parser::set_currency(const field_desc& f, std::uint32_t number,
                                       std::string_view cur, place at) {
  if (auto why = check_syntax(field_kind::currency, cur); !why.empty()) {
    return fail_field(f, at, 1, fmt::format("\"{}\": {}", cur, why));
  }
  slot& s = m_v[number];
  if (s.set && s.bytes != cur) {
    return fail_field(f, at, 1,
                      fmt::format("currency {} conflicts with {} given elsewhere", cur, s.bytes));
  }
  s.set = true;
  s.bytes = cur;
  return {};
}

result<void> text_parser::parse_enum(const field_desc& f, std::string_view text, place at) {
  slot& s = m_v[f.number];
  for (const auto& e : f.names) {
    if (e.name == text) {
      s.num = e.value;
      s.set = true;
      return {};
    }
  }
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    auto n = parse_uint(text, f.max);
    if (!n) return fail_field(f, at, n.err().col, n.err().message);
    s.num = *n;
    s.set = true;
    return {};
  }
  std::string names;
  for (const auto& e : f.names)
    fmt::format_to(std::back_inserter(names), "{}{}", names.empty() ? "" : " ", e.name);
  for (const auto& e : f.names) {
    if (e.name.size() == text.size() &&
        std::equal(text.begin(), text.end(), e.name.begin(), [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
        })) {
      return fail_field(f, at, 1, fmt::format("\"{}\" must be lower case ({})", text, e.name));
    }
  }
  return fail_field(f, at, 1, fmt::format("unknown value \"{}\" (one of: {})", text, names));
}

result<void> text_parser::parse_list(const field_desc& f, std::string_view text, place at) {
  auto& items = m_v[f.number].items;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    auto col = static_cast<std::uint32_t>(start + 1);
    if (item.empty()) return fail_field(f, at, col, "empty list item");
    if (items.size() >= max_list)
      return fail_field(f, at, col, fmt::format("more than {} items", max_list));
    if (item.size() > max_string || !is_valid_utf8(item)) {
      return fail_field(f, at, col, "list item too long or not UTF-8");
    }
    if (f.kind == field_kind::key_list) {
      for (char c : item) {
        if (c >= 'A' && c <= 'Z')
          return fail_field(f, at, col, fmt::format("\"{}\": keys are lower case", item));
      }
    }
    items.push_back(item);
    if (comma == std::string_view::npos) return {};
    start = comma + 1;
  }
}

result<void> text_parser::parse_value(const field_desc& f, std::string_view text, place at) {
  slot& s = m_v[f.number];
  auto with = [&](auto r) -> result<void> {
    if (!r) return fail_field(f, at, r.err().col, r.err().message);
    if (*r < f.min)
      return fail_field(f, at, 1, fmt::format("{} is below the minimum {}", *r, f.min));
    s.num = *r;
    s.set = true;
    return {};
  };
  if (text.empty() && f.kind != field_kind::string) return fail_field(f, at, 1, "missing value");
  switch (f.kind) {
    case field_kind::name: {
      auto id = name::identifier::parse(text, m_origin);
      if (!id)
        return fail_field(f, at, id.err().col, fmt::format("\"{}\": {}", text, id.err().message));
      s.bytes = m_v.keep(std::move(id).value().text());
      s.set = true;
      return {};
    }
    case field_kind::number:
      return with(parse_uint(text, f.max));
    case field_kind::duration:
      return with(parse_duration(text, f.max));
    case field_kind::time_rfc:
    case field_kind::time_dnssec:
      return with(parse_time(text, f.max));
    case field_kind::size:
      return with(parse_size(text, f.aux, f.max));
    case field_kind::milli:
      return with(parse_fixed(text, 3, f.max));
    case field_kind::ppm:
      if (text.back() == '%') return with(parse_fixed(text.substr(0, text.size() - 1), 4, f.max));
      return with(parse_uint(text, f.max));
    case field_kind::money: {
      std::size_t end = text.size();
      while (end > 0 && ((text[end - 1] >= 'A' && text[end - 1] <= 'Z') ||
                         (text[end - 1] >= 'a' && text[end - 1] <= 'z'))) {
        --end;
      }
      if (end < text.size()) {
        if (auto ok = set_currency(f, f.aux, text.substr(end), at); !ok) return ok;
      }
      return with(parse_fixed(text.substr(0, end), 3, f.max));
    }
    case field_kind::currency:
      return set_currency(f, f.number, text, at);
    case field_kind::string:
    case field_kind::region:
      if (text.size() < f.min) return fail_field(f, at, 1, "must not be empty");
      if (text.size() > max_string) {
        return fail_field(
            f, at, 1, fmt::format("{} bytes long, at most {} allowed", text.size(), max_string));
      }
      if (!is_valid_utf8(text)) return fail_field(f, at, 1, "not valid UTF-8");
      if (auto why = check_syntax(f.kind, text); !why.empty()) {
        return fail_field(f, at, 1, fmt::format("\"{}\": {}", text, why));
      }
      s.bytes = text;
      s.set = true;
      return {};
    case field_kind::ip: {
      char buf[64];
      unsigned char bin[16];
      if (text.size() >= sizeof buf)
        return fail_field(f, at, 1, fmt::format("\"{}\" is not an IP address", text));
      std::memcpy(buf, text.data(), text.size());
      buf[text.size()] = '\0';
      if (inet_pton(AF_INET, buf, bin) == 1) {
        s.bytes = m_v.keep(std::string(reinterpret_cast<char*>(bin), 4));
      } else if (inet_pton(AF_INET6, buf, bin) == 1) {
        s.bytes = m_v.keep(std::string(reinterpret_cast<char*>(bin), 16));
      } else {
        return fail_field(f, at, 1, fmt::format("\"{}\" is not an IPv4 or IPv6 address", text));
      }
      s.set = true;
      return {};
    }
    case field_kind::enumeration:
      return parse_enum(f, text, at);
    case field_kind::flags: {
      if (text[0] >= '0' && text[0] <= '9') return with(parse_uint(text, f.max));
      std::uint64_t bits = 0;
      std::size_t start = 0;
      while (true) {
        auto bar = text.find('|', start);
        auto part = text.substr(start, bar == std::string_view::npos ? bar : bar - start);
        bool found = false;
        for (const auto& e : f.names) {
          if (e.name == part) {
            bits |= e.value;
            found = true;
          }
        }
        if (!found) {
          return fail_field(f, at, static_cast<std::uint32_t>(start + 1),
                            fmt::format("unknown flag \"{}\" (zone, sep, or a number)", part));
        }
        if (bar == std::string_view::npos) break;
        start = bar + 1;
      }
      s.num = bits;
      s.set = true;
      return {};
    }
    case field_kind::type: {
      auto t = parse_type(text);
      if (!t || *t == rtype::none)
        return fail_field(f, at, 1, fmt::format("unknown type \"{}\"", text));
      s.num = static_cast<std::uint64_t>(*t);
      s.set = true;
      return {};
    }
    case field_kind::string_list:
    case field_kind::key_list:
      return parse_list(f, text, at);
    default:
      return fail_field(f, at, 1, "cannot be written as key=value");
  }
}

result<void> text_parser::parse_rest(const field_desc& f, std::size_t& i) {
  slot& s = m_v[f.number];
  if (i >= m_tokens.size() && f.min > 0) return missing(f);
  if (f.kind == field_kind::base64 || f.kind == field_kind::hex) {
    std::string joined;
    for (; i < m_tokens.size(); ++i) joined.append(m_tokens[i].text);
    place at{&m_tokens[m_tokens.size() - 1], 1};
    auto bytes = f.kind == field_kind::base64 ? base64_decode(joined) : hex_decode(joined);
    if (!bytes) return fail_field(f, at, 1, bytes.err().message);
    if (bytes->size() > max_string) {
      return fail_field(
          f, at, 1, fmt::format("{} bytes long, at most {} allowed", bytes->size(), max_string));
    }
    s.bytes = m_v.keep(std::move(bytes).value());
    s.set = true;
    return {};
  }
  for (; i < m_tokens.size(); ++i) {
    const token& t = m_tokens[i];
    place at{&t, 1};
    if (f.kind == field_kind::text_list) {
      auto text = value_text(t.text, t.quoted, at);
      if (!text) return std::move(text).err();
      if (text->size() > max_string || !is_valid_utf8(*text)) {
        return fail_field(
            f, at, 1, fmt::format("string too long (at most {} bytes) or not UTF-8", max_string));
      }
      s.items.push_back(*text);
      if (s.items.size() > max_list)
        return fail_field(f, at, 1, fmt::format("more than {} strings", max_list));
    } else {  // type_list
      auto ty = parse_type(t.text);
      if (!ty || *ty == rtype::none)
        return fail_field(f, at, 1, fmt::format("unknown type \"{}\"", t.text));
      s.nums.push_back(static_cast<std::uint64_t>(*ty));
    }
  }
  if (f.kind == field_kind::type_list) {
    std::sort(s.nums.begin(), s.nums.end());
    s.nums.erase(std::unique(s.nums.begin(), s.nums.end()), s.nums.end());
    if (s.nums.size() > max_list) {
      return fail_field(f, {&m_tokens.back(), 1}, 1, fmt::format("more than {} types", max_list));
    }
  }
  return {};
}

result<std::string> parse_generic(rtype type, std::span<const token> tokens) {
  auto name = type_name(type);
  if (tokens.size() < 2) {
    return make_error(fmt::format("{}: generic form needs \\# <length> <hex>", name),
                      tokens[0].line, tokens[0].col);
  }
  auto len = detail::parse_uint(tokens[1].text, 65535);
  if (!len) {
    return make_error(fmt::format("{}: generic length: {}", name, len.err().message),
                      tokens[1].line, tokens[1].col);
  }
  std::string hex;
  for (std::size_t i = 2; i < tokens.size(); ++i) hex.append(tokens[i].text);
  auto bytes = hex_decode(hex);
  const token& last = tokens.back();
  if (!bytes)
    return make_error(fmt::format("{}: generic data: {}", name, bytes.err().message), last.line,
                      last.col);
  if (bytes->size() != *len) {
    return make_error(
        fmt::format("{}: generic data is {} bytes, the length says {}", name, bytes->size(), *len),
        tokens[1].line, tokens[1].col);
  }
  return std::move(bytes).value();
}

}  // namespace

result<std::string> parse_data(rtype type, std::span<const token> tokens,
                               const name::identifier& origin) {
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#")
    return parse_generic(type, tokens);
  const type_desc* td = find_type(type);
  if (td == nullptr) {
    std::uint32_t line = tokens.empty() ? 0 : tokens[0].line,
                  col = tokens.empty() ? 0 : tokens[0].col;
    return make_error(
        fmt::format("{}: unknown type, write its data as \\# <length> <hex>", type_name(type)),
        line, col);
  }
  // Reused between calls (a values holds 32 slots with vectors): parsing a big
  // zone would otherwise build and free them once per record.
  thread_local values v;
  v.reset(*td);
  text_parser p{*td, v, tokens, origin};
  if (auto ok = p.run(); !ok) return std::move(ok).err();
  std::size_t size = 8;
  for (const auto& t : tokens) size += t.text.size() + 2;
  return encoded_values(v, size);
}

}  // namespace cidns::record
