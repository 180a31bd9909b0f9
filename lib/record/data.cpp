// Typed record data <-> wire data. The structs are thin mappings onto the
// generic values of the type table, so the checks, limits and the
// deterministic encoding are the same ones parse_data and format_data use.
// Their fields are found in the table by key (once), never by a number
// written here: renumbering a field in type_table.cpp cannot desynchronise them.
#include "cidns/record/data.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "field.hpp"
#include "format_value.hpp"

namespace cidns::record {
namespace {

using namespace detail;
using name::identifier;

result<void> decode_into(rtype t, std::string_view data, values& v) {
  v.reset(*find_type(t));
  return decode_values(data, v, false);
}

values start(rtype t) {
  values v;
  v.reset(*find_type(t));
  return v;
}

std::string finish(const values& v) { return encoded_values(v, 64); }

identifier name_of(const slot& s) {
  return s.set ? identifier::from_canonical_text(s.bytes) : identifier{};
}
std::string str(const slot& s) { return std::string(s.bytes); }
std::uint32_t u32(const slot& s) { return static_cast<std::uint32_t>(s.num); }
std::optional<std::uint32_t> opt32(const slot& s) {
  return s.set ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(s.num)) : std::nullopt;
}
std::optional<std::uint64_t> opt64(const slot& s) {
  return s.set ? std::optional<std::uint64_t>(s.num) : std::nullopt;
}
std::optional<std::string> optstr(const slot& s) {
  return s.set ? std::optional<std::string>(std::string(s.bytes)) : std::nullopt;
}
std::vector<std::string> strs(const slot& s) { return {s.items.begin(), s.items.end()}; }

void put(slot& s, std::uint64_t n) {
  s.set = true;
  s.num = n;
}
void put(slot& s, std::string_view b) {
  s.set = true;
  s.bytes = b;
}
template <typename T>
void put(slot& s, const std::optional<T>& o) {
  if (o)
    put(s, static_cast<std::conditional_t<std::is_integral_v<T>, std::uint64_t, std::string_view>>(
               *o));
}
void put(slot& s, const std::vector<std::string>& items) {
  s.items.assign(items.begin(), items.end());
}

// The field number of `key` in the table's description of `t`. A key missing
// there is a programming error (data.cpp and type_table.cpp disagree), found
// by the first use of the struct, i.e. by any data test.
std::uint8_t number(rtype t, std::string_view key) {
  if (const type_desc* td = find_type(t)) {
    for (const auto& f : td->fields) {
      if (f.key == key) return f.number;
    }
  }
  std::fprintf(stderr, "cidns: type table has no field '%.*s' in %s\n",
               static_cast<int>(key.size()), key.data(), type_name(t).c_str());
  std::abort();
}

// Each struct's field numbers, by member name, looked up once.
#define CIDNS_FIELD(member, key) std::uint8_t member = number(type, key)

struct soa_fields {
  static constexpr rtype type = rtype::soa;
  CIDNS_FIELD(primary, "primary");
  CIDNS_FIELD(admin, "admin");
  CIDNS_FIELD(serial, "serial");
  CIDNS_FIELD(refresh, "refresh");
  CIDNS_FIELD(retry, "retry");
  CIDNS_FIELD(expire, "expire");
  CIDNS_FIELD(negative_ttl, "negative_ttl");
};
struct ns_fields {
  static constexpr rtype type = rtype::ns;
  CIDNS_FIELD(server, "server");
};
struct addr_fields {
  static constexpr rtype type = rtype::addr;
  CIDNS_FIELD(address, "address");
  CIDNS_FIELD(port, "port");
};
struct cname_fields {
  static constexpr rtype type = rtype::cname;
  CIDNS_FIELD(target, "target");
};
struct txt_fields {
  static constexpr rtype type = rtype::txt;
  CIDNS_FIELD(text, "text");
};
struct desc_fields {
  static constexpr rtype type = rtype::desc;
  CIDNS_FIELD(kind, "kind");
  CIDNS_FIELD(accel_vendor, "accel.vendor");
  CIDNS_FIELD(accel_model, "accel.model");
  CIDNS_FIELD(accel_family, "accel.family");
  CIDNS_FIELD(accel_count, "accel.count");
  CIDNS_FIELD(accel_mem, "accel.mem");
  CIDNS_FIELD(accel_tflops16, "accel.tflops16");
  CIDNS_FIELD(accel_link, "accel.link");
  CIDNS_FIELD(vcpu, "vcpu");
  CIDNS_FIELD(mem, "mem");
  CIDNS_FIELD(disk, "disk");
  CIDNS_FIELD(net_fabric, "net.fabric");
  CIDNS_FIELD(net_gbps, "net.gbps");
  CIDNS_FIELD(max_nodes, "max_nodes");
  CIDNS_FIELD(region, "region");
  CIDNS_FIELD(site, "site");
  CIDNS_FIELD(frameworks, "frameworks");
  CIDNS_FIELD(sched, "sched");
  CIDNS_FIELD(price, "price");
  CIDNS_FIELD(price_currency, "price.currency");
  CIDNS_FIELD(price_unit, "price.unit");
  CIDNS_FIELD(sla_avail, "sla.avail");
  CIDNS_FIELD(energy_pue, "energy.pue");
  CIDNS_FIELD(energy_green, "energy.green");
  CIDNS_FIELD(mandatory, "mandatory");
  CIDNS_FIELD(extensions, "x-*");
};
struct state_fields {
  static constexpr rtype type = rtype::state;
  CIDNS_FIELD(free, "free");
  CIDNS_FIELD(score, "score");
  CIDNS_FIELD(updated, "updated");
  CIDNS_FIELD(source, "source");
  CIDNS_FIELD(spot, "spot");
  CIDNS_FIELD(spot_currency, "spot.currency");
};
struct ep_fields {
  static constexpr rtype type = rtype::ep;
  CIDNS_FIELD(priority, "priority");
  CIDNS_FIELD(weight, "weight");
  CIDNS_FIELD(protocol, "protocol");
  CIDNS_FIELD(host, "host");
  CIDNS_FIELD(port, "port");
  CIDNS_FIELD(path, "path");
  CIDNS_FIELD(alpn, "alpn");
  CIDNS_FIELD(auth, "auth");
};
struct key_fields {
  static constexpr rtype type = rtype::key;
  CIDNS_FIELD(flags, "flags");
  CIDNS_FIELD(algorithm, "algorithm");
  CIDNS_FIELD(public_key, "public_key");
};
struct ds_fields {
  static constexpr rtype type = rtype::ds;
  CIDNS_FIELD(key_tag, "key_tag");
  CIDNS_FIELD(algorithm, "algorithm");
  CIDNS_FIELD(digest_type, "digest_type");
  CIDNS_FIELD(digest, "digest");
};
struct sig_fields {
  static constexpr rtype type = rtype::sig;
  CIDNS_FIELD(type_covered, "type_covered");
  CIDNS_FIELD(algorithm, "algorithm");
  CIDNS_FIELD(labels, "labels");
  CIDNS_FIELD(original_ttl, "original_ttl");
  CIDNS_FIELD(expiration, "expiration");
  CIDNS_FIELD(inception, "inception");
  CIDNS_FIELD(key_tag, "key_tag");
  CIDNS_FIELD(signer, "signer");
  CIDNS_FIELD(signature, "signature");
};
struct nsec_fields {
  static constexpr rtype type = rtype::nsec;
  CIDNS_FIELD(next, "next");
  CIDNS_FIELD(types, "types");
};

#undef CIDNS_FIELD

template <typename F>
const F& fields() {
  static const F f;
  return f;
}

}  // namespace

