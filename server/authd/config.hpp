// cidns-authd's configuration: a TOML file (docs/cidns-authd.md) and/or flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"

namespace cidns::authd {

inline constexpr std::uint32_t default_sig_validity = 30 * 86400;  // seconds

struct zone_config {
  name::identifier name;
  std::string file;
  std::vector<std::string> keys;  // private key files: sign on load, re-sign before expiry
  std::uint32_t sig_validity = default_sig_validity;  // seconds a signature is valid for
  // A secondary zone: `file` is the copy kept in the state directory, which may not exist yet
  // (the zone is then served after its first transfer).
  bool secondary = false;
};

struct config {
  std::vector<net::endpoint> listen;
  unsigned threads = 0;  // 0: one per core
  std::vector<zone_config> zones;
  std::string control;  // control socket path ("" = default, "off" = none)
  std::optional<net::endpoint> metrics;
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  std::size_t tcp_max_connections = 256;
  std::size_t udp_batch = 32;
  // The largest UDP reply, whatever a query's max_size asks (amplification cap).
  std::uint32_t udp_max_size = 1232;
  std::uint32_t rrl_rate = 0;  // UDP responses/s per client prefix; 0: no rate limiting
  std::uint32_t rrl_slip = 2;  // every N-th limited reply sent truncated; 0: drop all
  bool cookies = true;         // answer client cookies with server cookies
  // Dynamic UPDATE: shared HMAC keys (key files), the update rules ("ZONE KEYNAME
  // NAME-PATTERN TYPE..."), and where the journal lives ("" = default_state_dir()).
  std::vector<std::string> hmac_keys;
  std::vector<std::string> allow_update;
  std::string state_dir;
  // Zone transfers: "ZONE KEYNAME" (who may transfer), "ZONE ADDR[:PORT] KEYNAME" (whom to
  // notify of a new version; which primary a secondary zone comes from).
  std::vector<std::string> allow_xfr;
  std::vector<std::string> notify;
  std::vector<std::string> secondary;
};

// /var/lib/cidns as root, else $XDG_STATE_HOME/cidns (~/.local/state/cidns).
std::string default_state_dir();

// Bounds shared by the flags and the config keys.
inline constexpr int max_threads = 1024;  // threads: 0..1024 (0: one per core)
inline constexpr int max_rrl_slip = 100;  // rrl-slip: 0..100

// Bounds of udp_max_size: the UDP floor and the payload of an IPv4 datagram.
inline constexpr std::uint32_t min_udp_max_size = 512;
inline constexpr std::uint32_t max_udp_max_size = 65507;

// Reads a TOML config. Throws std::runtime_error with "FILE: key: problem".
config read_config(const std::string& path);

// Parses a --zone argument "NAME=FILE". Throws std::runtime_error.
zone_config parse_zone_arg(const std::string& arg);

// Adds a --key argument to `zones`: "FILE" when exactly one zone is given,
// else "ZONE=FILE". Throws std::runtime_error naming the problem.
void add_key_arg(std::vector<zone_config>& zones, const std::string& arg);

// A signature validity such as "30d", "12h", "90s" (at least 4 s, at most
// 2^31-1 s). Throws std::runtime_error naming `what`.
std::uint32_t parse_validity(std::string_view what, std::string_view text);

}  // namespace cidns::authd
