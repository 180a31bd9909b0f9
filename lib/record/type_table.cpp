// The one description of every record type (DESIGN §3). Field order is the
// proto field number order, which is also the presentation and JSON order.
#include <functional>
#include <unordered_map>
#include <vector>

#include "field.hpp"

namespace cidns::record::detail {
namespace {

using fk = field_kind;
using ff = field_form;

constexpr std::uint64_t u32_max = 0xffffffff;
constexpr std::uint64_t enum_max = 0x7fffffff;

constexpr enum_name algorithms[] = {{1, "ed25519"}, {2, "p256"}, {3, "sm2"}};
constexpr enum_name digests[] = {{1, "sha256"}};
constexpr enum_name key_flags[] = {{1, "zone"}, {2, "sep"}};
constexpr enum_name kinds[] = {{1, "gpu"},  {2, "npu"}, {3, "cpu"},
                               {4, "fpga"}, {5, "hpc"}, {6, "storage"}};
constexpr enum_name scheds[] = {{1, "vm"},  {2, "container"}, {3, "baremetal"},
                                {4, "k8s"}, {5, "slurm"},     {6, "task"}};
constexpr enum_name price_units[] = {{1, "accel-hour"}, {2, "node-hour"}, {3, "ktoken"}};
constexpr enum_name sources[] = {{1, "nominal"}, {2, "measured"}, {3, "estimated"}};
constexpr enum_name protocols[] = {{1, "grpc"}, {2, "https"}, {3, "ssh"},
                                   {4, "k8s"},  {5, "slurm"}, {6, "task-api"}};
constexpr enum_name ep_auths[] = {{0, "none"}, {1, "mtls"}, {2, "oidc"}, {3, "token"}};

constexpr field_desc soa_fields[] = {
    {.key = "primary", .number = 1, .kind = fk::name, .form = ff::positional},
    {.key = "admin", .number = 2, .kind = fk::name, .form = ff::positional},
    {.key = "serial", .number = 3, .kind = fk::number, .form = ff::positional},
    {.key = "refresh", .number = 4, .kind = fk::duration, .form = ff::positional},
    {.key = "retry", .number = 5, .kind = fk::duration, .form = ff::positional},
    {.key = "expire", .number = 6, .kind = fk::duration, .form = ff::positional},
    {.key = "negative_ttl", .number = 7, .kind = fk::duration, .form = ff::positional},
};
constexpr field_desc ns_fields[] = {
    {.key = "server", .number = 1, .kind = fk::name, .form = ff::positional},
};
constexpr field_desc addr_fields[] = {
    {.key = "address", .number = 1, .kind = fk::ip, .form = ff::positional},
    {.key = "port",
     .number = 2,
     .kind = fk::number,
     .form = ff::positional_optional,
     .min = 1,
     .max = 65535,
     .dflt = 5380},
};
constexpr field_desc cname_fields[] = {
    {.key = "target", .number = 1, .kind = fk::name, .form = ff::positional},
};
constexpr field_desc txt_fields[] = {
    {.key = "text", .number = 1, .kind = fk::text_list, .form = ff::rest, .min = 1},
};

// key=value fields: OPT with presence (proto3 `optional`), KV without.
#define CIDNS_OPT(k, n, kd, ...) \
  { .key = k, .number = n, .kind = fk::kd, .form = ff::keyvalue, .presence = true, __VA_ARGS__ }
#define CIDNS_KV(k, n, kd, ...) \
  { .key = k, .number = n, .kind = fk::kd, .form = ff::keyvalue, __VA_ARGS__ }

constexpr field_desc desc_fields[] = {
    CIDNS_OPT("kind", 1, enumeration, .max = enum_max, .names = kinds),
    CIDNS_OPT("accel.vendor", 2, string),
    CIDNS_OPT("accel.model", 3, string),
    CIDNS_OPT("accel.family", 4, string),
    CIDNS_OPT("accel.count", 5, number, .max = u32_max),
    CIDNS_OPT("accel.mem", 6, size, .max = max_json_exact, .aux = 20),
    CIDNS_OPT("accel.tflops16", 7, number, .max = u32_max),
    CIDNS_OPT("accel.link", 8, string),
    CIDNS_OPT("vcpu", 9, number, .max = u32_max),
    CIDNS_OPT("mem", 10, size, .max = max_json_exact, .aux = 20),
    CIDNS_OPT("disk", 11, size, .max = max_json_exact, .aux = 30),
    CIDNS_OPT("net.fabric", 12, string),
    CIDNS_OPT("net.gbps", 13, number, .max = u32_max),
    CIDNS_OPT("max_nodes", 14, number, .max = u32_max),
    CIDNS_OPT("region", 15, region),
    CIDNS_OPT("site", 16, string),
    CIDNS_KV("frameworks", 17, string_list),
    CIDNS_OPT("sched", 18, enumeration, .max = enum_max, .names = scheds),
    CIDNS_OPT("price", 19, money, .max = max_json_exact, .aux = 20),
    CIDNS_OPT("price.currency", 20, currency),
    CIDNS_OPT("price.unit", 21, enumeration, .max = enum_max, .names = price_units),
    CIDNS_OPT("sla.avail", 22, ppm, .max = 1000000),
    CIDNS_OPT("energy.pue", 23, milli, .max = u32_max),
    CIDNS_OPT("energy.green", 24, ppm, .max = 1000000),
    CIDNS_KV("mandatory", 25, key_list),
    CIDNS_KV("x-*", 26, extensions),
};

constexpr field_desc state_fields[] = {
    CIDNS_OPT("free", 1, number, .max = u32_max),
    CIDNS_OPT("score", 2, number, .max = 10),
    CIDNS_OPT("updated", 3, time_rfc, .max = max_time),
    CIDNS_OPT("source", 4, enumeration, .max = enum_max, .names = sources),
    CIDNS_OPT("spot", 5, money, .max = max_json_exact, .aux = 6),
    CIDNS_OPT("spot.currency", 6, currency),
};

constexpr field_desc ep_fields[] = {
    {.key = "priority", .number = 1, .kind = fk::number, .form = ff::positional, .max = 65535},
    {.key = "weight", .number = 2, .kind = fk::number, .form = ff::positional, .max = 65535},
    {.key = "protocol",
     .number = 3,
     .kind = fk::enumeration,
     .form = ff::positional,
     .max = enum_max,
     .names = protocols},
    {.key = "host", .number = 4, .kind = fk::string, .form = ff::positional, .min = 1},
    {.key = "port",
     .number = 5,
     .kind = fk::number,
     .form = ff::positional,
     .min = 1,
     .max = 65535},
    CIDNS_KV("path", 6, string),
    CIDNS_KV("alpn", 7, string_list),
    CIDNS_KV("auth", 8, enumeration, .max = enum_max, .names = ep_auths),
};

#undef CIDNS_KV
#undef CIDNS_OPT

// KEY, DS and SIG all carry the signature algorithm as their field 2.
constexpr field_desc algorithm_field{.key = "algorithm",
                                     .number = 2,
                                     .kind = fk::enumeration,
                                     .form = ff::positional,
                                     .max = enum_max,
                                     .names = algorithms};

constexpr field_desc key_fields[] = {
    {.key = "flags", .number = 1, .kind = fk::flags, .form = ff::positional, .names = key_flags},
    algorithm_field,
    {.key = "public_key", .number = 3, .kind = fk::base64, .form = ff::rest, .min = 1},
};
constexpr field_desc ds_fields[] = {
    {.key = "key_tag", .number = 1, .kind = fk::number, .form = ff::positional, .max = 65535},
    algorithm_field,
    {.key = "digest_type",
     .number = 3,
     .kind = fk::enumeration,
     .form = ff::positional,
     .max = enum_max,
     .names = digests},
    {.key = "digest", .number = 4, .kind = fk::hex, .form = ff::rest, .min = 1},
};
constexpr field_desc sig_fields[] = {
    {.key = "type_covered", .number = 1, .kind = fk::type, .form = ff::positional, .max = 65535},
    algorithm_field,
    {.key = "labels", .number = 3, .kind = fk::number, .form = ff::positional, .max = 127},
    {.key = "original_ttl",
     .number = 4,
     .kind = fk::duration,
     .form = ff::positional,
     .max = 0x7fffffff},
    {.key = "expiration",
     .number = 5,
     .kind = fk::time_dnssec,
     .form = ff::positional,
     .max = max_time},
    {.key = "inception",
     .number = 6,
     .kind = fk::time_dnssec,
     .form = ff::positional,
     .max = max_time},
    {.key = "key_tag", .number = 7, .kind = fk::number, .form = ff::positional, .max = 65535},
    {.key = "signer", .number = 8, .kind = fk::name, .form = ff::positional},
    {.key = "signature", .number = 9, .kind = fk::base64, .form = ff::rest, .min = 1},
};
constexpr field_desc nsec_fields[] = {
    {.key = "next", .number = 1, .kind = fk::name, .form = ff::positional},
    {.key = "types", .number = 2, .kind = fk::type_list, .form = ff::rest, .max = 65535},
};

constexpr type_desc types[] = {
    {rtype::soa, "SOA", soa_fields},       {rtype::ns, "NS", ns_fields},
    {rtype::addr, "ADDR", addr_fields},    {rtype::cname, "CNAME", cname_fields},
    {rtype::txt, "TXT", txt_fields},       {rtype::desc, "DESC", desc_fields},
    {rtype::state, "STATE", state_fields}, {rtype::ep, "EP", ep_fields},
    {rtype::key, "KEY", key_fields},       {rtype::ds, "DS", ds_fields},
    {rtype::sig, "SIG", sig_fields},       {rtype::nsec, "NSEC", nsec_fields},
};

constexpr bool fields_ordered(const type_desc& t) {
  if (t.fields.empty() || t.fields.size() >= max_fields) return false;
  for (std::size_t i = 1; i < t.fields.size(); ++i) {
    if (t.fields[i - 1].number >= t.fields[i].number) return false;
  }
  return t.fields.front().number >= 1 && t.fields.back().number < max_fields;
}

constexpr bool tables_ordered() {
  for (const auto& t : types) {
    if (!fields_ordered(t)) return false;
  }
  return true;
}
static_assert(tables_ordered(), "fields must be ascending by number and below max_fields");
static_assert(std::size(types) <= max_known_types, "raise record::max_known_types");

// The table plus the types register_types() adds (tests), in one vector whose
// capacity never changes: pointers and spans into it stay valid.
struct registry {
  std::vector<type_desc> descs;
  std::vector<rtype> numbers;

