// TOML configuration of cidns-authd (config.hpp).
#include "config.hpp"

#include "transfer_rules.hpp"

#include <unistd.h>

#include <cstdlib>

#include "update_policy.hpp"

#include <filesystem>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <toml.hpp>

#include "cidns/serve/rrl.hpp"
#include "cidns/zone/ttl.hpp"

namespace cidns::authd {
namespace {

[[noreturn]] void fail(const std::string& file, std::string_view key, std::string_view why) {
  throw std::runtime_error(fmt::format("{}: {}: {}", file, key, why));
}

std::chrono::milliseconds parse_duration(const std::string& file, std::string_view key,
                                         const toml::value& v) {
  if (v.is_integer()) return std::chrono::seconds(v.as_integer());
  if (!v.is_string()) fail(file, key, "expected a duration such as \"10s\"");
  const std::string& s = v.as_string().str;
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(s, &used);
  } catch (const std::exception&) {
    fail(file, key, fmt::format("\"{}\" is not a duration", s));
  }
  std::string_view unit = std::string_view(s).substr(used);
  if (n < 0) fail(file, key, "a duration cannot be negative");
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s" || unit.empty()) return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  fail(file, key, fmt::format("\"{}\": unknown unit (use ms, s or m)", s));
}

net::endpoint parse_ep(const std::string& file, std::string_view key, const toml::value& v) {
  if (!v.is_string()) fail(file, key, "expected an address string such as \"127.0.0.1:5380\"");
  auto ep = net::parse_endpoint(v.as_string().str);
  if (!ep) fail(file, key, ep.err().message);
  return *ep;
}

}  // namespace

zone_config parse_zone_arg(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    throw std::runtime_error(fmt::format("--zone {}: expected NAME=FILE", arg));
  }
  auto name = name::identifier::parse(arg.substr(0, eq));
  if (!name) throw std::runtime_error(fmt::format("--zone {}: {}", arg, name.err().message));
  zone_config z;
  z.name = *name;
  z.file = arg.substr(eq + 1);
  return z;
}

void add_key_arg(std::vector<zone_config>& zones, const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos) {
    if (zones.size() != 1) {
      throw std::runtime_error(fmt::format(
          "--key {}: with {} zones, name the zone: --key ZONE=FILE", arg, zones.size()));
    }
    zones.front().keys.push_back(arg);
    return;
  }
  auto name = name::identifier::parse(arg.substr(0, eq));
  if (!name) throw std::runtime_error(fmt::format("--key {}: {}", arg, name.err().message));
  for (auto& z : zones) {
    if (z.name == *name) {
      z.keys.push_back(arg.substr(eq + 1));
      return;
    }
  }
  throw std::runtime_error(fmt::format("--key {}: no zone {} is configured", arg, name->text()));
}

std::uint32_t parse_validity(std::string_view what, std::string_view text) {
  auto v = zone::parse_ttl(text);
  if (!v) throw std::runtime_error(fmt::format("{}: {}: {}", what, text, v.err().message));
  if (*v < 4) throw std::runtime_error(fmt::format("{}: {}: at least 4s", what, text));
  return *v;
}

namespace {

// An integer key within [min, max], else "FILE: KEY: `why`".
std::int64_t integer_in(const std::string& file, std::string_view key, const toml::value& v,
                        std::int64_t min, std::int64_t max, std::string_view why) {
  if (!v.is_integer() || v.as_integer() < min || v.as_integer() > max) fail(file, key, why);
  return v.as_integer();
}

void listen_key(config& c, const std::string& file, std::string_view key, const toml::value& v) {
  if (v.is_string()) {
    c.listen.push_back(parse_ep(file, key, v));
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) c.listen.push_back(parse_ep(file, key, item));
  } else {
    fail(file, key, "expected an address or a list of addresses");
  }
}

// [server] limits and defences: the numeric keys, with the same bounds as their flags.
bool limit_key(config& c, const std::string& file, const std::string& k, const std::string& full,
               const toml::value& v) {
  if (k == "threads") {
    c.threads = static_cast<unsigned>(integer_in(file, full, v, 0, max_threads,
                                                 "expected a number of threads, 0..1024 (0: one "
                                                 "per core)"));
  } else if (k == "tcp-idle-timeout") {
    c.tcp_idle_timeout = parse_duration(file, full, v);
  } else if (k == "tcp-max-connections") {
    c.tcp_max_connections = static_cast<std::size_t>(integer_in(
        file, full, v, 1, std::numeric_limits<std::int64_t>::max(), "expected a positive number"));
  } else if (k == "udp-batch") {
    c.udp_batch = static_cast<std::size_t>(integer_in(file, full, v, 1, 1024, "expected 1..1024"));
  } else if (k == "udp-max-size") {
    c.udp_max_size = static_cast<std::uint32_t>(integer_in(
        file, full, v, min_udp_max_size, max_udp_max_size,
        fmt::format("expected a size in bytes, {}..{}", min_udp_max_size, max_udp_max_size)));
  } else if (k == "rrl-rate") {
    c.rrl_rate = static_cast<std::uint32_t>(
        integer_in(file, full, v, 0, serve::rate_limiter::max_rate,
                   fmt::format("expected responses per second per client prefix, 0..{} (0: off)",
                               serve::rate_limiter::max_rate)));
  } else if (k == "rrl-slip") {
    c.rrl_slip = static_cast<std::uint32_t>(
        integer_in(file, full, v, 0, max_rrl_slip,
                   "expected 0..100 (0: drop every limited reply, 1: truncate every one)"));
  } else {
    return false;
  }
  return true;
}

