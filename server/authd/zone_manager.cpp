// Zone loading and background reloads (zone_manager.hpp).
#include "zone_manager.hpp"

#include <algorithm>
#include <chrono>

#include "cidns/util/log.hpp"
#include "cidns/zone/checker.hpp"
#include "cidns/zone/reader.hpp"

namespace cidns::authd {

zone_manager::zone_manager(std::vector<zone_config> zones, zone_registry& registry)
    : m_registry(registry) {
  for (auto& z : zones) m_zones.push_back(zone_state{std::move(z), 0, 0, 0, 0, 0, {}, false});
}

zone_manager::~zone_manager() { stop(); }

bool zone_manager::load_all() {
  bool ok = true;
  for (std::size_t i = 0; i < m_zones.size(); ++i) ok = load_one(i) && ok;
  return ok;
}

bool zone_manager::load_one(std::size_t index) {
  std::lock_guard load_lock(m_load_mutex);
  zone_config cfg;
  {
    std::lock_guard lock(m_mutex);
    cfg = m_zones[index].cfg;
  }
  const auto started = std::chrono::steady_clock::now();
  std::string failure;
  std::shared_ptr<const zone_index> compiled;
  zone::reader_options options;
  options.origin = cfg.name;
  auto read = zone::read_file(cfg.file, options);
  if (!read) {
    failure = read.err().message;
  } else {
    auto& loaded = *read;
    if (loaded.ok()) {
      auto summary = zone::check(loaded.zone, loaded.diagnostics);
      loaded.errors += summary.errors;
      loaded.warnings += summary.warnings;
    }
    for (const auto& d : loaded.diagnostics) {
      std::string line = zone::format_diagnostic(d, loaded.zone.files);
      if (d.level == zone::severity::error) {
        log::error("zone {}: {}", cfg.name.text(), line);
      } else {
        log::warning("zone {}: {}", cfg.name.text(), line);
      }
    }
    if (loaded.errors > 0) {
      failure = fmt::format("{} error(s) in {}", loaded.errors, cfg.file);
    } else {
      try {
        compiled = zone_index::compile(std::move(loaded.zone));
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
  }
  std::lock_guard lock(m_mutex);
  zone_state& st = m_zones[index];
  if (!compiled) {
    ++st.failures;
    st.last_error = failure;
    log::error("zone {}: not loaded: {}{}", cfg.name.text(), failure,
               st.loaded ? fmt::format(" (still serving serial {})", st.serial) : "");
    return false;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  st.serial = compiled->serial();
  st.records = compiled->record_count();
  st.loaded_at = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  ++st.loads;
  st.last_error.clear();
  st.loaded = true;
  log::info("zone {}: loaded serial {}, {} records, {} names in {} ms", cfg.name.text(), st.serial,
            st.records, compiled->name_count(), ms);
  m_registry.publish(std::move(compiled));
  return true;
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
    m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_stopping) break;
    std::size_t i = m_queue.front();
    m_queue.pop_front();
    m_busy = true;
    lock.unlock();
    load_one(i);
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
                   {"last_error", z.last_error}});
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