result<soa> soa::decode(std::string_view data) {
  const auto& n = fields<soa_fields>();
  values v;
  if (auto ok = decode_into(rtype::soa, data, v); !ok) return std::move(ok).err();
  return soa{name_of(v[n.primary]), name_of(v[n.admin]), u32(v[n.serial]),      u32(v[n.refresh]),
             u32(v[n.retry]),       u32(v[n.expire]),    u32(v[n.negative_ttl])};
}
std::string soa::encode() const {
  const auto& n = fields<soa_fields>();
  values v = start(rtype::soa);
  put(v[n.primary], primary.text());
  put(v[n.admin], admin.text());
  put(v[n.serial], serial);
  put(v[n.refresh], refresh);
  put(v[n.retry], retry);
  put(v[n.expire], expire);
  put(v[n.negative_ttl], negative_ttl);
  return finish(v);
}

result<ns> ns::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::ns, data, v); !ok) return std::move(ok).err();
  return ns{name_of(v[fields<ns_fields>().server])};
}
std::string ns::encode() const {
  values v = start(rtype::ns);
  put(v[fields<ns_fields>().server], server.text());
  return finish(v);
}

result<addr> addr::decode(std::string_view data) {
  const auto& n = fields<addr_fields>();
  values v;
  if (auto ok = decode_into(rtype::addr, data, v); !ok) return std::move(ok).err();
  return addr{str(v[n.address]), u32(v[n.port])};
}
std::string addr::encode() const {
  const auto& n = fields<addr_fields>();
  values v = start(rtype::addr);
  put(v[n.address], address);
  put(v[n.port], port);
  return finish(v);
}
std::string addr::address_text() const {
  std::string out;
  if (address.size() == 4 || address.size() == 16) append_address(address, out);
  return out;
}

