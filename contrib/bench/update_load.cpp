// update-load: sustained signed dynamic UPDATEs against a running server (issue 12), one after
// another over TCP through the stub (stub::send_update), each replacing one resource's STATE,
// with the update-to-visible latency seen by plain UDP queries to --watch servers (the primary
// itself, secondaries). compare-update.sh drives it against cidns-authd beside Knot DNS.
//   update-load --server ADDR:PORT --zone Z --key HMACFILE (--names FILE | --resources N)
//               --updates N [--watch ADDR:PORT]... [--watch-every K] [--json]
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/ip/udp.hpp>
#include <nlohmann/json.hpp>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/data.hpp"
#include "cidns/stub/update.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/wire/message.hpp"

namespace {

using namespace cidns;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto poll_interval = milliseconds(1);
constexpr auto visible_limit = milliseconds(5000);
constexpr std::size_t max_pending = 256;  // samples being watched at once; more are skipped

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Nearest-rank percentile of sorted values; 0 when there are none.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// The names to update: a file (one per line, '#' comments; relative names get the zone
// appended) or gen-zone's scheme r<i>.pool<i/1000>.ZONE for i < resources.
result<std::vector<name::identifier>> load_names(const std::string& file, std::size_t resources,
                                                 const name::identifier& zone) {
  std::vector<name::identifier> names;
  if (file.empty()) {
    names.reserve(resources);
    for (std::size_t i = 0; i < resources; ++i) {
      auto n = name::identifier::parse(fmt::format("r{}.pool{}", i, i / 1000), zone);
      if (!n) return make_error(n.err().message);
      names.push_back(std::move(*n));
    }
    return names;
  }
  std::ifstream in(file);
  if (!in) return make_error(fmt::format("{}: cannot read", file));
  std::string line;
  for (std::size_t no = 1; std::getline(in, line); ++no) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    const auto e = line.find_first_of(" \t\r", b);
    auto n = name::identifier::parse(line.substr(b, e == std::string::npos ? e : e - b), zone);
    if (!n) return make_error(fmt::format("{}:{}: {}", file, no, n.err().message));
    if (!n->is_part_of(zone)) {
      return make_error(fmt::format("{}:{}: {} is not in {}", file, no, n->text(), zone.text()));
    }
    names.push_back(std::move(*n));
  }
  if (names.empty()) return make_error(fmt::format("{}: no names", file));
  return names;
}

// Update i's STATE: free=i%100, score=i%11 and updated=base+i, so every update changes the
// RRset (even when names repeat) and a watcher can tell this value from older ones.
record::rr state_for(const name::identifier& owner, std::size_t i, std::int64_t base) {
  record::state s;
  s.free = static_cast<std::uint32_t>(i % 100);
  s.score = static_cast<std::uint32_t>(i % 11);
  s.updated = base + static_cast<std::int64_t>(i);
  s.source = static_cast<std::uint32_t>(record::source::measured);
  return record::rr{owner, record::rtype::state, 30, s.encode()};
}

// What a watcher learned about one server.
struct watch_result {
  net::endpoint server;
  std::vector<double> latency_ms;  // reply of the update to the first answer showing it
  std::size_t not_visible = 0;     // not seen within visible_limit
  std::size_t skipped = 0;         // not sampled: max_pending samples were already open
};

// Polls --watch servers over UDP, in its own thread so that the update loop never waits for
// it: each sampled update is queried at once, then every poll_interval, at every server until
// its STATE shows the update's value (or a later one of this run) or visible_limit passes.
class visibility_watcher {
 public:
  visibility_watcher(const std::vector<net::endpoint>& servers, std::int64_t base,
                     std::size_t updates)
      : m_base(base), m_updates(updates) {
    for (const auto& s : servers) {
      m_results.push_back({s, {}, 0, 0});
      m_fds.push_back(open_socket(s));
    }
    m_thread = std::thread([this] { run(); });
  }
  visibility_watcher(const visibility_watcher&) = delete;
  visibility_watcher& operator=(const visibility_watcher&) = delete;
  ~visibility_watcher() {
    finish();
    for (int fd : m_fds) ::close(fd);
  }

  // Update `index` (value `index`) was acknowledged at `acked`. Returns once the first queries
  // for it are sent (at most 20 ms), so that they reach a one-threaded server before the next
  // update does, instead of queueing behind it.
  void add(std::uint32_t index, const name::identifier& owner, clock_type::time_point acked) {
    std::unique_lock lock(m_mutex);
    m_incoming.push_back({index, owner, acked, std::vector<bool>(m_fds.size(), false)});
    const std::size_t mine = ++m_added;
    m_wake.notify_one();
    m_sent_cv.wait_for(lock, milliseconds(20), [&] { return m_sent >= mine; });
  }

