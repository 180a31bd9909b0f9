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

struct zone_config {
  name::identifier name;
  std::string file;
  std::string key;  // private key file for online signing (not used yet)
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
  std::uint32_t rrl_rate = 0;  // UDP responses/s per client prefix; 0: no rate limiting
  std::uint32_t rrl_slip = 2;  // every N-th limited reply sent truncated; 0: drop all
  bool cookies = true;         // answer client cookies with server cookies
};

// Reads a TOML config. Throws std::runtime_error with "FILE: key: problem".
config read_config(const std::string& path);

// Parses a --zone argument "NAME=FILE". Throws std::runtime_error.
zone_config parse_zone_arg(const std::string& arg);

}  // namespace cidns::authd
