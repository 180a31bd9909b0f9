// TOML configuration of cidns-authd (config.hpp).
#include "config.hpp"

#include <filesystem>
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

config read_config(const std::string& path) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
  config c;
  auto dir = std::filesystem::path(path).parent_path();
  if (!root.is_table()) fail(path, "(top)", "not a table");
  for (const auto& [key, value] : root.as_table()) {
    if (key == "server") {
      if (!value.is_table()) fail(path, "server", "expected a table");
      for (const auto& [k, v] : value.as_table()) {
        std::string full = "server." + k;
        if (k == "listen") {
          if (v.is_string()) {
            c.listen.push_back(parse_ep(path, full, v));
          } else if (v.is_array()) {
            for (const auto& item : v.as_array()) c.listen.push_back(parse_ep(path, full, item));
          } else {
            fail(path, full, "expected an address or a list of addresses");
          }
        } else if (k == "threads") {
          if (!v.is_integer() || v.as_integer() < 0 || v.as_integer() > 1024) {
            fail(path, full, "expected a number of threads, 0..1024 (0: one per core)");
          }
          c.threads = static_cast<unsigned>(v.as_integer());
        } else if (k == "control") {
          if (!v.is_string()) fail(path, full, "expected a socket path or \"off\"");
          c.control = v.as_string().str;
        } else if (k == "metrics") {
          c.metrics = parse_ep(path, full, v);
        } else if (k == "tcp-idle-timeout") {
          c.tcp_idle_timeout = parse_duration(path, full, v);
        } else if (k == "tcp-max-connections") {
          if (!v.is_integer() || v.as_integer() < 1) fail(path, full, "expected a positive number");
          c.tcp_max_connections = static_cast<std::size_t>(v.as_integer());
        } else if (k == "udp-batch") {
          if (!v.is_integer() || v.as_integer() < 1 || v.as_integer() > 1024) {
            fail(path, full, "expected 1..1024");
          }
          c.udp_batch = static_cast<std::size_t>(v.as_integer());
        } else if (k == "udp-max-size") {
          if (!v.is_integer() || v.as_integer() < min_udp_max_size ||
              v.as_integer() > max_udp_max_size) {
            fail(path, full,
                 fmt::format("expected a size in bytes, {}..{}", min_udp_max_size,
                             max_udp_max_size));
          }
          c.udp_max_size = static_cast<std::uint32_t>(v.as_integer());
        } else if (k == "rrl-rate") {
          if (!v.is_integer() || v.as_integer() < 0 ||
              v.as_integer() > serve::rate_limiter::max_rate) {
            fail(path, full,
                 fmt::format("expected responses per second per client prefix, 0..{} (0: off)",
                             serve::rate_limiter::max_rate));
          }
          c.rrl_rate = static_cast<std::uint32_t>(v.as_integer());
        } else if (k == "rrl-slip") {
          if (!v.is_integer() || v.as_integer() < 0 || v.as_integer() > 100) {
            fail(path, full,
                 "expected 0..100 (0: drop every limited reply, 1: truncate every one)");
          }
          c.rrl_slip = static_cast<std::uint32_t>(v.as_integer());
        } else if (k == "cookies") {
          if (!v.is_boolean()) fail(path, full, "expected true or false");
          c.cookies = v.as_boolean();
        } else {
          fail(path, full, "unknown key");
        }
      }
    } else if (key == "zone") {
      if (!value.is_array()) fail(path, "zone", "expected [[zone]] tables");
      for (const auto& z : value.as_array()) {
        if (!z.is_table()) fail(path, "zone", "expected a table");
        zone_config zc;
        bool have_name = false;
        for (const auto& [k, v] : z.as_table()) {
          std::string full = "zone." + k;
          auto relative = [&dir](const std::string& file) {
            std::filesystem::path p(file);
            return (p.is_relative() ? dir / p : p).string();
          };
          if (k == "key" && v.is_array()) {
            for (const auto& item : v.as_array()) {
              if (!item.is_string()) fail(path, full, "expected key file names");
              zc.keys.push_back(relative(item.as_string().str));
            }
            continue;
          }
          if (!v.is_string()) fail(path, full, "expected a string");
          if (k == "validity") {
            try {
              zc.sig_validity = parse_validity(full, v.as_string().str);
            } catch (const std::exception& e) {
              fail(path, full, e.what());
            }
          } else if (k == "name") {
            auto n = name::identifier::parse(v.as_string().str);
            if (!n) fail(path, full, n.err().message);
            zc.name = *n;
            have_name = true;
          } else if (k == "file") {
            zc.file = relative(v.as_string().str);
          } else if (k == "key") {
            zc.keys.push_back(relative(v.as_string().str));
          } else {
            fail(path, full, "unknown key");
          }
        }
        if (!have_name) fail(path, "zone.name", "missing");
        if (zc.file.empty())
          fail(path, "zone.file", fmt::format("missing for zone {}", zc.name.text()));
        c.zones.push_back(std::move(zc));
      }
    } else {
      fail(path, key, "unknown section");
    }
  }
  return c;
}

}  // namespace cidns::authd