  // Waits for the open samples (at most visible_limit) and returns the results.
  const std::vector<watch_result>& finish() {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
    return m_results;
  }

 private:
  struct sample {
    std::uint32_t index;
    name::identifier owner;
    clock_type::time_point acked;
    std::vector<bool> seen;  // per server
  };

  static int open_socket(const net::endpoint& server) {
    const boost::asio::ip::udp::endpoint ep(server.address, server.port);
    const int fd = ::socket(ep.protocol().family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
      throw std::runtime_error(fmt::format("--watch {}: cannot open a UDP socket: {}",
                                           server.to_string(), std::strerror(errno)));
    }
    return fd;
  }

  void run() {
    std::vector<sample> open;
    std::size_t taken = 0;  // samples taken from m_incoming so far
    for (;;) {
      {
        std::unique_lock lock(m_mutex);
        if (open.empty() && m_incoming.empty()) {
          m_wake.wait(lock, [&] { return m_stopping || !m_incoming.empty(); });
        }
        for (auto& s : m_incoming) {
          if (open.size() < max_pending) {
            open.push_back(std::move(s));
          } else {
            for (auto& r : m_results) ++r.skipped;
          }
        }
        taken += m_incoming.size();
        m_incoming.clear();
        if (open.empty() && m_stopping) return;
      }
      query_round(open);
      {
        std::lock_guard lock(m_mutex);
        m_sent = taken;
      }
      m_sent_cv.notify_one();
      receive_until(open, clock_type::now() + poll_interval);
      expire(open);
    }
  }

  void query_round(const std::vector<sample>& open) {
    for (std::size_t w = 0; w < m_fds.size(); ++w) {
      for (const auto& s : open) {
        if (s.seen[w]) continue;
        wire::message q;
        q.id = s.index;
        q.question = wire::question{s.owner, record::rtype::state};
        const std::string bytes = wire::encode(q);
        (void)::send(m_fds[w], bytes.data(), bytes.size(), 0);  // a lost query is asked again
      }
    }
  }

  // Reads replies until `until`, marking the samples they show visible.
  void receive_until(std::vector<sample>& open, clock_type::time_point until) {
    std::vector<pollfd> pfds;
    for (int fd : m_fds) pfds.push_back({fd, POLLIN, 0});
    char buf[65536];
    for (auto now = clock_type::now(); now < until && !all_seen(open); now = clock_type::now()) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now).count();
      const timespec ts{0, static_cast<long>(left)};  // under poll_interval: less than 1 s
      if (::ppoll(pfds.data(), pfds.size(), &ts, nullptr) <= 0) break;
      for (std::size_t w = 0; w < pfds.size(); ++w) {
        if ((pfds[w].revents & POLLIN) == 0) continue;
        for (ssize_t n; (n = ::recv(m_fds[w], buf, sizeof buf, 0)) > 0;) {
          on_reply(open, w, std::string_view(buf, static_cast<std::size_t>(n)));
        }
      }
    }
  }

  void on_reply(std::vector<sample>& open, std::size_t w, std::string_view bytes) {
    const auto at = clock_type::now();
    auto m = wire::decode(bytes);
    if (!m) return;
    auto it = std::find_if(open.begin(), open.end(),
                           [&](const sample& s) { return s.index == m->id && !s.seen[w]; });
    if (it == open.end() || !shows(*m, *it)) return;
    it->seen[w] = true;
    m_results[w].latency_ms.push_back(ms_between(it->acked, at));
  }

  // The answer holds a STATE of the sample's owner whose `updated` is the sample's or a later
  // one of this run (a name updated again meanwhile still proves the first update arrived).
  bool shows(const wire::message& m, const sample& s) const {
    const std::int64_t want = m_base + s.index;
    const std::int64_t run_end = m_base + static_cast<std::int64_t>(m_updates);
    for (const auto& r : m.answer) {
      if (r.type != record::rtype::state || r.owner != s.owner) continue;
      auto st = record::state::decode(r.data);
      if (st && st->updated && *st->updated >= want && *st->updated < run_end) return true;
    }
    return false;
  }

  static bool all_seen(const std::vector<sample>& open) {
    return std::all_of(open.begin(), open.end(), [](const sample& s) {
      return std::all_of(s.seen.begin(), s.seen.end(), [](bool b) { return b; });
    });
  }

  void expire(std::vector<sample>& open) {
    const auto now = clock_type::now();
    std::erase_if(open, [&](const sample& s) {
      const bool done = std::all_of(s.seen.begin(), s.seen.end(), [](bool b) { return b; });
      if (done) return true;
      if (now - s.acked < visible_limit) return false;
      for (std::size_t w = 0; w < s.seen.size(); ++w) m_results[w].not_visible += !s.seen[w];
      return true;
    });
  }

  std::int64_t m_base;
  std::size_t m_updates;
  std::vector<watch_result> m_results;
  std::vector<int> m_fds;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_sent_cv;
  std::vector<sample> m_incoming;
  std::size_t m_added = 0;  // samples given to add()
  std::size_t m_sent = 0;   // of those, how many had their first queries sent
  bool m_stopping = false;
  std::thread m_thread;
};