result<cname> cname::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::cname, data, v); !ok) return std::move(ok).err();
  return cname{name_of(v[fields<cname_fields>().target])};
}
std::string cname::encode() const {
  values v = start(rtype::cname);
  put(v[fields<cname_fields>().target], target.text());
  return finish(v);
}

result<txt> txt::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::txt, data, v); !ok) return std::move(ok).err();
  return txt{strs(v[fields<txt_fields>().text])};
}
std::string txt::encode() const {
  values v = start(rtype::txt);
  put(v[fields<txt_fields>().text], text);
  return finish(v);
}

result<desc> desc::decode(std::string_view data) {
  const auto& n = fields<desc_fields>();
  values v;
  if (auto ok = decode_into(rtype::desc, data, v); !ok) return std::move(ok).err();
  desc d;
  d.kind = opt32(v[n.kind]);
  d.accel_vendor = optstr(v[n.accel_vendor]);
  d.accel_model = optstr(v[n.accel_model]);
  d.accel_family = optstr(v[n.accel_family]);
  d.accel_count = opt32(v[n.accel_count]);
  d.accel_mem = opt64(v[n.accel_mem]);
  d.accel_tflops16 = opt32(v[n.accel_tflops16]);
  d.accel_link = optstr(v[n.accel_link]);
  d.vcpu = opt32(v[n.vcpu]);
  d.mem = opt64(v[n.mem]);
  d.disk = opt64(v[n.disk]);
  d.net_fabric = optstr(v[n.net_fabric]);
  d.net_gbps = opt32(v[n.net_gbps]);
  d.max_nodes = opt32(v[n.max_nodes]);
  d.region = optstr(v[n.region]);
  d.site = optstr(v[n.site]);
  d.frameworks = strs(v[n.frameworks]);
  d.sched = opt32(v[n.sched]);
  d.price = opt64(v[n.price]);
  d.price_currency = optstr(v[n.price_currency]);
  d.price_unit = opt32(v[n.price_unit]);
  d.sla_avail = opt32(v[n.sla_avail]);
  d.energy_pue = opt32(v[n.energy_pue]);
  d.energy_green = opt32(v[n.energy_green]);
  d.mandatory = strs(v[n.mandatory]);
  for (const auto& [k, val] : v[n.extensions].map) d.extensions.emplace(k, val);
  return d;
}
std::string desc::encode() const {
  const auto& n = fields<desc_fields>();
  values v = start(rtype::desc);
  put(v[n.kind], kind);
  put(v[n.accel_vendor], accel_vendor);
  put(v[n.accel_model], accel_model);
  put(v[n.accel_family], accel_family);
  put(v[n.accel_count], accel_count);
  put(v[n.accel_mem], accel_mem);
  put(v[n.accel_tflops16], accel_tflops16);
  put(v[n.accel_link], accel_link);
  put(v[n.vcpu], vcpu);
  put(v[n.mem], mem);
  put(v[n.disk], disk);
  put(v[n.net_fabric], net_fabric);
  put(v[n.net_gbps], net_gbps);
  put(v[n.max_nodes], max_nodes);
  put(v[n.region], region);
  put(v[n.site], site);
  put(v[n.frameworks], frameworks);
  put(v[n.sched], sched);
  put(v[n.price], price);
  put(v[n.price_currency], price_currency);
  put(v[n.price_unit], price_unit);
  put(v[n.sla_avail], sla_avail);
  put(v[n.energy_pue], energy_pue);
  put(v[n.energy_green], energy_green);
  put(v[n.mandatory], mandatory);
  for (const auto& [k, val] : extensions) v[n.extensions].map.emplace_back(k, val);
  return finish(v);
}

result<state> state::decode(std::string_view data) {
  const auto& n = fields<state_fields>();
  values v;
  if (auto ok = decode_into(rtype::state, data, v); !ok) return std::move(ok).err();
  state s;
  s.free = opt32(v[n.free]);
  s.score = opt32(v[n.score]);
  if (v[n.updated].set) s.updated = static_cast<std::int64_t>(v[n.updated].num);
  s.source = opt32(v[n.source]);
  s.spot = opt64(v[n.spot]);
  s.spot_currency = optstr(v[n.spot_currency]);
  return s;
}
std::string state::encode() const {
  const auto& n = fields<state_fields>();
  values v = start(rtype::state);
  put(v[n.free], free);
  put(v[n.score], score);
  if (updated) put(v[n.updated], static_cast<std::uint64_t>(*updated));
  put(v[n.source], source);
  put(v[n.spot], spot);
  put(v[n.spot_currency], spot_currency);
  return finish(v);
}

