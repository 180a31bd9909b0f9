// Typed record data (DESIGN §3): one plain struct per known type, each with a
// decoder from and a deterministic encoder to its wire data (cidns.proto).
// decode() never throws: malformed bytes come back as an error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"

namespace cidns::record {

inline constexpr std::uint32_t default_port = 5380;

enum class algorithm : std::uint8_t { unspecified = 0, ed25519 = 1, p256 = 2, sm2 = 3 };
enum class digest_type : std::uint8_t { unspecified = 0, sha256 = 1 };
enum class kind : std::uint8_t { unspecified = 0, gpu, npu, cpu, fpga, hpc, storage };
enum class sched : std::uint8_t { unspecified = 0, vm, container, baremetal, k8s, slurm, task };
enum class price_unit : std::uint8_t { unspecified = 0, accel_hour, node_hour, ktoken };
enum class source : std::uint8_t { unspecified = 0, nominal, measured, estimated };
enum class protocol : std::uint8_t { unspecified = 0, grpc, https, ssh, k8s, slurm, task_api };
enum class ep_auth : std::uint8_t { none = 0, mtls, oidc, token };

inline constexpr std::uint32_t key_flag_zone = 1;
inline constexpr std::uint32_t key_flag_sep = 2;

// Enumerations carry their raw number so values from newer peers survive a
// decode/encode round trip; the typed accessors above name the known ones.

struct soa {
  name::identifier primary;
  name::identifier admin;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, negative_ttl = 0;
  static result<soa> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const soa&, const soa&) = default;
};

struct ns {
  name::identifier server;
  static result<ns> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const ns&, const ns&) = default;
};

struct addr {
  std::string address;  // 4 or 16 bytes, network order
  std::uint32_t port = default_port;
  static result<addr> decode(std::string_view data);
  std::string encode() const;
  std::string address_text() const;  // "127.0.0.21", "::1"
  friend bool operator==(const addr&, const addr&) = default;
};

struct cname {
  name::identifier target;
  static result<cname> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const cname&, const cname&) = default;
};

struct txt {
  std::vector<std::string> text;
  static result<txt> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const txt&, const txt&) = default;
};

struct desc {
  std::optional<std::uint32_t> kind;  // record::kind value
  std::optional<std::string> accel_vendor, accel_model, accel_family;
  std::optional<std::uint32_t> accel_count;
  std::optional<std::uint64_t> accel_mem;  // MiB per device
  std::optional<std::uint32_t> accel_tflops16;
  std::optional<std::string> accel_link;
  std::optional<std::uint32_t> vcpu;
  std::optional<std::uint64_t> mem;   // MiB
  std::optional<std::uint64_t> disk;  // GiB
  std::optional<std::string> net_fabric;
  std::optional<std::uint32_t> net_gbps, max_nodes;
  std::optional<std::string> region, site;
  std::vector<std::string> frameworks;
  std::optional<std::uint32_t> sched;  // record::sched value
  std::optional<std::uint64_t> price;  // milli-units
  std::optional<std::string> price_currency;
  std::optional<std::uint32_t> price_unit;    // record::price_unit value
  std::optional<std::uint32_t> sla_avail;     // ppm
  std::optional<std::uint32_t> energy_pue;    // x1000
  std::optional<std::uint32_t> energy_green;  // ppm
  std::vector<std::string> mandatory;
  std::map<std::string, std::string> extensions;  // "x-..." -> value
  static result<desc> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const desc&, const desc&) = default;
};

struct state {
  std::optional<std::uint32_t> free, score;
  std::optional<std::int64_t> updated;  // unix seconds
  std::optional<std::uint32_t> source;  // record::source value
  std::optional<std::uint64_t> spot;    // milli-units
  std::optional<std::string> spot_currency;
  static result<state> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const state&, const state&) = default;
};

struct ep {
  std::uint32_t priority = 0, weight = 0;
  std::uint32_t protocol = 0;  // record::protocol value
  std::string host;
  std::uint32_t port = 0;
  std::string path;
  std::vector<std::string> alpn;
  std::uint32_t auth = 0;  // record::ep_auth value
  static result<ep> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const ep&, const ep&) = default;
};

struct key {
  std::uint32_t flags = 0;      // key_flag_* bits
  std::uint32_t algorithm = 0;  // record::algorithm value
  std::string public_key;
  static result<key> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const key&, const key&) = default;
};

struct ds {
  std::uint32_t key_tag = 0;
  std::uint32_t algorithm = 0;
  std::uint32_t digest_type = 0;
  std::string digest;
  static result<ds> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const ds&, const ds&) = default;
};

struct sig {
  rtype type_covered = rtype::none;
  std::uint32_t algorithm = 0;
  std::uint32_t labels = 0;
  std::uint32_t original_ttl = 0;
  std::uint64_t expiration = 0, inception = 0;  // unix seconds
  std::uint32_t key_tag = 0;
  name::identifier signer;
  std::string signature;
  static result<sig> decode(std::string_view data);
  std::string encode() const;
  // The encoding without the signature field: SignedData.sig.
  std::string encode_unsigned() const;
  friend bool operator==(const sig&, const sig&) = default;
};

struct nsec {
  name::identifier next;
  std::vector<rtype> types;  // ascending
  static result<nsec> decode(std::string_view data);
  std::string encode() const;
  friend bool operator==(const nsec&, const nsec&) = default;
};

}  // namespace cidns::record
