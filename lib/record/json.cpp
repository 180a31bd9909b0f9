// The JSON shape of a record, from the same type table: numbers in the
// schema's fixed units, enumerations and times as text, lists as arrays.
#include <nlohmann/json.hpp>

#include "cidns/record/base_encoding.hpp"
#include "cidns/record/presentation.hpp"
#include "field.hpp"
#include "format_value.hpp"
#include "units.hpp"

namespace cidns::record {
namespace {

using namespace detail;

nlohmann::json field_json(const values& v, const field_desc& f) {
  const slot& s = v[f.number];
  std::string text;
  switch (f.kind) {
    case field_kind::number:
    case field_kind::duration:
    case field_kind::size:
    case field_kind::ppm:
    case field_kind::milli:
    case field_kind::money:
      return s.num;
    case field_kind::name:
    case field_kind::string:
    case field_kind::region:
    case field_kind::currency:
      return std::string(s.bytes);
    case field_kind::time_rfc:
    case field_kind::time_dnssec:
      format_rfc3339(s.num, text);
      return text;
    case field_kind::base64:
      return base64_encode(s.bytes);
    case field_kind::hex:
      return hex_encode(s.bytes);
    case field_kind::string_list:
    case field_kind::key_list:
    case field_kind::text_list: {
      auto a = nlohmann::json::array();
      for (auto item : s.items) a.push_back(std::string(item));
      return a;
    }
    case field_kind::type_list: {
      auto a = nlohmann::json::array();
      for (auto n : s.nums) a.push_back(type_name(static_cast<rtype>(n)));
      return a;
    }
    case field_kind::enumeration:
      if (enum_text(f.names, s.num).empty()) return s.num;
      [[fallthrough]];
    default:
      append_value(v, f, text);
      return text;
  }
}

}  // namespace

nlohmann::json to_json(const rr& r) {
  nlohmann::json j;
  j["name"] = r.owner.text();
  j["type"] = type_name(r.type);
  j["ttl"] = r.ttl;
  auto data = nlohmann::json::object();
  const type_desc* td = find_type(r.type);
  values v;
  if (td != nullptr) v.reset(*td);
  if (td != nullptr && decode_values(r.data, v, true)) {
    for (const auto& f : td->fields) {
      bool always = f.form == field_form::positional;
      if (!always && !is_set(v, f)) continue;
      if (f.kind == field_kind::extensions) {
        for (const auto& [k, val] : v[f.number].map) data[std::string(k)] = std::string(val);
        continue;
      }
      data[std::string(f.key)] = field_json(v, f);
    }
  } else {
    data["hex"] = hex_encode(r.data);
  }
  j["data"] = std::move(data);
  return j;
}

}  // namespace cidns::record
