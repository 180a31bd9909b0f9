// Zone loading and background reloads (zone_manager.hpp).
#include "zone_manager.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cidns/dnssec/key_files.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/log.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::authd {

zone_manager::zone_manager(std::vector<zone_config> zones, zone_registry& registry)
    : m_registry(registry) {
  for (auto& z : zones) {
    zone_state st;
    st.cfg = std::move(z);
    m_zones.push_back(std::move(st));
  }
}

zone_manager::~zone_manager() { stop(); }

bool zone_manager::load_all() {
  bool ok = true;
  for (std::size_t i = 0; i < m_zones.size(); ++i) ok = load_one(i, false) && ok;
  return ok;
}

namespace {

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Sets the SOA serial to at least `at_least` (serial arithmetic is not needed:
// the bump is by one from the last served serial).
result<void> raise_serial(zone::contents& z, std::uint32_t at_least) {
  for (auto& r : z.records) {
    if (r.type != record::rtype::soa || r.owner != z.origin) continue;
    auto soa = record::soa::decode(r.data);
    if (!soa) return make_error("the SOA does not decode");
    if (soa->serial >= at_least) return {};
    soa->serial = at_least;
    r.data = soa->encode();
    return {};
  }
  return make_error("no SOA");
}

// A reload frees a whole zone (the one replaced) and the load's temporaries,
// hundreds of MB for a large zone, in pieces spread over the allocator's
// arenas; glibc keeps such free memory mapped, so RSS would grow with every
// reload. Once the replaced snapshot is gone (readers hold it for one query:
// wait for them, bounded), hand free pages back to the kernel.
void release_snapshot(std::shared_ptr<const zone_set> old) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (old.use_count() > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  old.reset();
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

bool zone_manager::load_one(std::size_t index, bool background) {
  std::lock_guard load_lock(m_load_mutex);
  zone_config cfg;
  std::uint32_t previous_serial = 0;
  bool was_loaded = false;
  {
    std::lock_guard lock(m_mutex);
    cfg = m_zones[index].cfg;
    previous_serial = m_zones[index].serial;
    was_loaded = m_zones[index].loaded;
  }
  const auto started = clock::now();
  std::string failure;
  std::shared_ptr<const zone::compiled_zone> compiled;
  zone::load_options options;
  options.read.origin = cfg.name;
  options.compile = true;
  std::vector<dnssec::zone_key> keys;
  for (const auto& file : cfg.keys) {
    auto k = dnssec::load_zone_key(file);
    if (!k) {
      failure = "signing key: " + k.err().message;
      break;
    }
    keys.push_back(std::move(*k));
  }
  dnssec::sign_stats signed_stats;
  if (!keys.empty() && failure.empty()) {
    options.sign = [&](zone::contents& z, const zone::layout& shape) -> result<void> {
      // Online signing bumps the serial past the one in service, so that a
      // re-signed zone is a new version for secondaries and caches.
      if (was_loaded) {
        if (auto r = raise_serial(z, previous_serial + 1); !r) return r;
      }
      dnssec::sign_options so;
      so.keys = keys;
      const std::uint64_t now = unix_now();
      so.inception = now - 3600;  // an hour back, for resolvers with a slow clock
      so.expiration = now + cfg.sig_validity;
      so.jobs = background ? 1 : 0;  // in service: leave the other cores to answering
      auto r = dnssec::sign_zone(z, shape, so);
      if (!r) return std::move(r).err();
      signed_stats = *r;
      return {};
    };
  }
  if (failure.empty()) {
    auto loaded = zone::load(cfg.file, options);
    if (!loaded) {
      failure = loaded.err().message;
    } else {
      for (const auto& d : loaded->diagnostics) {
        std::string line = zone::format_diagnostic(d, loaded->files);
        if (d.level == zone::severity::error) {
          log::error("zone {}: {}", cfg.name.text(), line);
        } else {
          log::warning("zone {}: {}", cfg.name.text(), line);
        }
      }
      if (loaded->errors > 0) {
        failure = fmt::format("{} error(s) in {}", loaded->errors, cfg.file);
      } else {
        compiled = std::move(loaded->compiled);
      }
    }
  }
  std::unique_lock lock(m_mutex);
  zone_state& st = m_zones[index];
  if (!compiled) {
    ++st.failures;
    st.last_error = failure;
    log::error("zone {}: not loaded: {}{}", cfg.name.text(), failure,
               st.loaded ? fmt::format(" (still serving serial {})", st.serial) : "");
    if (!keys.empty() && st.loaded) {
      // Try the re-signing again soon: the signatures in service keep running out.
      st.resign_at = clock::now() + std::chrono::seconds(std::max(1U, cfg.sig_validity / 16));
    }
    lock.unlock();
    release_snapshot(nullptr);  // the failed load's temporaries
    return false;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
  st.serial = compiled->serial();
  st.records = compiled->record_count();
  st.loaded_at = static_cast<std::int64_t>(unix_now());
  st.sig_expiration = compiled->earliest_expiration();
  ++st.loads;
  st.last_error.clear();
  st.loaded = true;
  if (!keys.empty()) {
    // Re-sign when a quarter of the validity is left.
    st.resign_at = started + std::chrono::seconds(cfg.sig_validity - cfg.sig_validity / 4);
    if (background) ++st.resigns;
    log::info(
        "zone {}: signed {} names with {} key(s): {} signatures, {} NSEC, valid {}s; "
        "re-signing in {}s",
        cfg.name.text(), signed_stats.names, keys.size(), signed_stats.signatures,
        signed_stats.nsec, cfg.sig_validity, cfg.sig_validity - cfg.sig_validity / 4);
  } else {
    st.resign_at = clock::time_point::max();
  }
  log::info("zone {}: loaded serial {}, {} records, {} names{} in {} ms", cfg.name.text(),
            st.serial, st.records, compiled->name_count(), compiled->is_signed() ? ", signed" : "",
            ms);
  auto replaced = m_registry.load();
  m_registry.publish(std::move(compiled));
  lock.unlock();
  release_snapshot(std::move(replaced));
  return true;
}

std::pair<std::size_t, zone_manager::clock::time_point> zone_manager::next_resign() const {
  std::pair<std::size_t, clock::time_point> best{0, clock::time_point::max()};
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    if (m_zones[i].resign_at < best.second) best = {i, m_zones[i].resign_at};
  }
  return best;
}

void zone_manager::start() {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable()) return;
  m_stopping = false;
  m_thread = std::thread([this] { run(); });
}

void zone_manager::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool zone_manager::request_reload(std::string_view zone) {
  std::vector<std::size_t> picked;
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    const auto& n = m_zones[i].cfg.name;
    if (zone.empty() || n.text() == zone || n.text_no_dot() == zone) picked.push_back(i);
  }
  if (picked.empty()) return false;
  for (auto i : picked) {
    if (std::find(m_queue.begin(), m_queue.end(), i) == m_queue.end()) m_queue.push_back(i);
  }
  m_wake.notify_all();
  return true;
}

void zone_manager::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return (m_queue.empty() && !m_busy) || m_stopping; });
}