struct options {
  std::string server, zone, key_file, names_file;
  std::size_t resources = 0, updates = 100, watch_every = 1;
  std::vector<std::string> watch;
  unsigned timeout_ms = 60000;
  bool json = false;
};

struct run_result {
  std::size_t ok = 0, failed = 0;
  std::string first_error;
  double seconds = 0;
  std::vector<double> rtt_ms;
  std::optional<std::uint32_t> first_serial, last_serial;
};

run_result run_updates(const options& o, const net::endpoint& server, const hmac::key& key,
                       const name::identifier& zone, const std::vector<name::identifier>& names,
                       std::int64_t base, visibility_watcher* watcher) {
  run_result r;
  r.rtt_ms.reserve(o.updates);
  const auto start = clock_type::now();
  for (std::size_t i = 0; i < o.updates; ++i) {
    const auto& owner = names[i % names.size()];
    auto m = stub::replace_rrset(zone, state_for(owner, i, base));
    const auto t0 = clock_type::now();
    auto out = stub::send_update(server, std::move(m), key, milliseconds(o.timeout_ms));
    const auto t1 = clock_type::now();
    r.rtt_ms.push_back(ms_between(t0, t1));
    std::string why;
    if (!out) {
      why = out.err().message;
    } else if (out->rcode != wire::rcode::noerror) {
      why = fmt::format("{}{}", wire::rcode_name(out->rcode),
                        out->error.empty() ? "" : ": " + out->error);
    }
    if (!why.empty()) {
      if (r.failed++ == 0) r.first_error = fmt::format("update {} ({}): {}", i, owner.text(), why);
      continue;
    }
    ++r.ok;
    if (!r.first_serial) r.first_serial = out->serial;
    r.last_serial = out->serial;
    if (watcher && i % o.watch_every == 0) watcher->add(static_cast<std::uint32_t>(i), owner, t1);
  }
  r.seconds = ms_between(start, clock_type::now()) / 1000;
  std::sort(r.rtt_ms.begin(), r.rtt_ms.end());
  return r;
}

nlohmann::json to_json(const options& o, const run_result& r,
                       const std::vector<watch_result>& watches) {
  nlohmann::json j{{"server", o.server},
                   {"zone", o.zone},
                   {"updates", o.updates},
                   {"ok", r.ok},
                   {"failed", r.failed},
                   {"seconds", r.seconds},
                   {"updates_per_s", r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0},
                   {"rtt_ms",
                    {{"p50", percentile(r.rtt_ms, 0.5)},
                     {"p99", percentile(r.rtt_ms, 0.99)},
                     {"max", r.rtt_ms.empty() ? 0 : r.rtt_ms.back()}}},
                   {"watch", nlohmann::json::array()}};
  if (r.first_serial) j["first_serial"] = *r.first_serial;
  if (r.last_serial) j["last_serial"] = *r.last_serial;
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  for (const auto& w : watches) {
    j["watch"].push_back({{"server", w.server.to_string()},
                          {"every", o.watch_every},
                          {"visible", w.latency_ms.size()},
                          {"not_visible", w.not_visible},
                          {"skipped", w.skipped},
                          {"p50_ms", percentile(w.latency_ms, 0.5)},
                          {"p99_ms", percentile(w.latency_ms, 0.99)}});
  }
  return j;
}

