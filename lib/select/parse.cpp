// Selector text to selector value and back (docs/SELECTORS.md). Values are read in the
// zonefile's units by lib/record's own DESC/STATE parser (one `KEY=VALUE` token through
// record::parse_data), so a selector accepts exactly what a zonefile accepts.
#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "cidns/record/presentation.hpp"
#include "cidns/record/suggest.hpp"
#include "cidns/record/token.hpp"
#include "cidns/select/selector.hpp"
#include "keys.hpp"

namespace cidns::select {
namespace {

using detail::key_def;
using detail::key_kind;

constexpr std::size_t max_values = 256;  // values in all terms of one selector

error fail(std::uint32_t col, std::string_view why) {
  return make_error(fmt::format("column {}: {}", col, why), 1, col);
}

bool is_key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

std::string unknown_key(std::string_view key) {
  std::string lower(key);
  for (auto& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower != key && (detail::find_key(lower) != nullptr || lower == "order" || lower == "limit"))
    return fmt::format("keys are lower case: '{}' (write '{}')", key, lower);
  std::vector<std::string_view> names;
  for (const auto& d : detail::keys()) names.push_back(d.name);
  names.push_back("order");
  names.push_back("limit");
  const auto best = record::nearest(key, names);
  if (!best) return fmt::format("unknown key '{}'", key);
  return fmt::format("unknown key '{}' (did you mean '{}'?)", key, *best);
}

// Reads one value of `def` as a zonefile would: `KEY=VALUE` through record::parse_data.
// `raw` is the value as written (quoted or not), `col` its column.
result<value> read_value(const key_def& def, std::string_view key, std::string_view raw,
                         std::uint32_t col) {
  std::string text = fmt::format("{}={}", key, raw);
  record::token tok{text, false, 1, static_cast<std::uint32_t>(col - key.size() - 1)};
  auto type = def.state ? record::rtype::state : record::rtype::desc;
  auto wire = record::parse_data(type, std::span<const record::token>(&tok, 1), {});
  if (!wire) {
    std::string_view why = wire.err().message;
    for (std::string_view p : {"DESC ", "STATE "}) {
      if (why.substr(0, p.size()) == p) why.remove_prefix(p.size());
    }
    return fail(wire.err().col != 0 ? wire.err().col : col, why);
  }
  record::desc d;
  record::state s;
  if (def.state) {
    auto st = record::state::decode(*wire);
    if (!st) return fail(col, st.err().message);
    s = std::move(st).value();
  } else {
    auto de = record::desc::decode(*wire);
    if (!de) return fail(col, de.err().message);
    d = std::move(de).value();
  }
  auto f = detail::read(def, key, d, def.state ? &s : nullptr);
  if (!f.present) return fail(col, fmt::format("{}: no value", key));
  value v;
  switch (def.kind) {
    case key_kind::number:
    case key_kind::enumeration:
      v.number = f.number;
      break;
    case key_kind::money:
      v.number = f.number;
      v.currency = f.currency;
      if (v.currency.empty()) {
        return fail(col, fmt::format("{} needs a currency, as in {}CNY", key, raw));
      }
      break;
    case key_kind::list:
      if (f.list->size() != 1) return fail(col, fmt::format("{}: one item per value", key));
      v.text = f.list->front();
      break;
    case key_kind::text:
    case key_kind::region:
      v.text = f.text;
      break;
  }
  return v;
}

// Splits a value list at commas outside double quotes; each item with its column.
struct item {
  std::string_view raw;
  std::uint32_t col;
};
result<std::vector<item>> split_values(std::string_view text, std::uint32_t col) {
  std::vector<item> out;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    if (i < text.size() && text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return fail(col + start, "unterminated quoted value");
      ++i;
      if (i < text.size() && text[i] != ',') {
        return fail(col + i, "a quoted value must end at ',' or the end of the term");
      }
    } else {
      while (i < text.size() && text[i] != ',') ++i;
    }
    auto c = static_cast<std::uint32_t>(col + start);
    if (i == start) return fail(c, "empty value");
    out.push_back({text.substr(start, i - start), c});
    if (i >= text.size()) return out;
    ++i;  // the comma
    if (i >= text.size()) return fail(col + i, "empty value after ','");
  }
}

struct parser {
  selector s;
  bool limit_seen = false;
  std::size_t values = 0;

