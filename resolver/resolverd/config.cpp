// TOML configuration of cidns-resolverd (config.hpp).
#include "config.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <toml.hpp>

#include "cidns/zone/ttl.hpp"

namespace cidns::resolverd {
namespace {

[[noreturn]] void fail(const std::string& file, std::string_view key, std::string_view why) {
  throw std::runtime_error(fmt::format("{}: {}: {}", file, key, why));
}

std::string str(const std::string& file, std::string_view key, const toml::value& v) {
  if (!v.is_string()) fail(file, key, "expected a string");
  return v.as_string().str;
}

net::endpoint endpoint_of(const std::string& file, std::string_view key, const toml::value& v) {
  auto ep = net::parse_endpoint(str(file, key, v));
  if (!ep) fail(file, key, ep.err().message);
  return *ep;
}

// A string or a list of strings, each through `add`.
template <typename F>
void each_string(const std::string& file, std::string_view key, const toml::value& v, F add) {
  if (v.is_array()) {
    for (const auto& item : v.as_array()) add(str(file, key, item));
  } else {
    add(str(file, key, v));
  }
}

std::uint32_t ttl_of(const std::string& file, std::string_view key, const toml::value& v) {
  if (v.is_integer()) {
    if (v.as_integer() < 0 || v.as_integer() > 0x7fffffff) fail(file, key, "out of range");
    return static_cast<std::uint32_t>(v.as_integer());
  }
  auto t = zone::parse_ttl(str(file, key, v));
  if (!t) fail(file, key, t.err().message);
  return *t;
}

void server_key(config& c, const std::string& file, const std::string& k, const toml::value& v) {
  const std::string full = "server." + k;
  if (k == "listen") {
    c.listen.clear();
    each_string(file, full, v, [&](const std::string& s) {
      c.listen.push_back(endpoint_of(file, full, toml::value(s)));
    });
  } else if (k == "threads") {
    if (!v.is_integer() || v.as_integer() < 0 || v.as_integer() > 1024) {
      fail(file, full, "expected a number of threads, 0..1024 (0: one per core)");
    }
    c.threads = static_cast<unsigned>(v.as_integer());
  } else if (k == "control") {
    c.control = str(file, full, v);
  } else if (k == "metrics") {
    auto ep = net::parse_endpoint_with_port(str(file, full, v));  // never the query port
    if (!ep) fail(file, full, ep.err().message);
    c.metrics = *ep;
  } else if (k == "cookies") {
    if (!v.is_boolean()) fail(file, full, "expected true or false");
    c.cookies = v.as_boolean();
  } else if (k == "allow") {
    c.allow.clear();
    each_string(file, full, v, [&](const std::string& s) {
      if (auto r = c.allow.add(s); !r) fail(file, full, r.err().message);
    });
  } else {
    fail(file, full, "unknown key");
  }
}

void resolver_key(config& c, const std::string& file, const std::string& k, const toml::value& v,
                  const std::filesystem::path& dir) {
  const std::string full = "resolver." + k;
  auto relative = [&dir](const std::string& f) {
    std::filesystem::path p(f);
    return (p.is_relative() ? dir / p : p).string();
  };
  if (k == "root") {
    c.roots.clear();
    each_string(file, full, v, [&](const std::string& s) {
      c.roots.push_back(endpoint_of(file, full, toml::value(s)));
    });
  } else if (k == "root-hints") {
    c.root_hints = relative(str(file, full, v));
  } else if (k == "trust-anchor") {
    c.trust_anchor = relative(str(file, full, v));
  } else if (k == "discover-parallel" || k == "discover-zones") {
    const bool parallel = k == "discover-parallel";
    const std::int64_t max = parallel ? 256 : 10'000;
    if (!v.is_integer() || v.as_integer() < 1 || v.as_integer() > max) {
      fail(file, full, fmt::format("expected a number, 1..{}", max));
    }
    (parallel ? c.discover_parallel : c.discover_zones) = static_cast<unsigned>(v.as_integer());
  } else if (k == "discover-deadline") {
    if (!v.is_integer() || v.as_integer() < 100 || v.as_integer() > 60'000) {
      fail(file, full, "expected milliseconds, 100..60000");
    }
    c.discover_deadline = std::chrono::milliseconds(v.as_integer());
  } else if (k == "client-timeout") {
    const auto t = ttl_of(file, full, v);
    if (t < 1 || t > 60) fail(file, full, "expected 1s..60s");
    c.client_deadline = std::chrono::seconds(t);
  } else {
    fail(file, full, "unknown key");
  }
}

void cache_key(config& c, const std::string& file, const std::string& k, const toml::value& v,
               const std::filesystem::path& dir) {
  const std::string full = "cache." + k;
  if (k == "dir") {
    std::filesystem::path p(str(file, full, v));
    c.cache_dir = (p.is_relative() ? dir / p : p).string();
  } else if (k == "size") {
    try {
      c.cache_size = v.is_integer() ? parse_size(full, std::to_string(v.as_integer()))
                                    : parse_size(full, str(file, full, v));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("{}: {}", file, e.what()));
    }
  } else if (k == "max-ttl") {
    c.max_ttl = ttl_of(file, full, v);
  } else if (k == "max-negative-ttl") {
    c.max_negative_ttl = ttl_of(file, full, v);
  } else {
    fail(file, full, "unknown key");
  }
}

}  // namespace

