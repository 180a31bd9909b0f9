// cidns-resolverd: the caching, validating resolver (docs/cidns-resolverd.md).
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cidns/net/daemon_channels.hpp"
#include "cidns/net/server.hpp"
#include "cidns/net/signals.hpp"
#include "cidns/resolve/lmdb_cache.hpp"
#include "cidns/resolve/validator.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/util/log.hpp"
#include "cidns/util/version.hpp"
#include "config.hpp"
#include "report.hpp"
#include "service.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // a socket could not be bound, the cache could not be made
constexpr int exit_usage = 2;    // bad flags or configuration

struct options {
  std::string config_file;
  std::vector<std::string> listen, roots, allow;
  std::string root_hints, trust_anchor, cache_dir, cache_size, control, metrics;
  int threads = -1;
  int discover_parallel = 0, discover_zones = 0, discover_deadline = 0;
  bool no_cookies = false;
};

cidns::net::endpoint flag_endpoint(std::string_view flag, const std::string& text) {
  auto ep = cidns::net::parse_endpoint(text);
  if (!ep) throw std::runtime_error(fmt::format("{} {}", flag, ep.err().message));
  if (ep->port == 0) throw std::runtime_error(fmt::format("{} {}: port 0", flag, text));
  return *ep;
}

cidns::resolverd::config build_config(const options& o) {
  using namespace cidns;
  resolverd::config c;
  if (!o.config_file.empty()) c = resolverd::read_config(o.config_file);
  if (!o.listen.empty()) {
    c.listen.clear();
    for (const auto& l : o.listen) c.listen.push_back(flag_endpoint("--listen", l));
  }
  if (!o.roots.empty()) {
    c.roots.clear();
    for (const auto& r : o.roots) c.roots.push_back(flag_endpoint("--root", r));
  }
  if (!o.root_hints.empty()) c.root_hints = o.root_hints;
  if (!o.trust_anchor.empty()) c.trust_anchor = o.trust_anchor;
  if (!o.cache_dir.empty()) c.cache_dir = o.cache_dir;
  if (!o.cache_size.empty()) c.cache_size = resolverd::parse_size("--cache-size", o.cache_size);
  if (!o.allow.empty()) {
    c.allow.clear();
    for (const auto& a : o.allow) {
      if (auto r = c.allow.add(a); !r) throw std::runtime_error("--allow " + r.err().message);
    }
  }
  if (o.threads >= 0) c.threads = static_cast<unsigned>(o.threads);
  if (o.no_cookies) c.cookies = false;
  if (o.discover_parallel > 0) c.discover_parallel = static_cast<unsigned>(o.discover_parallel);
  if (o.discover_zones > 0) c.discover_zones = static_cast<unsigned>(o.discover_zones);
  if (o.discover_deadline > 0) c.discover_deadline = std::chrono::milliseconds(o.discover_deadline);
  if (!o.control.empty()) c.control = o.control;
  if (!o.metrics.empty()) {
    auto ep = net::parse_endpoint_with_port(o.metrics);
    if (!ep) throw std::runtime_error("--metrics " + ep.err().message);
    c.metrics = *ep;
  }
  if (c.listen.empty()) c.listen.push_back(*net::parse_endpoint("127.0.0.1"));
  if (c.roots.empty() && !c.root_hints.empty()) c.roots = resolverd::read_root_hints(c.root_hints);
  if (c.roots.empty()) {
    throw std::runtime_error("no root servers: give --root ADDR[:PORT] or --root-hints FILE");
  }
  if (c.cache_dir.empty()) c.cache_dir = resolverd::default_cache_dir();
  return c;
}

cidns::resolve::server_address to_server(const cidns::net::endpoint& ep) {
  auto s = cidns::resolve::server_address::parse(ep.to_string());
  if (!s) throw std::runtime_error("bad root address " + ep.to_string());
  return *s;
}