// A string or a list of strings.
std::vector<std::string> strings(const std::string& file, std::string_view key,
                                 const toml::value& v, std::string_view what) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.as_string().str);
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      if (!item.is_string()) fail(file, key, fmt::format("expected {}", what));
      out.push_back(item.as_string().str);
    }
  } else {
    fail(file, key, fmt::format("expected {}", what));
  }
  return out;
}

// [server] keys of dynamic UPDATE and transfers: hmac-key, allow-update, allow-xfr, notify,
// secondary, state-dir.
bool update_key(config& c, const std::string& file, const std::string& k, const std::string& full,
                const toml::value& v, const std::filesystem::path& dir) {
  if (k == "hmac-key") {
    for (auto& f : strings(file, full, v, "key file names")) {
      std::filesystem::path p(f);
      c.hmac_keys.push_back((p.is_relative() ? dir / p : p).string());
    }
  } else if (k == "allow-update") {
    for (auto& rule : strings(file, full, v, "rules \"ZONE KEYNAME NAME-PATTERN TYPE...\"")) {
      try {
        parse_update_rule(rule);
      } catch (const std::exception& e) {
        fail(file, full, e.what());
      }
      c.allow_update.push_back(std::move(rule));
    }
  } else if (k == "allow-xfr" || k == "notify" || k == "secondary") {
    auto& to = k == "allow-xfr" ? c.allow_xfr : k == "notify" ? c.notify : c.secondary;
    const bool pair = k == "allow-xfr";
    for (auto& rule :
         strings(file, full, v,
                 pair ? "rules \"ZONE KEYNAME\"" : "rules \"ZONE ADDR[:PORT] KEYNAME\"")) {
      try {
        if (pair) {
          parse_xfr_rule(rule);
        } else {
          parse_peer_rule(k, rule);
        }
      } catch (const std::exception& e) {
        fail(file, full, e.what());
      }
      to.push_back(std::move(rule));
    }
  } else if (k == "state-dir") {
    if (!v.is_string()) fail(file, full, "expected a directory");
    c.state_dir = v.as_string().str;
  } else {
    return false;
  }
  return true;
}

void server_section(config& c, const std::string& file, const toml::value& section,
                    const std::filesystem::path& dir) {
  if (!section.is_table()) fail(file, "server", "expected a table");
  for (const auto& [k, v] : section.as_table()) {
    const std::string full = "server." + k;
    if (update_key(c, file, k, full, v, dir)) {
      continue;
    } else if (k == "listen") {
      listen_key(c, file, full, v);
    } else if (k == "control") {
      if (!v.is_string()) fail(file, full, "expected a socket path or \"off\"");
      c.control = v.as_string().str;
    } else if (k == "metrics") {
      if (!v.is_string()) fail(file, full, "expected an address string such as \"127.0.0.1:9380\"");
      auto ep = net::parse_endpoint_with_port(v.as_string().str);
      if (!ep) fail(file, full, ep.err().message);
      c.metrics = *ep;
    } else if (k == "cookies") {
      if (!v.is_boolean()) fail(file, full, "expected true or false");
      c.cookies = v.as_boolean();
    } else if (!limit_key(c, file, k, full, v)) {
      fail(file, full, "unknown key");
    }
  }
}

// One [[zone]] table; relative file names are relative to the config's directory.
zone_config zone_table(const std::string& file, const toml::value& z,
                       const std::filesystem::path& dir) {
  if (!z.is_table()) fail(file, "zone", "expected a table");
  auto relative = [&dir](const std::string& name) {
    std::filesystem::path p(name);
    return (p.is_relative() ? dir / p : p).string();
  };
  zone_config zc;
  bool have_name = false;
  for (const auto& [k, v] : z.as_table()) {
    const std::string full = "zone." + k;
    if (k == "key" && v.is_array()) {
      for (const auto& item : v.as_array()) {
        if (!item.is_string()) fail(file, full, "expected key file names");
        zc.keys.push_back(relative(item.as_string().str));
      }
      continue;
    }
    if (!v.is_string()) fail(file, full, "expected a string");
    const std::string& text = v.as_string().str;
    if (k == "validity") {
      try {
        zc.sig_validity = parse_validity(full, text);
      } catch (const std::exception& e) {
        fail(file, full, e.what());
      }
    } else if (k == "name") {
      auto n = name::identifier::parse(text);
      if (!n) fail(file, full, n.err().message);
      zc.name = *n;
      have_name = true;
    } else if (k == "file") {
      zc.file = relative(text);
    } else if (k == "key") {
      zc.keys.push_back(relative(text));
    } else {
      fail(file, full, "unknown key");
    }
  }
  if (!have_name) fail(file, "zone.name", "missing");
  if (zc.file.empty()) fail(file, "zone.file", fmt::format("missing for zone {}", zc.name.text()));
  return zc;
}

}  // namespace

std::string default_state_dir() {
  if (::geteuid() == 0) return "/var/lib/cidns";
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x == '/') {
    return std::string(x) + "/cidns";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.local/state/cidns";
}

config read_config(const std::string& path) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
  if (!root.is_table()) fail(path, "(top)", "not a table");
  config c;
  const auto dir = std::filesystem::path(path).parent_path();
  for (const auto& [key, value] : root.as_table()) {
    if (key == "server") {
      server_section(c, path, value, dir);
    } else if (key == "zone") {
      if (!value.is_array()) fail(path, "zone", "expected [[zone]] tables");
      for (const auto& z : value.as_array()) c.zones.push_back(zone_table(path, z, dir));
    } else {
      fail(path, key, "unknown section");
    }
  }
  return c;
}

}  // namespace cidns::authd
