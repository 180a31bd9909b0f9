// Reading the stub's resolver configuration: CIDNS_RESOLVER and resolv.conf.
#include "cidns/stub/config.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace cidns::stub {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// parse_endpoint's errors start with the text itself; say it once, quoted.
result<net::endpoint> parse_server(std::string_view text) {
  auto ep = net::parse_endpoint(text);
  if (ep) return ep;
  std::string why = ep.err().message;
  const std::string prefix = fmt::format("{}: ", text);
  if (why.starts_with(prefix)) why.erase(0, prefix.size());
  return make_error(fmt::format("'{}': invalid address ({})", text, why));
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

result<int> parse_int(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty()) return make_error("not a number");
  return value;
}

// "2s", "500ms", "1m", or bare seconds "2".
result<std::chrono::milliseconds> parse_timeout(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto n = parse_int(text.substr(0, digits));
  const std::string_view unit = text.substr(digits);
  if (!n) return make_error(fmt::format("invalid timeout '{}' (expected e.g. 2s or 500ms)", text));
  std::chrono::milliseconds ms{};
  if (unit.empty() || unit == "s") {
    ms = std::chrono::seconds(*n);
  } else if (unit == "ms") {
    ms = std::chrono::milliseconds(*n);
  } else if (unit == "m") {
    ms = std::chrono::minutes(*n);
  } else {
    return make_error(fmt::format("invalid timeout '{}' (expected e.g. 2s or 500ms)", text));
  }
  if (ms.count() < 1 || ms > max_timeout)
    return make_error(fmt::format("timeout '{}' out of range (1ms to 60s)", text));
  return ms;
}

// One non-empty, comment-free line of resolv.conf applied to `cfg`.
result<void> apply_line(const std::vector<std::string_view>& w, resolver_config& cfg) {
  const std::string_view key = w[0];
  if (key != "resolver" && key != "timeout" && key != "attempts" && key != "tls")
    return make_error(
        fmt::format("unknown keyword '{}' (expected resolver, timeout, "
                    "attempts or tls)",
                    key));
  if (w.size() != 2) return make_error(fmt::format("'{}' takes exactly one value", key));
  const std::string_view value = w[1];
  if (key == "resolver") {
    auto ep = parse_server(value);
    if (!ep) return std::move(ep).err();
    cfg.servers.push_back(*ep);
  } else if (key == "timeout") {
    auto t = parse_timeout(value);
    if (!t) return std::move(t).err();
    cfg.timeout = *t;
  } else if (key == "attempts") {
    auto n = parse_int(value);
    if (!n || *n < 1 || *n > max_attempts)
      return make_error(
          fmt::format("invalid attempts '{}' (expected 1 to {})", value, max_attempts));
    cfg.attempts = *n;
  } else if (value == "off") {
    cfg.tls = false;
  } else if (value == "on") {
    return make_error("tls on: TLS to resolvers is not supported yet (use 'tls off')");
  } else {
    return make_error(fmt::format("invalid tls '{}' (expected on or off)", value));
  }
  return {};
}

}  // namespace

resolver_config default_config() {
  resolver_config cfg;
  cfg.servers.push_back(net::endpoint{boost::asio::ip::make_address_v4("127.0.0.1")});
  return cfg;
}

result<resolver_config> parse_resolver_env(std::string_view value, resolver_config base) {
  base.servers.clear();
  for (std::size_t start = 0; start <= value.size();) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    const auto item = trim(value.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    auto ep = parse_server(item);
    if (!ep) return make_error(fmt::format("{}: {}", resolver_env, ep.err().message));
    base.servers.push_back(*ep);
  }
  if (base.servers.empty())
    return make_error(fmt::format("{}: '{}': no resolver address", resolver_env, value));
  base.source = std::string(resolver_env);
  return base;
}

result<resolver_config> parse_resolv_conf(std::string_view text, std::string_view path) {
  resolver_config cfg;
  std::size_t line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    const auto words = split_words(trim(line));
    if (words.empty()) continue;
    if (auto ok = apply_line(words, cfg); !ok) {
      return make_error(fmt::format("{}:{}: {}", path, line_no, ok.err().message),
                        static_cast<std::uint32_t>(line_no));
    }
  }
  if (!cfg.servers.empty()) cfg.source = std::string(path);
  return cfg;
}

result<resolver_config> load_config(std::optional<std::string_view> env, const std::string& path) {
  resolver_config cfg;
  std::error_code ec;
  if (!path.empty() && std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_resolv_conf(text.str(), path);
    if (!parsed) return parsed;
    cfg = std::move(*parsed);
  }
  if (env && !trim(*env).empty()) return parse_resolver_env(*env, std::move(cfg));
  if (cfg.servers.empty()) {
    cfg.servers = default_config().servers;
    cfg.source = "default";
  }
  return cfg;
}

result<resolver_config> load_system_config() {
  const char* env = std::getenv(std::string(resolver_env).c_str());
  std::optional<std::string_view> value;
  if (env != nullptr) value = env;
  return load_config(value, std::string(default_config_path));
}

}  // namespace cidns::stub