int serve(const cidns::resolverd::config& c) {
  using namespace cidns;
  boost::asio::io_context signal_io{1};
  int signo = 0;
  net::signal_watcher signals(signal_io, {[&](int s) {
                                            signo = s;
                                            signal_io.stop();
                                          },
                                          [] { log::info("SIGHUP: nothing to reload"); }});
  resolve::engine_options eo;
  for (const auto& r : c.roots) eo.root_servers.push_back(to_server(r));
  eo.client_deadline = static_cast<resolve::time_ms>(c.client_deadline.count());
  eo.discovery.max_parallel = c.discover_parallel;
  eo.discovery.max_zones = c.discover_zones;
  eo.discovery.deadline = static_cast<resolve::time_ms>(c.discover_deadline.count());
  if (!c.trust_anchor.empty()) {
    auto ta = resolve::load_trust_anchor(c.trust_anchor);
    if (!ta) {
      log::error("trust anchor: {}", ta.err().message);
      return exit_usage;
    }
    log::info("trust anchor: {} DS record(s) for {} from {}", ta->ds.size(), ta->zone.text(),
              c.trust_anchor);
    eo.anchor = std::move(*ta);
  } else {
    log::warning("no trust anchor (--trust-anchor): answers are NOT validated, and say so");
  }
  std::unique_ptr<resolve::lmdb_cache> cache;
  try {
    resolve::lmdb_cache_options co;
    co.dir = c.cache_dir;
    co.max_size = c.cache_size;
    co.limits.max_ttl = c.max_ttl;
    co.limits.max_negative_ttl = c.max_negative_ttl;
    co.log = [](std::string_view line) { log::info("cache: {}", line); };
    cache = resolve::lmdb_cache::open(co);
  } catch (const std::exception& e) {
    log::error("cache {}: {}", c.cache_dir, e.what());
    return exit_failure;
  }
  // Declared before the service so that it is destroyed after it: the service's per-worker
  // timers and sockets belong to the transport's io_contexts.
  log::info("file descriptors: up to {}", net::raise_fd_limit());
  std::unique_ptr<net::server> transport;
  std::optional<serve::server_cookies> cookies;
  try {
    if (c.cookies) cookies = serve::server_cookies::with_random_secret();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return exit_failure;
  }
  resolverd::service queries(eo, cache.get(), c.allow, cookies ? &*cookies : nullptr);
  net::server_options so;
  so.listen = c.listen;
  so.threads = c.threads;
  try {
    transport = std::make_unique<net::server>(so, queries);
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return exit_failure;
  }
  queries.attach(*transport);
  resolverd::daemon_view view{queries,
                              *cache,
                              transport.get(),
                              std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count(),
                              eo.anchor.has_value(),
                              c.cache_dir};
  net::daemon_channels channels;
  try {
    channels = net::daemon_channels::open(
        "resolverd", c.control,
        [&view](std::string_view line) { return resolverd::handle_control(view, line); }, c.metrics,
        [&view] { return resolverd::metrics_text(view); });
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return exit_failure;
  }
  transport->start();
  std::string where, roots;
  for (const auto& ep : transport->local_endpoints()) where += " " + ep.to_string();
  for (const auto& r : c.roots) roots += " " + r.to_string();
  log::info("resolving on{} (udp+tcp), {} thread(s), roots{}, cache {} ({} MiB), clients {}{}",
            where, transport->thread_count(), roots, c.cache_dir, c.cache_size >> 20,
            c.allow.to_string(), channels.control ? ", control " + channels.control->path() : "");
  // Eviction runs here too (put() also starts it when a write finds the map over its
  // high-water mark), so a resolver that only reads still keeps a shared map in bounds.
  boost::asio::steady_timer evict_timer(signal_io);
  std::function<void()> schedule_evict = [&] {
    evict_timer.expires_after(std::chrono::seconds(5));
    evict_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now =
          static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
      if (auto n = cache->evict_if_needed(now); n > 0) log::info("cache: evicted {} entries", n);
      schedule_evict();
    });
  };
  schedule_evict();
  signal_io.run();  // until SIGINT or SIGTERM
  log::info("signal {}: stopping", signo);
  queries.shutdown();  // on the running workers: cancel upstream work and timers
  transport->request_stop();
  transport->join();
  channels.stop();
  const auto s = queries.engine_stats();
  log::info("stopped after {} client queries ({} from cache, {} upstream queries)",
            s.client_queries, s.cache_answers, s.upstream_queries);
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  cidns::log::program() = "cidns-resolverd";
  options o;
  CLI::App app{"cidns-resolverd: caching, validating resolver for cidns"};
  cidns::add_version_flag(app, "cidns-resolverd", cidns::project_version);
  app.add_option("-c,--config", o.config_file, "TOML configuration file");
  app.add_option("-l,--listen", o.listen,
                 "address to serve clients on, ADDR[:PORT] or [V6]:PORT (repeatable; default "
                 "127.0.0.1:5380)");
  app.add_option("--root", o.roots, "a root server, ADDR[:PORT] (repeatable)");
  app.add_option("--root-hints", o.root_hints,
                 "file of root server addresses (ADDR[:PORT] per line, or ADDR records)");
  app.add_option("--trust-anchor", o.trust_anchor,
                 "DS or KEY records of the root, as `cidns-admin zone ds` prints them; without "
                 "it nothing is validated");
  app.add_option("--cache", o.cache_dir, "cache directory (LMDB; shared by resolvers on a host)");
  app.add_option("--cache-size", o.cache_size, "cache map size, e.g. 256MiB (default), 2GiB");
  app.add_option("--allow", o.allow,
                 "client prefix to answer, e.g. 10.0.0.0/8, ::1, any (repeatable; default "
                 "127.0.0.0/8 and ::1); others get REFUSED");
  app.add_option("-t,--threads", o.threads, "serving threads, 0..1024 (0: one per core)")
      ->check(cidns::whole_number(0, 1024));
  app.add_option("--control", o.control, "control socket path, or \"off\"");
  app.add_option("--metrics", o.metrics,
                 "serve Prometheus metrics on ADDR:PORT (the port is required)");
  app.add_option("--discover-parallel", o.discover_parallel,
                 "DISCOVER: zones asked at once, 1..256 (default 16)")
      ->check(cidns::whole_number(1, 256));
  app.add_option("--discover-zones", o.discover_zones,
                 "DISCOVER: zones asked in all, 1..10000 (default 1000)")
      ->check(cidns::whole_number(1, 10'000));
  app.add_option("--discover-deadline", o.discover_deadline,
                 "DISCOVER: milliseconds before the results so far are answered, 100..60000 "
                 "(default 3000)")
      ->check(cidns::whole_number(100, 60'000));
  app.add_flag("--no-cookies", o.no_cookies, "do not answer client cookies with server cookies");
  cidns::add_log_level_option(app);
  app.footer(
      "Exit status: 0 stopped cleanly, 1 a socket or the cache failed, 2 usage or configuration "
      "error.");
  cidns::set_program_failure_message(app, "cidns-resolverd");
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  cidns::resolverd::config c;
  try {
    c = build_config(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cidns-resolverd: %s\n", e.what());
    return exit_usage;
  }
  return serve(c);
}
