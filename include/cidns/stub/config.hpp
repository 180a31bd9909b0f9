// Which resolvers the stub asks and how patiently (DESIGN §8): from CIDNS_RESOLVER
// (comma-separated ADDR[:PORT]) or /etc/cidns/resolv.conf, else 127.0.0.1:5380.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/net/endpoint.hpp"
#include "cidns/util/result.hpp"

namespace cidns::stub {

inline constexpr std::string_view resolver_env = "CIDNS_RESOLVER";
inline constexpr std::string_view default_config_path = "/etc/cidns/resolv.conf";
inline constexpr std::chrono::milliseconds default_timeout{2000};
inline constexpr int default_attempts = 2;
inline constexpr int max_attempts = 10;
inline constexpr std::chrono::milliseconds max_timeout{60000};

struct resolver_config {
  // Tried in order; each attempt of a query goes to the next one (round robin).
  std::vector<net::endpoint> servers;
  // How long one try waits for a matching reply.
  std::chrono::milliseconds timeout = default_timeout;
  // Rounds over the server list: a query makes at most attempts × servers tries.
  int attempts = default_attempts;
  // "tls off" is accepted; "tls on" is refused until the stub speaks TLS.
  bool tls = false;
  // Where the server list came from: "CIDNS_RESOLVER", the file's path, or "default".
  std::string source = "default";
};

// The configuration with 127.0.0.1:5380 as its only server.
resolver_config default_config();

// Parses the value of CIDNS_RESOLVER into `base`'s server list. Errors read
// "CIDNS_RESOLVER: 'x': invalid address ...".
result<resolver_config> parse_resolver_env(std::string_view value, resolver_config base = {});

// Parses the text of a resolv.conf: lines "resolver ADDR[:PORT]" (repeatable),
// "timeout 2s" (also "500ms" or bare seconds), "attempts 2", "tls on|off", "#" comments.
// Errors read "PATH:LINE: message".
result<resolver_config> parse_resolv_conf(std::string_view text, std::string_view path);

// The effective configuration: the file at `path` when it exists (timeout, attempts,
// servers), then the servers of `env` (when set and not empty) replace the file's, else
// 127.0.0.1:5380 when neither names a server. Explicit inputs, so tests do not depend on
// the machine.
result<resolver_config> load_config(std::optional<std::string_view> env, const std::string& path);

// load_config(getenv("CIDNS_RESOLVER"), "/etc/cidns/resolv.conf").
result<resolver_config> load_system_config();

}  // namespace cidns::stub