void zone_manager::run() {
  std::unique_lock lock(m_mutex);
  while (true) {
    auto [due, when] = next_resign();
    auto ready = [this] { return m_stopping || !m_queue.empty(); };
    if (when == clock::time_point::max()) {
      m_wake.wait(lock, ready);
    } else {
      m_wake.wait_until(lock, when, ready);
    }
    if (m_stopping) break;
    std::size_t i = due;
    if (!m_queue.empty()) {
      i = m_queue.front();
      m_queue.pop_front();
    } else if (clock::now() < when) {
      continue;  // woken early
    } else {
      log::info("zone {}: re-signing (a quarter of the validity is left)",
                m_zones[i].cfg.name.text());
      m_zones[i].resign_at = clock::time_point::max();
    }
    m_busy = true;
    lock.unlock();
    load_one(i, true);
    lock.lock();
    m_busy = false;
    if (m_queue.empty()) m_idle.notify_all();
  }
  m_idle.notify_all();
}

nlohmann::json zone_manager::status() const {
  std::lock_guard lock(m_mutex);
  auto out = nlohmann::json::array();
  for (const auto& z : m_zones) {
    out.push_back({{"name", z.cfg.name.text()},
                   {"file", z.cfg.file},
                   {"loaded", z.loaded},
                   {"serial", z.serial},
                   {"records", z.records},
                   {"loaded_at", z.loaded_at},
                   {"loads", z.loads},
                   {"failures", z.failures},
                   {"last_error", z.last_error},
                   {"signed_online", !z.cfg.keys.empty()},
                   {"sig_expiration", z.sig_expiration},
                   {"resigns", z.resigns}});
  }
  return out;
}

std::uint64_t zone_manager::reloads() const {
  std::lock_guard lock(m_mutex);
  std::uint64_t n = 0;
  for (const auto& z : m_zones) n += z.loads;
  return n;
}

std::uint64_t zone_manager::reload_failures() const {
  std::lock_guard lock(m_mutex);
  std::uint64_t n = 0;
  for (const auto& z : m_zones) n += z.failures;
  return n;
}

}  // namespace cidns::authd
