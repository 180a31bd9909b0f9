// cidns-authd: the authoritative server (docs/cidns-authd.md).
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include "cidns/hmac/key.hpp"
#include "cidns/net/daemon_channels.hpp"
#include "cidns/net/server.hpp"
#include "cidns/net/signals.hpp"
#include "cidns/serve/cookies.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/serve/rrl.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/util/log.hpp"
#include "cidns/util/version.hpp"
#include "config.hpp"
#include "notify_sender.hpp"
#include "notify_service.hpp"
#include "report.hpp"
#include "responder.hpp"
#include "secondary.hpp"
#include "transfer_history.hpp"
#include "transfer_rules.hpp"
#include "update_service.hpp"
#include "xfr_service.hpp"
#include "zone_manager.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // a zone failed to load, a socket could not be bound
constexpr int exit_usage = 2;    // bad flags or configuration

struct options {
  std::string config_file;
  std::vector<std::string> listen;
  std::vector<std::string> zones;
  std::vector<std::string> keys;
  std::string sig_validity;
  std::optional<int> threads;  // unset: as configured
  std::string control;
  std::string metrics;
  std::optional<int> rrl_rate;
  std::optional<int> rrl_slip;
  std::optional<int> udp_max_size;
  bool no_cookies = false;
  std::vector<std::string> hmac_keys;
  std::vector<std::string> allow_update;
  std::string state_dir;
  std::vector<std::string> allow_xfr;
  std::vector<std::string> notify;
  std::vector<std::string> secondary;
};

// Every numeric flag is checked against the bounds of its config key (config.hpp).
void add_flags(CLI::App& app, options& o) {
  using namespace cidns;
  add_version_flag(app, "cidns-authd", project_version);
  app.add_option("-c,--config", o.config_file, "TOML configuration file");
  app.add_option("-l,--listen", o.listen,
                 "address to serve UDP and TCP on, ADDR[:PORT] or [V6]:PORT (repeatable; "
                 "default 127.0.0.1:5380)");
  app.add_option("-z,--zone", o.zones, "zone to serve, NAME=FILE (repeatable)");
  app.add_option("-k,--key", o.keys,
                 "private key to sign the --zone with on load and re-sign before expiry: FILE "
                 "(one --zone) or ZONE=FILE (repeatable)");
  app.add_option("--sig-validity", o.sig_validity,
                 "how long signatures made online are valid, e.g. 30d (default), 12h, 60s; "
                 "re-signed when a quarter is left");
  app.add_option("-t,--threads", o.threads, "serving threads, 0..1024 (0: one per core)")
      ->check(cidns::whole_number(0, authd::max_threads));
  app.add_option("--control", o.control, "control socket path, or \"off\"");
  app.add_option("--metrics", o.metrics,
                 "serve Prometheus metrics on ADDR:PORT (the port is required)");
  app.add_option("--rrl-rate", o.rrl_rate,
                 "UDP responses per second per client prefix (/24, /56), 0..10000; 0: off "
                 "(default)")
      ->check(cidns::whole_number(0, static_cast<int>(serve::rate_limiter::max_rate)));
  app.add_option("--rrl-slip", o.rrl_slip,
                 "send every N-th rate-limited reply truncated, drop the rest, 0..100 (default "
                 "2; 0: drop all, 1: truncate all)")
      ->check(cidns::whole_number(0, authd::max_rrl_slip));
  app.add_option("--udp-max-size", o.udp_max_size,
                 "largest UDP reply in bytes, whatever a query's max_size asks: 512..65507 "
                 "(default 1232); larger answers are truncated with TC")
      ->check(cidns::whole_number(static_cast<int>(authd::min_udp_max_size),
                                  static_cast<int>(authd::max_udp_max_size)));
  app.add_flag("--no-cookies", o.no_cookies, "do not answer client cookies with server cookies");
  app.add_option("--hmac-key", o.hmac_keys,
                 "shared key file (cidns-admin keygen --hmac) that UPDATE messages may be signed "
                 "with (repeatable)");
  app.add_option("--allow-update", o.allow_update,
                 "\"ZONE KEYNAME NAME-PATTERN TYPE [TYPE...]\": the key may change these types at "
                 "NAME (exact) or *.NAME (everything below it) in ZONE (repeatable; no rule, no "
                 "updates)");
  app.add_option("--allow-xfr", o.allow_xfr,
                 "\"ZONE KEYNAME\": requests signed with the key may transfer ZONE (repeatable)");
  app.add_option("--notify", o.notify,
                 "\"ZONE ADDR[:PORT] KEYNAME\": tell that secondary of each new version of ZONE "
                 "(NOTIFY signed with the key; repeatable)");
  app.add_option("--secondary", o.secondary,
                 "\"ZONE ADDR[:PORT] KEYNAME\": serve ZONE as a secondary of that primary, "
                 "transferred with the key (repeatable; the copy is kept in the state directory)");
  app.add_option("--state-dir", o.state_dir,
                 "where the journals and secondary copies live (default /var/lib/cidns as root, "
                 "else $XDG_STATE_HOME/cidns)");
  add_log_level_option(app);
  app.footer(
      "Exit status: 0 stopped cleanly, 1 a zone or socket failed, 2 usage or configuration error.");
}

