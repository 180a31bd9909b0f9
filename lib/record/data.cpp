// Typed record data <-> wire data. The structs are thin mappings onto the
// generic values of the type table, so the checks, limits and the
// deterministic encoding are the same ones parse_data and format_data use.
#include "cidns/record/data.hpp"

#include <arpa/inet.h>
#include <algorithm>

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

std::string finish(const values& v) {
  std::string out;
  out.reserve(64);
  encode_values(v, out);
  return out;
}

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

}  // namespace

result<soa> soa::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::soa, data, v); !ok) return std::move(ok).err();
  return soa{name_of(v[1]), name_of(v[2]), u32(v[3]), u32(v[4]), u32(v[5]), u32(v[6]), u32(v[7])};
}
std::string soa::encode() const {
  values v = start(rtype::soa);
  put(v[1], primary.text());
  put(v[2], admin.text());
  put(v[3], serial);
  put(v[4], refresh);
  put(v[5], retry);
  put(v[6], expire);
  put(v[7], negative_ttl);
  return finish(v);
}

result<ns> ns::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::ns, data, v); !ok) return std::move(ok).err();
  return ns{name_of(v[1])};
}
std::string ns::encode() const {
  values v = start(rtype::ns);
  put(v[1], server.text());
  return finish(v);
}

result<addr> addr::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::addr, data, v); !ok) return std::move(ok).err();
  return addr{str(v[1]), u32(v[2])};
}
std::string addr::encode() const {
  values v = start(rtype::addr);
  put(v[1], address);
  put(v[2], port);
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
  return cname{name_of(v[1])};
}
std::string cname::encode() const {
  values v = start(rtype::cname);
  put(v[1], target.text());
  return finish(v);
}

result<txt> txt::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::txt, data, v); !ok) return std::move(ok).err();
  return txt{strs(v[1])};
}
std::string txt::encode() const {
  values v = start(rtype::txt);
  put(v[1], text);
  return finish(v);
}

result<desc> desc::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::desc, data, v); !ok) return std::move(ok).err();
  desc d;
  d.kind = opt32(v[1]);
  d.accel_vendor = optstr(v[2]);
  d.accel_model = optstr(v[3]);
  d.accel_family = optstr(v[4]);
  d.accel_count = opt32(v[5]);
  d.accel_mem = opt64(v[6]);
  d.accel_tflops16 = opt32(v[7]);
  d.accel_link = optstr(v[8]);
  d.vcpu = opt32(v[9]);
  d.mem = opt64(v[10]);
  d.disk = opt64(v[11]);
  d.net_fabric = optstr(v[12]);
  d.net_gbps = opt32(v[13]);
  d.max_nodes = opt32(v[14]);
  d.region = optstr(v[15]);
  d.site = optstr(v[16]);
  d.frameworks = strs(v[17]);
  d.sched = opt32(v[18]);
  d.price = opt64(v[19]);
  d.price_currency = optstr(v[20]);
  d.price_unit = opt32(v[21]);
  d.sla_avail = opt32(v[22]);
  d.energy_pue = opt32(v[23]);
  d.energy_green = opt32(v[24]);
  d.mandatory = strs(v[25]);
  for (const auto& [k, val] : v[26].map) d.extensions.emplace(k, val);
  return d;
}
std::string desc::encode() const {
  values v = start(rtype::desc);
  put(v[1], kind);
  put(v[2], accel_vendor);
  put(v[3], accel_model);
  put(v[4], accel_family);
  put(v[5], accel_count);
  put(v[6], accel_mem);
  put(v[7], accel_tflops16);
  put(v[8], accel_link);
  put(v[9], vcpu);
  put(v[10], mem);
  put(v[11], disk);
  put(v[12], net_fabric);
  put(v[13], net_gbps);
  put(v[14], max_nodes);
  put(v[15], region);
  put(v[16], site);
  put(v[17], frameworks);
  put(v[18], sched);
  put(v[19], price);
  put(v[20], price_currency);
  put(v[21], price_unit);
  put(v[22], sla_avail);
  put(v[23], energy_pue);
  put(v[24], energy_green);
  put(v[25], mandatory);
  for (const auto& [k, val] : extensions) v[26].map.emplace_back(k, val);
  return finish(v);
}