  registry() {
    descs.reserve(max_known_types);
    numbers.reserve(max_known_types);
    for (const auto& t : types) add(t);
  }
  void add(const type_desc& t) {
    descs.push_back(t);
    numbers.push_back(t.type);
  }
};

registry& the_registry() {
  static registry r;
  return r;
}

}  // namespace

const type_desc* find_type(rtype t) noexcept {
  const auto& d = the_registry().descs;
  auto n = static_cast<std::size_t>(t);
  // The table is indexed by type number - 1 for the contiguous known range.
  if (n >= 1 && n <= d.size() && d[n - 1].type == t) return &d[n - 1];
  for (const auto& td : d) {
    if (td.type == t) return &td;
  }
  return nullptr;
}

std::span<const type_desc> all_types() noexcept { return the_registry().descs; }

bool register_types(std::span<const type_desc> extra) {
  registry& r = the_registry();
  if (r.descs.size() + extra.size() > max_known_types) return false;
  for (std::size_t i = 0; i < extra.size(); ++i) {
    const type_desc& t = extra[i];
    if (t.type == rtype::none || t.type == rtype::resource || find_type(t.type) != nullptr ||
        !fields_ordered(t)) {
      return false;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (extra[j].type == t.type) return false;
    }
  }
  for (const auto& t : extra) r.add(t);
  return true;
}

const field_desc* find_field(const type_desc& td, std::uint32_t number) noexcept {
  for (const auto& f : td.fields) {
    if (f.number == number) return &f;
  }
  return nullptr;
}

const field_desc* find_key(const type_desc& td, std::string_view key) noexcept {
  // One hash table per type of the table, built once: a zone parse looks up
  // every DESC, STATE and EP key, and DESC has over twenty of them.
  using table = std::unordered_map<std::string_view, const field_desc*>;
  static const std::vector<table> tables = [] {
    std::vector<table> t(std::size(types));
    for (std::size_t i = 0; i < std::size(types); ++i) {
      for (const auto& f : types[i].fields) {
        if (f.form == field_form::keyvalue) t[i].emplace(f.key, &f);
      }
    }
    return t;
  }();
  const auto& d = the_registry().descs;
  const std::less<const type_desc*> before;
  if (!before(&td, d.data()) && before(&td, d.data() + std::size(types))) {
    const auto& t = tables[static_cast<std::size_t>(&td - d.data())];
    auto it = t.find(key);
    return it == t.end() ? nullptr : it->second;
  }
  for (const auto& f : td.fields) {
    if (f.key == key && f.form == field_form::keyvalue) return &f;
  }
  return nullptr;
}

std::span<const enum_name> algorithm_names() noexcept { return algorithms; }

std::string_view enum_text(std::span<const enum_name> names, std::uint64_t v) noexcept {
  for (const auto& e : names) {
    if (e.value == v) return e.name;
  }
  return {};
}

}  // namespace cidns::record::detail

namespace cidns::record {

std::span<const rtype> known_types() noexcept { return detail::the_registry().numbers; }

std::optional<std::size_t> known_type_index(rtype t) noexcept {
  const auto* td = detail::find_type(t);
  if (td == nullptr) return std::nullopt;
  return static_cast<std::size_t>(td - detail::all_types().data());
}

}  // namespace cidns::record
