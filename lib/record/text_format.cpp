// The text side of the generic engine, writing: wire data -> values ->
// canonical presentation text (the inverse of text_parse.cpp).
#include <arpa/inet.h>
#include <fmt/format.h>

#include "cidns/record/base_encoding.hpp"
#include "cidns/record/presentation.hpp"
#include "field.hpp"
#include "format_value.hpp"
#include "units.hpp"

namespace cidns::record {
namespace detail {
namespace {

// Printable without quotes: visible ASCII that no lexer treats specially.
bool is_bare(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == ';' || c == '(' || c == ')') {
      return false;
    }
  }
  return true;
}

}  // namespace

void append_quoted(std::string_view s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\{:03}", u);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_string(std::string_view s, std::string& out) {
  if (is_bare(s)) {
    out.append(s);
  } else {
    append_quoted(s, out);
  }
}

void append_address(std::string_view b, std::string& out) {
  char buf[INET6_ADDRSTRLEN];
  int family = b.size() == 4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, b.data(), buf, sizeof buf) != nullptr) out.append(buf);
}

void append_flags(const field_desc& f, std::uint64_t v, std::string& out) {
  std::uint64_t known = 0;
  for (const auto& e : f.names) known |= e.value;
  if (v == 0 || (v & ~known) != 0) {
    format_uint(v, out);
    return;
  }
  bool first = true;
  for (const auto& e : f.names) {
    if ((v & e.value) == 0) continue;
    if (!first) out.push_back('|');
    out.append(e.name);
    first = false;
  }
}

const field_desc* money_of_currency(const type_desc& td, const field_desc& cur) noexcept {
  for (const auto& f : td.fields) {
    if (f.kind == field_kind::money && f.aux == cur.number) return &f;
  }
  return nullptr;
}

void append_value(const values& v, const field_desc& f, std::string& out) {
  const slot& s = v[f.number];
  switch (f.kind) {
    case field_kind::name:
      out.append(s.bytes);
      break;
    case field_kind::number:
    case field_kind::duration:
      format_uint(s.num, out);
      break;
    case field_kind::time_rfc:
      format_rfc3339(s.num, out);
      break;
    case field_kind::time_dnssec:
      format_dnssec_time(s.num, out);
      break;
    case field_kind::string:
    case field_kind::region:
    case field_kind::currency:
      append_string(s.bytes, out);
      break;
    case field_kind::base64:
      base64_append(s.bytes, out);
      break;
    case field_kind::hex:
      hex_append(s.bytes, out);
      break;
    case field_kind::ip:
      append_address(s.bytes, out);
      break;
    case field_kind::enumeration:
      if (auto n = enum_text(f.names, s.num); !n.empty()) {
        out.append(n);
      } else {
        format_uint(s.num, out);
      }
      break;
    case field_kind::flags:
      append_flags(f, s.num, out);
      break;
    case field_kind::type:
      out.append(type_name(static_cast<rtype>(s.num)));
      break;
    case field_kind::string_list:
    case field_kind::key_list: {
      std::string joined;
      for (auto item : s.items) {
        if (!joined.empty()) joined.push_back(',');
        joined.append(item);
      }
      append_string(joined, out);
      break;
    }
    case field_kind::text_list:
      for (std::size_t i = 0; i < s.items.size(); ++i) {
        if (i > 0) out.push_back(' ');
        append_quoted(s.items[i], out);
      }
      break;
    case field_kind::type_list:
      for (std::size_t i = 0; i < s.nums.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out.append(type_name(static_cast<rtype>(s.nums[i])));
      }
      break;
    case field_kind::size:
      format_size(s.num, f.aux, out);
      break;
    case field_kind::ppm:
      format_fixed(s.num, 4, out);
      out.push_back('%');
      break;
    case field_kind::milli:
      format_fixed(s.num, 3, out);
      break;
    case field_kind::money:
      format_fixed(s.num, 3, out);
      if (v[f.aux].set) out.append(v[f.aux].bytes);
      break;
    case field_kind::extensions:
      break;  // printed as separate keys by format_values
  }
}

void format_values(const values& v, std::string& out) {
  const type_desc& td = *v.td;
  std::size_t start = out.size();
  auto sep = [&] {
    if (out.size() > start) out.push_back(' ');
  };
  for (const auto& f : td.fields) {
    const slot& s = v[f.number];
    switch (f.form) {
      case field_form::positional:
        sep();
        append_value(v, f, out);
        break;
      case field_form::positional_optional:
      case field_form::rest:
        if (!is_set(v, f)) break;
        sep();
        append_value(v, f, out);
        break;
      case field_form::keyvalue:
        if (!is_set(v, f)) break;
        if (f.kind == field_kind::currency) {
          const auto* money = money_of_currency(td, f);
          if (money != nullptr && is_set(v, *money)) break;  // printed with the amount
        }
        if (f.kind == field_kind::extensions) {
          for (const auto& [k, val] : s.map) {
            sep();
            out.append(k).push_back('=');
            append_string(val, out);
          }
          break;
        }
        sep();
        out.append(f.key).push_back('=');
        append_value(v, f, out);
        break;
    }
  }
}

}  // namespace detail

namespace {

void format_generic(std::string_view data, std::string& out) {
  out.append("\\# ");
  detail::format_uint(data.size(), out);
  if (!data.empty()) {
    out.push_back(' ');
    hex_append(data, out);
  }
}

}  // namespace

void format_data(rtype type, std::string_view data, std::string& out) {
  const detail::type_desc* td = detail::find_type(type);
  if (td != nullptr) {
    detail::values v;
    v.reset(*td);
    bool canonical = false;
    if (detail::decode_values(data, v, true, &canonical) && canonical) {
      detail::format_values(v, out);
      return;
    }
  }
  format_generic(data, out);
}

std::string format_data(rtype type, std::string_view data) {
  std::string out;
  out.reserve(data.size() * 2 + 16);
  format_data(type, data, out);
  return out;
}

std::string format_rr(const rr& r) {
  std::string out = fmt::format("{} {} {}", r.owner.text(), r.ttl, type_name(r.type));
  std::size_t before = out.size();
  out.push_back(' ');
  format_data(r.type, r.data, out);
  if (out.size() == before + 1) out.pop_back();
  return out;
}

result<void> validate_data(rtype type, std::string_view data) {
  const detail::type_desc* td = detail::find_type(type);
  if (td == nullptr) return {};
  detail::values v;
  v.reset(*td);
  return detail::decode_values(data, v, true);
}

}  // namespace cidns::record