// The --zone, --key and --sig-validity flags, added to the configured zones.
void add_flag_zones(cidns::authd::config& c, const options& o) {
  using namespace cidns;
  std::vector<authd::zone_config> flag_zones;
  for (const auto& z : o.zones) flag_zones.push_back(authd::parse_zone_arg(z));
  for (const auto& k : o.keys) authd::add_key_arg(flag_zones, k);
  if (!o.sig_validity.empty()) {
    const auto v = authd::parse_validity("--sig-validity", o.sig_validity);
    for (auto& z : flag_zones) z.sig_validity = v;
  }
  for (auto& z : flag_zones) c.zones.push_back(std::move(z));
  // A secondary zone's file is its copy in the state directory.
  for (const auto& r : c.secondary) {
    authd::zone_config z;
    z.name = authd::parse_peer_rule("--secondary", r).zone;
    z.file = authd::secondary_copy_path(c.state_dir, z.name);
    z.secondary = true;
    c.zones.push_back(std::move(z));
  }
  if (c.zones.empty()) {
    throw std::runtime_error(
        "no zones: give --zone NAME=FILE, --secondary or a [[zone]] in --config");
  }
  for (std::size_t i = 0; i < c.zones.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (c.zones[i].name == c.zones[j].name) {
        throw std::runtime_error("zone " + c.zones[i].name.text() + " is configured twice");
      }
    }
  }
}

// The configuration file, then the flags over it. Throws std::runtime_error naming the flag.
cidns::authd::config build_config(const options& o) {
  using namespace cidns;
  authd::config c;
  if (!o.config_file.empty()) c = authd::read_config(o.config_file);
  if (!o.listen.empty()) {
    c.listen.clear();
    for (const auto& l : o.listen) {
      auto ep = net::parse_endpoint(l);
      if (!ep) throw std::runtime_error("--listen " + ep.err().message);
      c.listen.push_back(*ep);
    }
  }
  if (c.listen.empty()) c.listen.push_back(*net::parse_endpoint("127.0.0.1"));
  if (o.threads) c.threads = static_cast<unsigned>(*o.threads);
  if (!o.control.empty()) c.control = o.control;
  if (!o.metrics.empty()) {
    auto ep = net::parse_endpoint_with_port(o.metrics);
    if (!ep) throw std::runtime_error("--metrics " + ep.err().message);
    c.metrics = *ep;
  }
  if (o.rrl_rate) c.rrl_rate = static_cast<std::uint32_t>(*o.rrl_rate);
  if (o.rrl_slip) c.rrl_slip = static_cast<std::uint32_t>(*o.rrl_slip);
  if (o.udp_max_size) c.udp_max_size = static_cast<std::uint32_t>(*o.udp_max_size);
  if (o.no_cookies) c.cookies = false;
  for (const auto& k : o.hmac_keys) c.hmac_keys.push_back(k);
  for (const auto& r : o.allow_update) {
    authd::parse_update_rule(r);  // throws naming the problem
    c.allow_update.push_back(r);
  }
  if (!o.state_dir.empty()) c.state_dir = o.state_dir;
  if (c.state_dir.empty()) c.state_dir = authd::default_state_dir();
  auto add_rules = [](std::vector<std::string>& to, const std::vector<std::string>& from,
                      auto check) {
    for (const auto& r : from) {
      check(r);  // throws naming the problem
      to.push_back(r);
    }
  };
  add_rules(c.allow_xfr, o.allow_xfr, [](const std::string& r) { authd::parse_xfr_rule(r); });
  add_rules(c.notify, o.notify,
            [](const std::string& r) { authd::parse_peer_rule("--notify", r); });
  add_rules(c.secondary, o.secondary,
            [](const std::string& r) { authd::parse_peer_rule("--secondary", r); });
  add_flag_zones(c, o);
  return c;
}