void print_text(const options& o, const run_result& r, const std::vector<watch_result>& watches) {
  fmt::print("update-load: {} updates of {} at {}: {} ok, {} failed in {:.3f} s\n", o.updates,
             o.zone, o.server, r.ok, r.failed, r.seconds);
  fmt::print("  {:.2f} updates/s; round trip p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms\n",
             r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0.0, percentile(r.rtt_ms, 0.5),
             percentile(r.rtt_ms, 0.99), r.rtt_ms.empty() ? 0.0 : r.rtt_ms.back());
  if (r.first_serial && r.last_serial) {
    fmt::print("  serial {} to {}\n", *r.first_serial, *r.last_serial);
  }
  if (!r.first_error.empty()) fmt::print("  first failure: {}\n", r.first_error);
  for (const auto& w : watches) {
    fmt::print(
        "  visible at {} (every {}. update): {} seen, p50 {:.3f} ms, p99 {:.3f} ms; "
        "{} not visible within 5 s, {} skipped\n",
        w.server.to_string(), o.watch_every, w.latency_ms.size(), percentile(w.latency_ms, 0.5),
        percentile(w.latency_ms, 0.99), w.not_visible, w.skipped);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  options o;
  CLI::App app{
      "update-load: sends signed UPDATEs one after another over TCP, each replacing one "
      "resource's STATE (free=i%100 score=i%11 updated=T0+i source=measured, TTL 30), each "
      "waiting for its signed reply; reports updates/s and the round trip p50/p99. With "
      "--watch, polls each such server over UDP (a plain STATE query, every 1 ms, from a "
      "thread of its own so the update loop does not wait) until it shows the new value: "
      "update-to-visible p50/p99, from the update's reply; not seen within 5 s counts as not "
      "visible. Polling costs CPU beside the server: --watch-every K samples every K-th update "
      "only (at most 256 samples open at once, more are skipped). Exit 0 when every update "
      "was applied, 1 when one failed, 2 on usage errors."};
  app.add_option("--server", o.server, "the primary, ADDR[:PORT]")->required();
  app.add_option("--zone", o.zone, "the zone")->required();
  app.add_option("--key", o.key_file, "HMAC key file (cidns-admin keygen --hmac)")->required();
  auto* names_opt =
      app.add_option("--names", o.names_file, "names to update, one a line (round robin)");
  app.add_option("--resources", o.resources,
                 "instead of --names: gen-zone's names r<i>.pool<i/1000>.ZONE, i < N")
      ->excludes(names_opt)
      ->check(CLI::PositiveNumber);
  app.add_option("--updates", o.updates, "updates to send (default 100)")
      ->check(CLI::PositiveNumber);
  app.add_option("--watch", o.watch, "a server to poll for visibility, ADDR[:PORT]; repeatable");
  app.add_option("--watch-every", o.watch_every, "sample every K-th update (default 1: all)")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", o.timeout_ms, "ms each update may take (default 60000)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", o.json, "the summary as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (o.names_file.empty() && o.resources == 0) {
    std::fprintf(stderr, "update-load: give --names FILE or --resources N\n");
    return 2;
  }
  auto server = net::parse_endpoint(o.server);
  auto zone = name::identifier::parse(o.zone);
  auto key = hmac::read_key_file(o.key_file);
  std::vector<net::endpoint> watch;
  for (const auto& w : o.watch) {
    auto e = net::parse_endpoint(w);
    if (!e) return std::fprintf(stderr, "update-load: --watch %s\n", e.err().message.c_str()), 2;
    watch.push_back(*e);
  }
  if (!server || !zone || !key) {
    const auto& e = !server ? server.err() : !zone ? zone.err() : key.err();
    std::fprintf(stderr, "update-load: %s\n", e.message.c_str());
    return 2;
  }
  auto names = load_names(o.names_file, o.resources, *zone);
  if (!names) return std::fprintf(stderr, "update-load: %s\n", names.err().message.c_str()), 2;

  const auto base = static_cast<std::int64_t>(util::unix_seconds());
  std::optional<visibility_watcher> watcher;
  if (!watch.empty()) watcher.emplace(watch, base, o.updates);
  const auto r = run_updates(o, *server, *key, *zone, *names, base, watcher ? &*watcher : nullptr);
  std::vector<watch_result> watches = watcher ? watcher->finish() : std::vector<watch_result>{};
  for (auto& w : watches) std::sort(w.latency_ms.begin(), w.latency_ms.end());
  if (o.json) {
    fmt::print("{}\n", to_json(o, r, watches).dump());
  } else {
    print_text(o, r, watches);
  }
  return r.failed == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "update-load: %s\n", e.what());
  return 2;
}