  result<void> order_term(std::string_view v, std::uint32_t col) {
    order_key o;
    if (!v.empty() && v.front() == '-') {
      o.descending = true;
      v.remove_prefix(1);
      ++col;
    }
    if (v.empty()) return fail(col, "order needs a key, as in order=price or order=-free");
    const key_def* def = detail::find_key(v);
    if (def == nullptr || v == "order" || v == "limit") return fail(col, unknown_key(v));
    if (def->kind == key_kind::list) return fail(col, fmt::format("cannot order by {}", v));
    if (detail::is_extension(v)) {
      if (auto ok = read_value(*def, v, "x", col); !ok) return std::move(ok).err();
    }
    for (const auto& x : s.order) {
      if (x.key == v) return fail(col, fmt::format("order by {} given twice", v));
    }
    o.key = v;
    s.order.push_back(std::move(o));
    return {};
  }

  result<void> limit_term(std::string_view v, std::uint32_t col) {
    if (limit_seen) return fail(col, "limit given twice");
    limit_seen = true;
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) {
      return fail(col, fmt::format("limit must be a number from 1 to {}", max_limit));
    }
    if (n == 0 || n > max_limit) {
      return fail(col, fmt::format("limit {} is out of range (1 to {})", v, max_limit));
    }
    s.limit = static_cast<std::uint32_t>(n);
    return {};
  }

  result<void> check_op(const key_def& def, const term& t, std::uint32_t col) {
    bool ordering = t.o == op::lt || t.o == op::le || t.o == op::gt || t.o == op::ge;
    if (t.o == op::contains && def.kind != key_kind::list) {
      return fail(col, fmt::format("~ (list contains) applies to frameworks, not {}", t.key));
    }
    if (ordering && def.kind != key_kind::number && def.kind != key_kind::money) {
      return fail(col, fmt::format("{} is not a number: use = or != with it", t.key));
    }
    return {};
  }

  result<void> term_values(const key_def& def, term& t, std::string_view text, std::uint32_t col) {
    auto items = split_values(text, col);
    if (!items) return std::move(items).err();
    bool ordering = t.o == op::lt || t.o == op::le || t.o == op::gt || t.o == op::ge;
    if (ordering && items->size() > 1) {
      return fail(col, fmt::format("a value list needs = or != (or ~), not {}", op_text(t.o)));
    }
    for (const auto& it : *items) {
      if ((values += 1) > max_values) return fail(it.col, "too many values");
      std::string_view raw = it.raw;
      bool prefix = false;
      if (raw.size() > 1 && raw.back() == '*' && raw.front() != '"') {
        if (def.kind != key_kind::region || t.o == op::contains) {
          return fail(it.col, "a trailing * (prefix) applies to region with = or !=");
        }
        prefix = true;
        raw.remove_suffix(1);
        if (raw.size() > 1 && raw.back() == '.') raw.remove_suffix(1);
      }
      auto v = read_value(def, t.key, raw, it.col);
      if (!v) return std::move(v).err();
      v->prefix = prefix;
      if (def.kind == key_kind::money && !t.values.empty() &&
          t.values.front().currency != v->currency) {
        return fail(it.col, fmt::format("{}: all values of a term need one currency", t.key));
      }
      t.values.push_back(std::move(v).value());
    }
    return {};
  }