result<ep> ep::decode(std::string_view data) {
  const auto& n = fields<ep_fields>();
  values v;
  if (auto ok = decode_into(rtype::ep, data, v); !ok) return std::move(ok).err();
  return ep{u32(v[n.priority]), u32(v[n.weight]), u32(v[n.protocol]), str(v[n.host]),
            u32(v[n.port]),     str(v[n.path]),   strs(v[n.alpn]),    u32(v[n.auth])};
}
std::string ep::encode() const {
  const auto& n = fields<ep_fields>();
  values v = start(rtype::ep);
  put(v[n.priority], priority);
  put(v[n.weight], weight);
  put(v[n.protocol], protocol);
  put(v[n.host], host);
  put(v[n.port], port);
  put(v[n.path], path);
  put(v[n.alpn], alpn);
  put(v[n.auth], auth);
  return finish(v);
}

result<key> key::decode(std::string_view data) {
  const auto& n = fields<key_fields>();
  values v;
  if (auto ok = decode_into(rtype::key, data, v); !ok) return std::move(ok).err();
  return key{u32(v[n.flags]), u32(v[n.algorithm]), str(v[n.public_key])};
}
std::string key::encode() const {
  const auto& n = fields<key_fields>();
  values v = start(rtype::key);
  put(v[n.flags], flags);
  put(v[n.algorithm], algorithm);
  put(v[n.public_key], public_key);
  return finish(v);
}

result<ds> ds::decode(std::string_view data) {
  const auto& n = fields<ds_fields>();
  values v;
  if (auto ok = decode_into(rtype::ds, data, v); !ok) return std::move(ok).err();
  return ds{u32(v[n.key_tag]), u32(v[n.algorithm]), u32(v[n.digest_type]), str(v[n.digest])};
}
std::string ds::encode() const {
  const auto& n = fields<ds_fields>();
  values v = start(rtype::ds);
  put(v[n.key_tag], key_tag);
  put(v[n.algorithm], algorithm);
  put(v[n.digest_type], digest_type);
  put(v[n.digest], digest);
  return finish(v);
}

namespace {

values sig_values(const sig& s) {
  const auto& n = fields<sig_fields>();
  values v = start(rtype::sig);
  put(v[n.type_covered], static_cast<std::uint64_t>(s.type_covered));
  put(v[n.algorithm], s.algorithm);
  put(v[n.labels], s.labels);
  put(v[n.original_ttl], s.original_ttl);
  put(v[n.expiration], s.expiration);
  put(v[n.inception], s.inception);
  put(v[n.key_tag], s.key_tag);
  put(v[n.signer], s.signer.text());
  return v;
}

}  // namespace

result<sig> sig::decode(std::string_view data) {
  const auto& n = fields<sig_fields>();
  values v;
  if (auto ok = decode_into(rtype::sig, data, v); !ok) return std::move(ok).err();
  return sig{static_cast<rtype>(v[n.type_covered].num),
             u32(v[n.algorithm]),
             u32(v[n.labels]),
             u32(v[n.original_ttl]),
             v[n.expiration].num,
             v[n.inception].num,
             u32(v[n.key_tag]),
             name_of(v[n.signer]),
             str(v[n.signature])};
}
std::string sig::encode() const {
  values v = sig_values(*this);
  put(v[fields<sig_fields>().signature], signature);
  return finish(v);
}
std::string sig::encode_unsigned() const { return finish(sig_values(*this)); }

result<nsec> nsec::decode(std::string_view data) {
  const auto& n = fields<nsec_fields>();
  values v;
  if (auto ok = decode_into(rtype::nsec, data, v); !ok) return std::move(ok).err();
  nsec out{name_of(v[n.next]), {}};
  for (auto t : v[n.types].nums) out.types.push_back(static_cast<rtype>(t));
  return out;
}
std::string nsec::encode() const {
  const auto& n = fields<nsec_fields>();
  values v = start(rtype::nsec);
  put(v[n.next], next.text());
  auto& nums = v[n.types].nums;
  for (auto t : types) nums.push_back(static_cast<std::uint64_t>(t));
  std::sort(nums.begin(), nums.end());
  nums.erase(std::unique(nums.begin(), nums.end()), nums.end());
  return finish(v);
}

}  // namespace cidns::record