std::uint64_t parse_size(std::string_view what, std::string_view text) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p == text.data()) {
    throw std::runtime_error(fmt::format("{}: '{}' is not a size such as 256MiB", what, text));
  }
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::uint64_t scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K" || unit == "KiB" || unit == "k") {
    scale = 1ull << 10;
  } else if (unit == "M" || unit == "MiB") {
    scale = 1ull << 20;
  } else if (unit == "G" || unit == "GiB") {
    scale = 1ull << 30;
  } else {
    throw std::runtime_error(fmt::format(
        "{}: '{}': unknown unit '{}' (use K, M, G or KiB, MiB, GiB)", what, text, unit));
  }
  constexpr std::uint64_t max = 1ull << 40;
  if (n > max / scale || n * scale > max || n * scale < (1ull << 20)) {
    throw std::runtime_error(fmt::format("{}: '{}': expected 1MiB..1TiB", what, text));
  }
  return n * scale;
}

std::vector<net::endpoint> read_root_hints(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  std::vector<net::endpoint> out;
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n) {
    if (auto c = line.find_first_of("#;"); c != std::string::npos) line.resize(c);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    std::string addr = w[0], port;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i] == "ADDR" || w[i] == "addr") {
        if (i + 1 >= w.size())
          throw std::runtime_error(fmt::format("{}:{}: ADDR without an address", path, n));
        addr = w[i + 1];
        if (i + 2 < w.size()) port = w[i + 2];
        break;
      }
    }
    auto ep = net::parse_endpoint(port.empty() ? addr : addr + ":" + port);
    if (!ep) throw std::runtime_error(fmt::format("{}:{}: {}", path, n, ep.err().message));
    out.push_back(*ep);
  }
  if (out.empty()) throw std::runtime_error(fmt::format("{}: no root server addresses", path));
  return out;
}

std::string default_cache_dir() {
  if (::geteuid() == 0) return "/var/cache/cidns/resolverd";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    return std::string(x) + "/cidns/resolverd";
  }
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.cache/cidns/resolverd";
  return fmt::format("/tmp/cidns-{}/resolverd-cache", ::getuid());
}

config read_config(const std::string& path) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
  config c;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!root.is_table()) fail(path, "(top)", "not a table");
  for (const auto& [section, value] : root.as_table()) {
    if (section != "server" && section != "resolver" && section != "cache") {
      fail(path, section, "unknown section (server, resolver or cache)");
    }
    if (!value.is_table()) fail(path, section, "expected a table");
    for (const auto& [k, v] : value.as_table()) {
      if (section == "server") server_key(c, path, k, v);
      if (section == "resolver") resolver_key(c, path, k, v, dir);
      if (section == "cache") cache_key(c, path, k, v, dir);
    }
  }
  return c;
}

}  // namespace cidns::resolverd
