// Keeping secondary zones in step with their primaries (secondary.hpp).
#include "secondary.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "cidns/record/changeset.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"
#include "cidns/xfr/reader.hpp"
#include "xfr_client.hpp"

namespace cidns::authd {

namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(util::unix_seconds()); }

// The modification time of `path` as unix seconds; nullopt when it cannot be read.
std::optional<std::int64_t> mtime(const std::string& path) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

const char* kind_name(int kind) {
  switch (static_cast<xfr::transfer_kind>(kind)) {
    case xfr::transfer_kind::up_to_date:
      return "up to date";
    case xfr::transfer_kind::full:
      return "full";
    case xfr::transfer_kind::incremental:
      return "incremental";
  }
  return "?";
}

}  // namespace

secondary_service::secondary_service(zone_manager& zones, const hmac::keyring& keys,
                                     std::vector<peer_rule> rules, std::string state_dir,
                                     secondary_timing timing)
    : m_zones(zones), m_keys(keys), m_state_dir(std::move(state_dir)), m_timing(timing) {
  for (auto& rule : rules) {
    const hmac::key* k = m_keys.find(rule.key);
    if (k == nullptr) {
      log::error("secondary zone {}: key {} is not loaded; the zone is not transferred",
                 rule.zone.text(), rule.key);
      continue;
    }
    zone_state z;
    z.rule = std::move(rule);
    z.key = k;
    m_states.push_back(std::move(z));
  }
}

secondary_service::~secondary_service() { stop(); }

std::optional<record::rr> secondary_service::served_soa(const name::identifier& zone) const {
  auto current = m_zones.current(zone);
  if (!current) return std::nullopt;
  return current->soa_record();
}

void secondary_service::take_soa(zone_state& z, const record::rr& soa) {
  auto s = record::soa::decode(soa.data);
  if (!s) return;
  z.serial = s->serial;
  z.refresh = s->refresh;
  z.retry = s->retry;
  z.expire = s->expire;
}

void secondary_service::start() {
  std::vector<std::pair<name::identifier, std::string>> expired;
  {
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable() || m_stopping) return;
    const std::int64_t now = unix_now();
    for (auto& z : m_states) {
      z.next = clock::now();
      auto soa = served_soa(z.rule.zone);
      if (!soa) continue;  // no copy: a full transfer right away
      take_soa(z, *soa);
      z.last_success = mtime(secondary_copy_path(m_state_dir, z.rule.zone)).value_or(now);
      if (z.expire != 0 && now >= z.last_success + z.expire) {
        z.withdrawn = true;
        expired.emplace_back(
            z.rule.zone,
            fmt::format("its copy (serial {}) expired: last confirmed by {} {} "
                        "s ago, expire is {} s",
                        *z.serial, z.rule.server.to_string(), now - z.last_success, z.expire));
      }
    }
  }
  for (const auto& [zone, why] : expired) m_zones.withdraw(zone, why);
  std::lock_guard lock(m_mutex);
  m_thread = std::thread([this] { run(); });
}

void secondary_service::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_stop_flag = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool secondary_service::worth_refreshing(const zone_state& z, std::uint32_t serial) {
  return serial == 0 || !z.serial || z.withdrawn || record::serial_after(serial, *z.serial);
}

void secondary_service::notified(const name::identifier& zone, std::uint32_t serial) {
  {
    std::lock_guard lock(m_mutex);
    auto it = std::find_if(m_states.begin(), m_states.end(),
                           [&](const zone_state& z) { return z.rule.zone == zone; });
    if (it == m_states.end()) return;
    if (!worth_refreshing(*it, serial)) {
      log::debug("zone {}: notified of serial {}, already at {}", zone.text(), serial, *it->serial);
      return;
    }
    ++it->notify_generation;
    it->notify_serial = serial;
    it->next = std::min(it->next, clock::now());
  }
  m_wake.notify_all();
}

secondary_service::clock::time_point secondary_service::expire_due(
    std::unique_lock<std::mutex>& lock) {
  const std::int64_t now = unix_now();
  auto due = clock::time_point::max();
  std::vector<std::pair<name::identifier, std::string>> expired;
  for (auto& z : m_states) {
    if (z.withdrawn || z.last_success == 0 || z.expire == 0) continue;
    const std::int64_t at = z.last_success + z.expire;
    if (now < at) {
      due = std::min(due, clock::now() + std::chrono::seconds(at - now));
      continue;
    }
    z.withdrawn = true;
    expired.emplace_back(
        z.rule.zone,
        fmt::format("expired: no successful refresh from {} for {} s (expire {} s); last error: {}",
                    z.rule.server.to_string(), now - z.last_success, z.expire,
                    z.last_error.empty() ? "none" : z.last_error));
  }
  if (!expired.empty()) {
    lock.unlock();
    for (const auto& [zone, why] : expired) m_zones.withdraw(zone, why);
    lock.lock();
  }
  return due;
}

void secondary_service::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    const auto expiry = expire_due(lock);
    if (m_stopping) break;
    std::optional<std::size_t> pick;
    for (std::size_t i = 0; i < m_states.size(); ++i) {
      if (!pick || m_states[i].next < m_states[*pick].next) pick = i;
    }
    const auto wake = pick ? std::min(m_states[*pick].next, expiry) : expiry;
    if (wake > clock::now()) {
      if (wake == clock::time_point::max()) {
        m_wake.wait(lock);
      } else {
        m_wake.wait_until(lock, wake);
      }
      continue;
    }
    if (!pick || m_states[*pick].next > clock::now()) continue;  // an expiry is due
    const zone_state& z = m_states[*pick];
    const peer_rule rule = z.rule;
    const hmac::key& key = *z.key;
    const bool withdrawn = z.withdrawn;
    const std::uint64_t generation = z.notify_generation;
    lock.unlock();
    const outcome o = refresh(rule, key, withdrawn);
    lock.lock();
    record(*pick, o, generation);
  }
}

