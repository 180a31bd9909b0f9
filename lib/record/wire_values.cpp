// The wire side of the generic engine: record data <-> values, with the
// structural checks every decoder applies and the value checks of `strict`.
#include <fmt/format.h>
#include <algorithm>
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>
#include <protozero/pbf_writer.hpp>

#include "cidns/util/field_scan.hpp"
#include "field.hpp"

namespace cidns::record::detail {
namespace {

using protozero::pbf_wire_type;

enum class storage : std::uint8_t { varint, bytes, repeated_bytes, packed, map };

storage storage_of(field_kind k) noexcept {
  switch (k) {
    case field_kind::name:
    case field_kind::string:
    case field_kind::region:
    case field_kind::currency:
    case field_kind::base64:
    case field_kind::hex:
    case field_kind::ip:
      return storage::bytes;
    case field_kind::string_list:
    case field_kind::text_list:
    case field_kind::key_list:
      return storage::repeated_bytes;
    case field_kind::type_list:
      return storage::packed;
    case field_kind::extensions:
      return storage::map;
    default:
      return storage::varint;
  }
}

bool is_text(field_kind k) noexcept {
  return k != field_kind::base64 && k != field_kind::hex && k != field_kind::ip;
}

// What the typed structs can hold: the structural limit of a number.
std::uint64_t width_of(const field_desc& f) noexcept {
  if (f.kind == field_kind::type || f.kind == field_kind::type_list) return 65535;
  return f.max > 0xffffffff ? ~std::uint64_t{0} : 0xffffffff;
}

bool lower_token_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

void values::reset(const type_desc& type) {
  if (td != nullptr) {  // reused: empty the slots of the previous type, keeping capacity
    for (const auto& f : td->fields) {
      slot& s = slots[f.number];
      s.set = false;
      s.num = 0;
      s.bytes = {};
      s.items.clear();
      s.nums.clear();
      s.map.clear();
    }
    arena.clear();
  }
  td = &type;
  for (const auto& f : type.fields) slots[f.number].num = f.presence ? 0 : f.dflt;
}

std::string field_prefix(const type_desc& td, const field_desc& f) {
  return fmt::format("{} {}: ", td.name, f.key);
}

bool is_extension_key(std::string_view key) noexcept {
  return key.size() > 2 && key[0] == 'x' && key[1] == '-';
}

std::string_view check_syntax(field_kind kind, std::string_view text) noexcept {
  switch (kind) {
    case field_kind::region: {
      if (text.empty()) return "empty region";
      if (text.back() == '*')
        return "a trailing '*' is a selector pattern, not allowed in a region";
      std::size_t label = 0;
      for (char c : text) {
        if (c == '.') {
          if (label == 0) return "empty label in region";
          label = 0;
        } else if (c >= 'A' && c <= 'Z') {
          return "regions are lower case";
        } else if (!lower_token_char(c)) {
          return "regions are dot-separated labels of a-z 0-9 '-' '_'";
        } else {
          ++label;
        }
      }
      if (label == 0) return "empty label in region";
      return {};
    }
    case field_kind::currency:
      if (text.empty() || text.size() > 16) return "a currency is 1-16 upper-case letters (CNY)";
      for (char c : text) {
        if (c < 'A' || c > 'Z') return "a currency is 1-16 upper-case letters (CNY)";
      }
      return {};
    case field_kind::extensions:
      if (!is_extension_key(text)) return "extension keys start with \"x-\"";
      for (char c : text) {
        if (c >= 'A' && c <= 'Z') return "keys are lower case";
        if (!lower_token_char(c) && c != '.') return "keys are made of a-z 0-9 '-' '_' '.'";
      }
      return {};
    case field_kind::string_list:
    case field_kind::key_list:
      if (text.empty()) return "empty list item";
      if (text.find(',') != std::string_view::npos) return "list items cannot contain ','";
      return {};
    default:
      return {};
  }
}

bool is_set(const values& v, const field_desc& f) noexcept {
  const slot& s = v[f.number];
  switch (storage_of(f.kind)) {
    case storage::varint:
      return f.presence ? s.set : s.num != f.dflt;
    case storage::bytes:
      return f.presence ? s.set : !s.bytes.empty();
    case storage::repeated_bytes:
      return !s.items.empty();
    case storage::packed:
      return !s.nums.empty();
    case storage::map:
      return !s.map.empty();
  }
  return false;
}

std::string encoded_values(const values& v, std::size_t expected) {
  std::string out;
  out.reserve(expected);
  encode_values(v, out);
  out.shrink_to_fit();
  return out;
}

void encode_values(const values& v, std::string& out) {
  protozero::pbf_writer w{out};
  for (const auto& f : v.td->fields) {
    const slot& s = v[f.number];
    const auto tag = f.number;
    switch (storage_of(f.kind)) {
      case storage::varint:
        if (f.presence ? s.set : s.num != f.dflt) w.add_uint64(tag, s.num);
        break;
      case storage::bytes:
        if (f.presence ? s.set : !s.bytes.empty()) w.add_bytes(tag, s.bytes.data(), s.bytes.size());
        break;
      case storage::repeated_bytes:
        for (auto item : s.items) w.add_bytes(tag, item.data(), item.size());
        break;
      case storage::packed:
        if (!s.nums.empty()) w.add_packed_uint64(tag, s.nums.begin(), s.nums.end());
        break;
      case storage::map:
        for (const auto& [k, val] : s.map) {
          protozero::pbf_writer entry{w, tag};
          entry.add_string(1, k.data(), k.size());
          entry.add_string(2, val.data(), val.size());
        }
        break;
    }
  }
}

result<void> check_values(const values& v) {
  const type_desc& td = *v.td;
  for (const auto& f : td.fields) {
    if (f.kind != field_kind::key_list) continue;
    const auto& items = v[f.number].items;
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string_view k = items[i];
      auto pre = field_prefix(td, f);
      if (std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(i), k) !=
          items.begin() + static_cast<std::ptrdiff_t>(i)) {
        return make_error(fmt::format("{}\"{}\" is listed twice", pre, k));
      }
      if (k == f.key) return make_error(fmt::format("{}cannot list itself", pre));
      bool present = false;
      if (is_extension_key(k)) {
        for (const auto& x : td.fields) {
          if (x.kind != field_kind::extensions) continue;
          for (const auto& e : v[x.number].map) present = present || e.first == k;
        }
      } else if (const auto* kf = find_key(td, k)) {
        present = is_set(v, *kf);
      } else {
        return make_error(fmt::format("{}unknown key \"{}\"", pre, k));
      }
      if (!present) {
        return make_error(
            fmt::format("{}key \"{}\" is mandatory but not set in this record", pre, k));
      }
    }
  }
  return {};
}