  result<void> term_token(const record::token& tok) {
    std::string_view text = tok.text;
    std::uint32_t col = tok.col;
    if (tok.quoted) return fail(col, "expected KEY OP VALUE, got a quoted string");
    std::size_t k = 0;
    while (k < text.size() && is_key_char(text[k])) ++k;
    std::string_view key = text.substr(0, k);
    if (k == text.size()) {
      return fail(col, fmt::format("expected KEY OP VALUE (e.g. kind=gpu), got '{}'", text));
    }
    if (k == 0) return fail(col, "expected a key before the operator");
    std::string_view rest = text.substr(k);
    op o = op::eq;
    std::size_t olen = 1;
    if (rest.substr(0, 2) == "!=")
      o = op::ne, olen = 2;
    else if (rest.substr(0, 2) == "<=")
      o = op::le, olen = 2;
    else if (rest.substr(0, 2) == ">=")
      o = op::ge, olen = 2;
    else if (rest[0] == '=')
      o = op::eq;
    else if (rest[0] == '<')
      o = op::lt;
    else if (rest[0] == '>')
      o = op::gt;
    else if (rest[0] == '~')
      o = op::contains;
    else
      return fail(col + k, fmt::format("'{}' cannot appear in a key", rest[0]));
    std::string_view v = rest.substr(olen);
    auto vcol = static_cast<std::uint32_t>(col + k + olen);
    if (key == "order" || key == "limit") {
      if (o != op::eq) return fail(col + k, fmt::format("{} takes =", key));
      return key == "order" ? order_term(v, vcol) : limit_term(v, vcol);
    }
    const key_def* def = detail::find_key(key);
    if (def == nullptr) return fail(col, unknown_key(key));
    if (v.empty()) return fail(vcol, fmt::format("{} needs a value", key));
    if (s.terms.size() >= max_terms) return fail(col, fmt::format("more than {} terms", max_terms));
    term t;
    t.key = key;
    t.o = o;
    t.column = col;
    if (auto ok = check_op(*def, t, col + k); !ok) return ok;
    if (auto ok = term_values(*def, t, v, vcol); !ok) return ok;
    s.terms.push_back(std::move(t));
    return {};
  }
};

bool needs_quotes(std::string_view t) noexcept {
  if (t.empty() || t.back() == '*' || t.front() == '"') return true;
  return std::any_of(t.begin(), t.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '"' || c == ',' || c == '\\';
  });
}

void append_text(std::string_view t, std::string& out) {
  if (!needs_quotes(t)) {
    out.append(t);
    return;
  }
  out.push_back('"');
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\{:03}", u);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// Numbers, enumerations and money in the zonefile's units, printed by lib/record.
void append_number(const key_def& def, const value& v, std::string& out) {
  record::desc d;
  record::state s;
  def.set(d, s, v);
  std::string text = def.state ? record::format_data(record::rtype::state, s.encode())
                               : record::format_data(record::rtype::desc, d.encode());
  std::string_view t = text;
  if (t.substr(0, def.name.size() + 1) == fmt::format("{}=", def.name) &&
      t.find(' ') == std::string_view::npos) {
    out.append(t.substr(def.name.size() + 1));
  } else {
    fmt::format_to(std::back_inserter(out), "{}{}", v.number, v.currency);
  }
}

}  // namespace

std::string_view op_text(op o) noexcept {
  static constexpr std::array<std::string_view, 7> texts = {"=", "!=", "<", "<=", ">", ">=", "~"};
  auto i = static_cast<std::size_t>(o);
  return i < texts.size() ? texts[i] : "?";
}

bool selector::names_key(std::string_view key) const noexcept {
  return std::any_of(terms.begin(), terms.end(), [&](const term& t) { return t.key == key; }) ||
         std::any_of(order.begin(), order.end(), [&](const order_key& o) { return o.key == key; });
}

result<selector> parse(std::string_view text) {
  if (text.size() > max_selector_size) {
    return fail(static_cast<std::uint32_t>(max_selector_size + 1),
                fmt::format("selector longer than {} bytes", max_selector_size));
  }
  auto tokens = record::tokenize_line(text);
  if (!tokens) return fail(tokens.err().col, tokens.err().message);
  parser p;
  for (const auto& tok : *tokens) {
    if (auto ok = p.term_token(tok); !ok) return std::move(ok).err();
  }
  return std::move(p.s);
}

std::string to_string(const selector& s) {
  std::string out;
  auto sep = [&] {
    if (!out.empty()) out.push_back(' ');
  };
  for (const auto& t : s.terms) {
    sep();
    out.append(t.key).append(op_text(t.o));
    const key_def* def = detail::find_key(t.key);
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      if (i > 0) out.push_back(',');
      const value& v = t.values[i];
      if (def != nullptr && def->set != nullptr) {
        append_number(*def, v, out);
      } else {
        append_text(v.text, out);
        if (v.prefix) out.push_back('*');
      }
    }
  }
  for (const auto& o : s.order) {
    sep();
    out.append("order=").append(o.descending ? "-" : "").append(o.key);
  }
  if (s.limit != default_limit) {
    sep();
    fmt::format_to(std::back_inserter(out), "limit={}", s.limit);
  }
  return out;
}

}  // namespace cidns::select