secondary_service::outcome secondary_service::refresh(const peer_rule& rule, const hmac::key& key,
                                                      bool withdrawn) {
  outcome o;
  auto have = withdrawn ? std::nullopt : served_soa(rule.zone);
  auto f = fetch_transfer(rule.server, rule.zone, have, key, m_timing.read_timeout,
                          m_timing.transfer_limit, &m_stop_flag);
  if (!f) {
    o.error = f.err().message;
    return o;
  }
  o.bytes = f->bytes;
  o.kind = static_cast<int>(f->transfer->kind());
  auto applied = m_zones.apply_transfer(rule.zone, *f->transfer);
  if (!applied && f->transfer->kind() == xfr::transfer_kind::incremental && !m_stop_flag) {
    // Our copy and the primary's history disagree: start over with the whole zone, once.
    log::warning("zone {}: incremental transfer from {} not applied ({}); trying a full one",
                 rule.zone.text(), rule.server.to_string(), applied.err().message);
    f = fetch_transfer(rule.server, rule.zone, std::nullopt, key, m_timing.read_timeout,
                       m_timing.transfer_limit, &m_stop_flag);
    if (!f) {
      o.error = f.err().message;
      return o;
    }
    o.bytes += f->bytes;
    o.kind = static_cast<int>(f->transfer->kind());
    applied = m_zones.apply_transfer(rule.zone, *f->transfer);
  }
  if (!applied) {
    o.error = fmt::format("{} transfer from {} not applied: {}", kind_name(o.kind),
                          rule.server.to_string(), applied.err().message);
    return o;
  }
  o.ok = true;
  o.soa = served_soa(rule.zone);
  return o;
}

void secondary_service::record(std::size_t i, const outcome& o, std::uint64_t generation) {
  zone_state& z = m_states[i];
  const auto now = clock::now();
  z.bytes += o.bytes;
  if (o.ok) {
    switch (static_cast<xfr::transfer_kind>(o.kind)) {
      case xfr::transfer_kind::up_to_date:
        ++z.up_to_date;
        break;
      case xfr::transfer_kind::full:
        ++z.full;
        break;
      case xfr::transfer_kind::incremental:
        ++z.incremental;
        break;
    }
    if (o.soa) take_soa(z, *o.soa);
    z.last_success = unix_now();
    z.last_error.clear();
    z.withdrawn = false;
    z.backoff = std::chrono::milliseconds(0);
    // So that a restart knows when the copy was last confirmed.
    std::error_code ec;
    std::filesystem::last_write_time(secondary_copy_path(m_state_dir, z.rule.zone),
                                     std::filesystem::file_time_type::clock::now(), ec);
    z.next = now + std::chrono::seconds(std::max<std::uint32_t>(z.refresh, 1));
    log::debug("zone {}: refreshed from {} ({}), serial {}", z.rule.zone.text(),
               z.rule.server.to_string(), kind_name(o.kind), z.serial.value_or(0));
  } else if (m_stop_flag) {
    return;  // interrupted by stop(): not a failure of the primary
  } else {
    ++z.failed;
    z.last_error = o.error;
    std::chrono::milliseconds delay;
    if (!z.serial) {
      z.backoff = z.backoff.count() == 0 ? m_timing.first_retry
                                         : std::min(z.backoff * 2, m_timing.max_first_retry);
      delay = z.backoff;
    } else {
      delay = std::chrono::seconds(std::max<std::uint32_t>(z.retry, 1));
    }
    z.next = now + delay;
    log::warning("zone {}: refresh failed: {}; next try in {:.1f} s", z.rule.zone.text(), o.error,
                 std::chrono::duration<double>(delay).count());
  }
  if (generation != z.notify_generation && worth_refreshing(z, z.notify_serial)) {
    z.next = now;  // a NOTIFY of a newer version came during the transfer
  }
}

nlohmann::json secondary_service::status() const {
  std::lock_guard lock(m_mutex);
  const std::int64_t now = unix_now();
  const auto steady = clock::now();
  auto out = nlohmann::json::array();
  for (const auto& z : m_states) {
    const char* state = z.withdrawn             ? "expired"
                        : !z.serial             ? "waiting for first transfer"
                        : !z.last_error.empty() ? "retrying"
                                                : "ok";
    const auto in = std::chrono::duration_cast<std::chrono::seconds>(z.next - steady).count();
    nlohmann::json j{{"zone", z.rule.zone.text()},
                     {"primary", z.rule.server.to_string()},
                     {"key", z.rule.key},
                     {"state", state},
                     {"last_error", z.last_error},
                     {"next_refresh", now + std::max<std::int64_t>(in, 0)},
                     {"transfers",
                      {{"full", z.full},
                       {"incremental", z.incremental},
                       {"up_to_date", z.up_to_date},
                       {"failed", z.failed}}},
                     {"bytes", z.bytes}};
    j["serial"] = z.serial ? nlohmann::json(*z.serial) : nlohmann::json(nullptr);
    j["last_success"] = z.last_success ? nlohmann::json(z.last_success) : nlohmann::json(nullptr);
    j["expires_at"] = z.last_success && z.expire ? nlohmann::json(z.last_success + z.expire)
                                                 : nlohmann::json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace cidns::authd