result<state> state::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::state, data, v); !ok) return std::move(ok).err();
  state s;
  s.free = opt32(v[1]);
  s.score = opt32(v[2]);
  if (v[3].set) s.updated = static_cast<std::int64_t>(v[3].num);
  s.source = opt32(v[4]);
  s.spot = opt64(v[5]);
  s.spot_currency = optstr(v[6]);
  return s;
}
std::string state::encode() const {
  values v = start(rtype::state);
  put(v[1], free);
  put(v[2], score);
  if (updated) put(v[3], static_cast<std::uint64_t>(*updated));
  put(v[4], source);
  put(v[5], spot);
  put(v[6], spot_currency);
  return finish(v);
}

result<ep> ep::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::ep, data, v); !ok) return std::move(ok).err();
  return ep{u32(v[1]), u32(v[2]), u32(v[3]),  str(v[4]),
            u32(v[5]), str(v[6]), strs(v[7]), u32(v[8])};
}
std::string ep::encode() const {
  values v = start(rtype::ep);
  put(v[1], priority);
  put(v[2], weight);
  put(v[3], protocol);
  put(v[4], host);
  put(v[5], port);
  put(v[6], path);
  put(v[7], alpn);
  put(v[8], auth);
  return finish(v);
}

result<key> key::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::key, data, v); !ok) return std::move(ok).err();
  return key{u32(v[1]), u32(v[2]), str(v[3])};
}
std::string key::encode() const {
  values v = start(rtype::key);
  put(v[1], flags);
  put(v[2], algorithm);
  put(v[3], public_key);
  return finish(v);
}

result<ds> ds::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::ds, data, v); !ok) return std::move(ok).err();
  return ds{u32(v[1]), u32(v[2]), u32(v[3]), str(v[4])};
}
std::string ds::encode() const {
  values v = start(rtype::ds);
  put(v[1], key_tag);
  put(v[2], algorithm);
  put(v[3], digest_type);
  put(v[4], digest);
  return finish(v);
}

namespace {

values sig_values(const sig& s) {
  values v = start(rtype::sig);
  put(v[1], static_cast<std::uint64_t>(s.type_covered));
  put(v[2], s.algorithm);
  put(v[3], s.labels);
  put(v[4], s.original_ttl);
  put(v[5], s.expiration);
  put(v[6], s.inception);
  put(v[7], s.key_tag);
  put(v[8], s.signer.text());
  return v;
}

}  // namespace

result<sig> sig::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::sig, data, v); !ok) return std::move(ok).err();
  return sig{static_cast<rtype>(v[1].num),
             u32(v[2]),
             u32(v[3]),
             u32(v[4]),
             v[5].num,
             v[6].num,
             u32(v[7]),
             name_of(v[8]),
             str(v[9])};
}
std::string sig::encode() const {
  values v = sig_values(*this);
  put(v[9], signature);
  return finish(v);
}
std::string sig::encode_unsigned() const { return finish(sig_values(*this)); }

result<nsec> nsec::decode(std::string_view data) {
  values v;
  if (auto ok = decode_into(rtype::nsec, data, v); !ok) return std::move(ok).err();
  nsec n{name_of(v[1]), {}};
  for (auto t : v[2].nums) n.types.push_back(static_cast<rtype>(t));
  return n;
}
std::string nsec::encode() const {
  values v = start(rtype::nsec);
  put(v[1], next.text());
  for (auto t : types) v[2].nums.push_back(static_cast<std::uint64_t>(t));
  std::sort(v[2].nums.begin(), v[2].nums.end());
  v[2].nums.erase(std::unique(v[2].nums.begin(), v[2].nums.end()), v[2].nums.end());
  return finish(v);
}

}  // namespace cidns::record