// Server cookies and response-rate limiting as configured. Throws when no
// random secret or seed can be had.
struct defences {
  std::optional<cidns::serve::server_cookies> cookies;
  std::unique_ptr<cidns::serve::rate_limiter> rrl;

  explicit defences(const cidns::authd::config& c) {
    using namespace cidns;
    if (c.cookies) cookies = serve::server_cookies::with_random_secret();
    if (c.rrl_rate > 0) {
      rrl = std::make_unique<serve::rate_limiter>(c.rrl_rate, c.rrl_slip,
                                                  serve::rate_limiter::random_seed());
    }
  }
};

std::unique_ptr<cidns::net::server> open_transport(const cidns::authd::config& c,
                                                   cidns::authd::responder& responder) {
  cidns::net::server_options so;
  so.listen = c.listen;
  so.threads = c.threads;
  so.tcp_idle_timeout = c.tcp_idle_timeout;
  so.tcp_max_connections = c.tcp_max_connections;
  so.udp_batch = c.udp_batch;
  cidns::log::info("file descriptors: up to {}", cidns::net::raise_fd_limit());
  return std::make_unique<cidns::net::server>(so, responder);  // "cannot listen on …"
}

void log_serving(const cidns::authd::config& c, const cidns::net::server& transport,
                 const cidns::net::daemon_channels& channels) {
  std::string where;
  for (const auto& ep : transport.local_endpoints()) where += " " + ep.to_string();
  cidns::log::info("serving {} zone(s) on{} (udp+tcp), {} thread(s){}", c.zones.size(), where,
                   transport.thread_count(),
                   channels.control ? ", control " + channels.control->path() : "");
  cidns::log::info("cookies {}, UDP replies at most {} bytes, response-rate limit {}",
                   c.cookies ? "on" : "off", c.udp_max_size,
                   c.rrl_rate == 0
                       ? std::string("off")
                       : fmt::format("{}/s per prefix, slip {}", c.rrl_rate, c.rrl_slip));
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The shared keys, the UPDATE and transfer rules, and the journals they need (UPDATE's in
// STATE_DIR/journal, the transfer history in STATE_DIR/history).
struct key_services {
  cidns::hmac::keyring keys;
  cidns::authd::update_policy policy;
  std::vector<cidns::authd::xfr_rule> xfr;
  std::vector<cidns::authd::peer_rule> notify, secondary;
  std::optional<cidns::store::journal> journal, history_journal;
  std::optional<cidns::authd::transfer_history> history;

  // Throws std::runtime_error naming the key file, rule or journal problem.
  explicit key_services(const cidns::authd::config& c) {
    using namespace cidns;
    for (const auto& f : c.hmac_keys) {
      auto k = hmac::read_key_file(f);
      if (!k) throw std::runtime_error(k.err().message);
      const std::string name = k->name;
      if (!keys.add(std::move(*k))) throw std::runtime_error("key " + name + " is given twice");
    }
    // A rule's key must be known and its zone served (a primary zone, for UPDATE).
    auto check = [&](const std::string& what, const std::string& text, const name::identifier& zone,
                     const std::string& key, bool primary_only) {
      if (keys.find(key) == nullptr) {
        throw std::runtime_error(fmt::format("{} '{}': no --hmac-key named {}", what, text, key));
      }
      for (const auto& z : c.zones) {
        if (z.name != zone) continue;
        if (primary_only && z.secondary) {
          throw std::runtime_error(
              fmt::format("{} '{}': {} is a secondary zone here", what, text, zone.text()));
        }
        return;
      }
      throw std::runtime_error(fmt::format("{} '{}': zone not served", what, text));
    };
    for (const auto& r : c.allow_update) {
      auto rule = authd::parse_update_rule(r);
      check("update rule", r, rule.zone, rule.key, true);
      policy.add(std::move(rule));
    }
    for (const auto& r : c.allow_xfr) {
      xfr.push_back(authd::parse_xfr_rule(r));
      check("--allow-xfr", r, xfr.back().zone, xfr.back().key, false);
    }
    for (const auto& r : c.notify) {
      notify.push_back(authd::parse_peer_rule("--notify", r));
      check("--notify", r, notify.back().zone, notify.back().key, false);
    }
    for (const auto& r : c.secondary) {
      secondary.push_back(authd::parse_peer_rule("--secondary", r));
      check("--secondary", r, secondary.back().zone, secondary.back().key, false);
      for (const auto& z : c.zones) {
        if (z.name == secondary.back().zone && !z.secondary) {
          throw std::runtime_error("--secondary '" + r + "': the zone is also given as --zone");
        }
      }
    }
    const std::filesystem::path dir(c.state_dir);
    if (!policy.empty()) {
      journal.emplace(store::journal::open(dir / "journal"));
      log::info("dynamic updates: {} rule(s), {} key(s), journal in {}", c.allow_update.size(),
                keys.size(), (dir / "journal").string());
    }
    if (!xfr.empty()) {
      history_journal.emplace(store::journal::open(dir / "history"));
      history.emplace(*history_journal);
      log::info("transfers: {} rule(s), history in {}", xfr.size(), (dir / "history").string());
    }
  }

  bool transfers_of(const cidns::name::identifier& zone) const {
    for (const auto& r : xfr) {
      if (r.zone == zone) return true;
    }
    return false;
  }
};

// What serves beside the queries: UPDATE, transfers out, NOTIFY out and in, secondaries.
struct side_services {
  std::optional<cidns::authd::update_service> updates;
  std::optional<cidns::authd::xfr_service> transfers;
  std::optional<cidns::authd::notify_sender> notifier;
  std::optional<cidns::authd::secondary_service> secondaries;
  std::optional<cidns::authd::notify_service> notifies;
};

// What `cidns-admin server transfers` and the metrics show of them; null without transfers.
std::function<nlohmann::json()> transfer_report(const side_services& side) {
  if (!side.transfers && !side.notifier && !side.secondaries) return {};
  return [&side] {
    nlohmann::json t = nlohmann::json::object();
    if (side.transfers) {
      const auto& c = side.transfers->counters();
      t["served"] = {{"full", c.full.load()},
                     {"incremental", c.incremental.load()},
                     {"up_to_date", c.up_to_date.load()},
                     {"refused", c.refused.load()},
                     {"records", c.records.load()},
                     {"messages", c.messages.load()}};
    }
    if (side.notifier) t["notify"] = side.notifier->status();
    if (side.secondaries) t["secondary"] = side.secondaries->status();
    return t;
  };
}

// Zones loaded: answer until SIGINT or SIGTERM.
int answer(const cidns::authd::config& c, cidns::authd::zone_manager& zones,
           const cidns::authd::zone_registry& registry, boost::asio::io_context& signal_io,
           side_services& side) {
  using namespace cidns;
  serve::query_stats stats;
  // Destroyed in reverse: the channels and the transport before what they call.
  std::unique_ptr<defences> guards;
  std::unique_ptr<authd::responder> responder;
  std::unique_ptr<net::server> transport;
  std::unique_ptr<authd::daemon_view> view;
  net::daemon_channels channels;
  try {
    guards = std::make_unique<defences>(c);
    responder = std::make_unique<authd::responder>(
        registry, stats,
        authd::responder_guards{guards->cookies ? &*guards->cookies : nullptr, guards->rrl.get(),
                                nullptr, c.udp_max_size, side.updates ? &*side.updates : nullptr,
                                side.transfers ? &*side.transfers : nullptr,
                                side.notifies ? &*side.notifies : nullptr});
    transport = open_transport(c, *responder);
    view = std::make_unique<authd::daemon_view>(
        authd::daemon_view{zones, stats, transport.get(), unix_seconds(), transfer_report(side)});
    channels = net::daemon_channels::open(
        "authd", c.control,
        [v = view.get()](std::string_view line) { return authd::handle_control(*v, line); },
        c.metrics, [v = view.get()] { return authd::metrics_text(*v); });
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return exit_failure;
  }
  zones.start();
  transport->start();
  if (side.notifier) side.notifier->start();
  if (side.secondaries) side.secondaries->start();
  log_serving(c, *transport, channels);
  signal_io.run();  // until SIGINT or SIGTERM
  if (side.secondaries) side.secondaries->stop();
  if (side.notifier) side.notifier->stop();
  transport->stop();
  channels.stop();
  zones.stop();
  auto n = transport->stats();
  log::info("stopped after {} udp and {} tcp replies", n.udp_replied, n.tcp_replied);
  return exit_ok;
}

int serve(const cidns::authd::config& c) {
  using namespace cidns;
  authd::zone_registry registry;
  authd::zone_manager zones(c.zones, registry);
  std::unique_ptr<key_services> ks;
  try {
    ks = std::make_unique<key_services>(c);
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return exit_failure;
  }
  side_services side;
  if (!ks->policy.empty()) {
    zones.enable_updates(&ks->policy, &*ks->journal);
    side.updates.emplace(zones, ks->keys);
  }
  if (!ks->xfr.empty()) {
    side.transfers.emplace(registry, ks->keys, ks->xfr, &*ks->history);
  }
  if (!ks->notify.empty()) side.notifier.emplace(ks->keys, ks->notify);
  // Each new version: into the transfer history, and announced to the secondaries.
  zones.on_publish([&ks, &side](const std::shared_ptr<const zone::compiled_zone>& old,
                                const std::shared_ptr<const zone::compiled_zone>& now) {
    if (ks->history && ks->transfers_of(now->origin())) ks->history->record(old, now);
    if (side.notifier) side.notifier->zone_changed(now->origin(), now->soa_record());
  });
  // Catch the signals before anything starts: one that arrives while zones load
  // or sockets open is handled once serving begins, instead of its default
  // action (SIGTERM/SIGHUP would kill the process, which then exits by signal).
  boost::asio::io_context signal_io{1};
  net::signal_watcher signals(signal_io, {[&](int s) {
                                            log::info("signal {}: stopping", s);
                                            signal_io.stop();
                                          },
                                          [&zones] {
                                            log::info("SIGHUP: reloading every zone");
                                            zones.request_reload("");
                                          }});
  if (!zones.load_all()) {
    log::error("not starting: a zone failed to load (errors above)");
    return exit_failure;
  }
  if (!ks->secondary.empty()) {
    side.secondaries.emplace(zones, ks->keys, ks->secondary, c.state_dir);
    side.notifies.emplace(
        ks->keys, ks->secondary,
        [s = &*side.secondaries](const name::identifier& zone, std::uint32_t serial) {
          s->notified(zone, serial);
        });
  }
  return answer(c, zones, registry, signal_io, side);
}

}  // namespace

int main(int argc, char** argv) {
  // Blocks of 1 MiB and more (a zone version's node, name and NSEC arrays, its discovery
  // index) are mapped on their own and unmapped when freed, whatever was freed before:
  // glibc's default raises this threshold after the first such free, and a reload's
  // arrays then land in the heap, between blocks that stay, and are not returned.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  cidns::log::program() = "cidns-authd";
  options o;
  CLI::App app{"cidns-authd: authoritative server for cidns zones"};
  add_flags(app, o);
  cidns::set_program_failure_message(app, "cidns-authd");
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  cidns::authd::config c;
  try {
    c = build_config(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cidns-authd: %s\n", e.what());
    return exit_usage;
  }
  return serve(c);
}
