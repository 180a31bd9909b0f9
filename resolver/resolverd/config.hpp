// cidns-resolverd's configuration: a TOML file (docs/cidns-resolverd.md) and/or flags. Every
// problem is reported as "WHERE: problem", WHERE naming the flag or the file and key.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access_list.hpp"
#include "cidns/net/endpoint.hpp"

namespace cidns::resolverd {

struct config {
  std::vector<net::endpoint> listen;        // default 127.0.0.1:5380
  std::vector<net::endpoint> roots;         // root server addresses
  std::string root_hints;                   // or a file of them (read into roots at startup)
  std::string trust_anchor;                 // "" : nothing is validated
  std::string cache_dir;                    // "" : a directory under $XDG_CACHE_HOME or /var/cache
  std::uint64_t cache_size = 256ull << 20;  // bytes
  std::uint32_t max_ttl = 86'400;
  std::uint32_t max_negative_ttl = 3'600;
  access_list allow = access_list::loopback();
  unsigned threads = 0;  // 0: one per core
  std::string control;   // "" : default path, "off": none
  std::optional<net::endpoint> metrics;
  std::chrono::milliseconds client_deadline{6'000};
  // DISCOVER fan-out ([discovery] parallel, zones, deadline; --discover-*).
  unsigned discover_parallel = 16;                     // zones asked at once, 1..256
  unsigned discover_zones = 1000;                      // zones asked in all, 1..10000
  std::chrono::milliseconds discover_deadline{3'000};  // 100 ms .. 60 s
  bool cookies = true;                                 // answer client cookies with server cookies
};

// Reads a TOML config. Throws std::runtime_error with "FILE: key: problem".
config read_config(const std::string& path);

// "256MiB", "1G", "4096" (bytes; K/M/G with or without "iB"); at least 1 MiB, at most 1 TiB.
// Throws std::runtime_error naming `what`.
std::uint64_t parse_size(std::string_view what, std::string_view text);

// A root hints file: one server per line as ADDR[:PORT], or zonefile ADDR records
// ("a.root. ADDR 127.0.0.2 5380"); '#' and ';' start comments. Throws "FILE:LINE: problem".
std::vector<net::endpoint> read_root_hints(const std::string& path);

// The cache directory when none is configured: $XDG_CACHE_HOME/cidns/resolverd, else
// ~/.cache/cidns/resolverd, or /var/cache/cidns/resolverd as root.
std::string default_cache_dir();

}  // namespace cidns::resolverd
