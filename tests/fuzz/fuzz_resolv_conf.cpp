// libFuzzer target: the stub's resolver configuration parsers (cidns/stub/config.hpp),
// parse_resolv_conf (the text of /etc/cidns/resolv.conf) and parse_resolver_env (the value of
// CIDNS_RESOLVER). Both read what a user or a broken file gives them: errors are values, and
// what parses is sane: servers print as ADDR:PORT text that parses back to the same endpoint,
// the timeout and attempts are within their documented bounds, and an error names the path
// and a line that exists.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/net/endpoint.hpp"
#include "cidns/stub/config.hpp"

using namespace cidns;

namespace {

constexpr std::string_view path = "/fuzz/resolv.conf";

void check(bool ok) {
  if (!ok) std::abort();
}

void check_config(const stub::resolver_config& c) {
  check(c.timeout.count() >= 1 && c.timeout <= stub::max_timeout);
  check(c.attempts >= 1 && c.attempts <= stub::max_attempts);
  check(!c.tls);
  for (const auto& ep : c.servers) {
    auto back = net::parse_endpoint(ep.to_string());
    check(back.ok() && *back == ep);
  }
}

std::size_t line_count(std::string_view text) {
  std::size_t n = 1;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

void conf(std::string_view text) {
  auto c = stub::parse_resolv_conf(text, path);
  if (!c) {
    // "PATH:LINE: message", LINE a line of the text.
    const auto& msg = c.err().message;
    const std::string prefix = std::string(path) + ":";
    check(msg.starts_with(prefix));
    std::size_t line = 0;
    const char* first = msg.data() + prefix.size();
    auto [end, ec] = std::from_chars(first, msg.data() + msg.size(), line);
    check(ec == std::errc{} && end != first && *end == ':');
    check(line >= 1 && line <= line_count(text));
    return;
  }
  check_config(*c);
  check(c->source == (c->servers.empty() ? "default" : std::string(path)));
}

void env(std::string_view value) {
  auto c = stub::parse_resolver_env(value, stub::default_config());
  if (!c) {
    check(c.err().message.starts_with(stub::resolver_env));
    return;
  }
  check(!c->servers.empty());
  check(c->source == stub::resolver_env);
  check_config(*c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(bytes), size);
  conf(in);
  env(in);
  return 0;
}