namespace {

error wire_error(const type_desc& td, const field_desc& f, std::string_view why) {
  return make_error(fmt::format("{}{}", field_prefix(td, f), why));
}

result<void> check_bytes(const type_desc& td, const field_desc& f, std::string_view b,
                         bool strict) {
  if (b.size() > max_string) {
    return wire_error(td, f,
                      fmt::format("{} bytes long, at most {} allowed", b.size(), max_string));
  }
  if (f.kind == field_kind::ip && b.size() != 4 && b.size() != 16) {
    return wire_error(td, f, fmt::format("an address has 4 or 16 bytes, not {}", b.size()));
  }
  if (!strict) return {};
  if (is_text(f.kind) && !is_valid_utf8(b)) return wire_error(td, f, "not valid UTF-8");
  if (auto why = check_syntax(f.kind, b); !why.empty()) return wire_error(td, f, why);
  return {};
}

result<void> decode_map_entry(const type_desc& td, const field_desc& f, protozero::pbf_reader entry,
                              values& v, bool strict) {
  const auto bytes = entry.data();
  if (auto fault = util::find_wide_field({bytes.data(), bytes.size()})) {
    return wire_error(td, f, fmt::format("map entry: {}", fault->what));
  }
  std::string_view key, val;
  while (entry.next()) {
    if (entry.tag() != 1 && entry.tag() != 2) {
      entry.skip();
      continue;
    }
    if (entry.wire_type() != pbf_wire_type::length_delimited) {
      return wire_error(td, f, "map entry field has the wrong wire type");
    }
    const bool is_key = entry.tag() == 1;  // read before get_view(), which resets the tag
    auto d = entry.get_view();
    (is_key ? key : val) = std::string_view{d.data(), d.size()};
  }
  if (key.size() > max_string || val.size() > max_string) {
    return wire_error(td, f, fmt::format("map entry longer than {} bytes", max_string));
  }
  if (strict) {
    if (auto why = check_syntax(field_kind::extensions, key); !why.empty()) {
      return wire_error(td, f, fmt::format("key \"{}\": {}", key, why));
    }
    if (!is_valid_utf8(val))
      return wire_error(td, f, fmt::format("key \"{}\": not valid UTF-8", key));
  }
  v[f.number].map.emplace_back(key, val);
  return {};
}

result<void> decode_field(const type_desc& td, const field_desc& f, protozero::pbf_reader& r,
                          values& v, bool strict) {
  slot& s = v[f.number];
  const auto wt = r.wire_type();
  const storage st = storage_of(f.kind);
  if (st == storage::varint || (st == storage::packed && wt == pbf_wire_type::varint)) {
    if (wt != pbf_wire_type::varint) {
      return wire_error(td, f,
                        fmt::format("wrong wire type {} (expected varint)", static_cast<int>(wt)));
    }
    std::uint64_t n = r.get_uint64();
    if (n > width_of(f)) return wire_error(td, f, fmt::format("value {} is too large", n));
    if (st == storage::packed) {
      s.nums.push_back(n);
    } else {
      s.num = n;
      s.set = true;
    }
  } else {
    if (wt != pbf_wire_type::length_delimited) {
      return wire_error(
          td, f,
          fmt::format("wrong wire type {} (expected length-delimited)", static_cast<int>(wt)));
    }
    if (st == storage::packed) {
      auto range = r.get_packed_uint64();
      for (auto n : range) {
        if (n > width_of(f)) return wire_error(td, f, fmt::format("value {} is too large", n));
        s.nums.push_back(n);
      }
    } else if (st == storage::map) {
      auto sub = r.get_message();
      if (auto ok = decode_map_entry(td, f, sub, v, strict); !ok) return ok;
    } else {
      auto d = r.get_view();
      std::string_view b{d.data(), d.size()};
      if (auto ok = check_bytes(td, f, b, strict); !ok) return ok;
      if (f.kind == field_kind::name) {
        auto id = name::identifier::parse(b);
        if (!id) return wire_error(td, f, fmt::format("\"{}\": {}", b, id.err().message));
        if (id->text() != b) b = v.keep(id->text());
      }
      if (st == storage::repeated_bytes) {
        s.items.push_back(b);
      } else {
        s.bytes = b;
        s.set = true;
      }
    }
  }
  if (s.items.size() > max_list || s.nums.size() > max_list || s.map.size() > max_list) {
    return wire_error(td, f, fmt::format("more than {} items", max_list));
  }
  return {};
}

result<void> finish_decode(const type_desc& td, values& v, bool strict) {
  std::size_t keys = 0;
  for (const auto& f : td.fields) {
    slot& s = v[f.number];
    if (f.kind == field_kind::extensions && !s.map.empty()) {
      // Map semantics: the last entry of a key wins; entries sorted by key.
      std::stable_sort(s.map.begin(), s.map.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<std::pair<std::string_view, std::string_view>> unique;
      for (const auto& e : s.map) {
        if (!unique.empty() && unique.back().first == e.first) {
          unique.back() = e;
        } else {
          unique.push_back(e);
        }
      }
      s.map = std::move(unique);
    }
    if (f.form == field_form::keyvalue) {
      keys += f.kind == field_kind::extensions ? s.map.size() : (is_set(v, f) ? 1 : 0);
    }
    bool required = f.form == field_form::positional || (f.form == field_form::rest && f.min > 0);
    if (required && f.kind == field_kind::name && !s.set) {
      return make_error(fmt::format("{}: missing {}", td.name, f.key));
    }
    if (!strict) continue;
    if (required && !is_set(v, f) && f.min > 0) {
      return make_error(fmt::format("{}: missing {}", td.name, f.key));
    }
    if (storage_of(f.kind) == storage::varint && is_set(v, f) && (s.num < f.min || s.num > f.max)) {
      return wire_error(td, f, fmt::format("value {} is out of range {}..{}", s.num, f.min, f.max));
    }
    if (f.kind == field_kind::ip && f.form == field_form::positional && !s.set) {
      return make_error(fmt::format("{}: missing {}", td.name, f.key));
    }
  }
  if (keys > max_desc_keys) {
    return make_error(fmt::format("{}: {} keys, at most {} allowed", td.name, keys, max_desc_keys));
  }
  if (strict) return check_values(v);
  return {};
}

}  // namespace

result<void> decode_values(std::string_view data, values& v, bool strict, bool* canonical) {
  const type_desc& td = *v.td;
  // protozero would read a key or length wider than 32 bits as its low 32 bits.
  if (auto fault = util::find_wide_field(data)) {
    return make_error(
        fmt::format("{}: malformed data (byte {}: {})", td.name, fault->offset, fault->what));
  }
  try {
    protozero::pbf_reader r{data.data(), data.size()};
    bool unknown = false;
    while (r.next()) {
      const field_desc* f = find_field(td, r.tag());
      if (f == nullptr) {
        unknown = true;
        r.skip();
        continue;
      }
      if (auto ok = decode_field(td, *f, r, v, strict); !ok) return ok;
    }
    if (auto ok = finish_decode(td, v, strict); !ok) return ok;
    if (canonical != nullptr) {
      if (unknown) {
        *canonical = false;
      } else {
        std::string again;
        again.reserve(data.size());
        encode_values(v, again);
        *canonical = again == data;
      }
    }
    return {};
  } catch (const protozero::exception& e) {
    return make_error(fmt::format("{}: malformed data ({})", td.name, e.what()));
  } catch (const std::exception& e) {
    return make_error(fmt::format("{}: cannot decode data ({})", td.name, e.what()));
  }
}

}  // namespace cidns::record::detail
