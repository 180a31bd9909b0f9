// The zone manager's side of zone transfers (zone_manager.hpp, "Zone transfers"): a secondary
// zone's new version from a transfer, its copy on disk, and withdrawing an expired zone.
#include <filesystem>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "cidns/util/atomic_file.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"
#include "cidns/xfr/reader.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/writer.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {

std::shared_ptr<const zone::compiled_zone> zone_manager::current(
    const name::identifier& zone) const {
  return m_registry.load()->shared(zone.text());
}

namespace {

// A full transfer's zone, or an incremental one's changesets applied to `current` through
// the whole pipeline (when a patch cannot apply them).
result<zone::contents> transferred_contents(const zone::compiled_zone* current,
                                            xfr::reader& transfer,
                                            std::span<const record::changeset> changes) {
  if (transfer.kind() == xfr::transfer_kind::full) return transfer.take_contents();
  if (current == nullptr) return make_error("an incremental transfer, but no version in service");
  auto z = zone::decompile(*current);
  if (auto r = zone::apply_changesets(z, changes); !r) return std::move(r).err();
  return z;
}

// An incremental transfer as a patch of `current` (the changed RRsets with the primary's
// SIGs and NSECs), or nullptr when it changes what a patch does not handle.
std::shared_ptr<const zone::compiled_zone> patched_version(
    const zone::compiled_zone& current, std::span<const record::changeset> changes) {
  auto rrsets = zone::rrset_changes(current, changes);
  if (!rrsets) return nullptr;
  return current.patched(*rrsets, nullptr);
}

}  // namespace

result<std::uint32_t> zone_manager::apply_transfer(const name::identifier& zone,
                                                   xfr::reader& transfer) {
  const auto index = zone_index(zone);
  if (!index || !m_zones[*index].cfg.secondary) {
    return make_error(fmt::format("{} is not a secondary zone here", zone.text()));
  }
  if (!transfer.complete()) return make_error("the transfer is not complete");
  std::lock_guard load_lock(m_load_mutex);
  const auto t0 = clock::now();
  const zone_config cfg = m_zones[*index].cfg;
  auto snapshot = m_registry.load();
  auto old = snapshot->shared(zone.text());
  if (transfer.kind() == xfr::transfer_kind::up_to_date) {
    if (!old) return make_error("the primary says up to date, but no version is in service");
    return old->serial();
  }
  const bool full = transfer.kind() == xfr::transfer_kind::full;
  std::vector<record::changeset> changes;
  if (!full) changes = transfer.take_changesets();
  std::shared_ptr<const zone::compiled_zone> next;
  if (!full && old) next = patched_version(*old, changes);
  const char* how = next ? "patched" : "rebuilt";
  if (!next) {
    auto contents = transferred_contents(old.get(), transfer, changes);
    if (!contents) return std::move(contents).err();
    // The primary signed it: check and compile as a pre-signed zonefile would be.
    zone::load_options options;
    options.read.origin = cfg.name;
    options.compile = true;
    options.previous = old.get();  // unchanged names keep the version in service's nodes
    auto built = zone::load_contents(std::move(*contents), options);
    if (!built.ok() || !built.compiled) {
      auto messages = built.messages();
      return make_error("the transferred zone is not valid: " +
                        (messages.empty() ? std::string("compile failed") : messages.front()));
    }
    next = std::move(built.compiled);
  }
  next = reindex_if_stale(*index, std::move(next));
  const auto serial = next->serial();
  {
    std::lock_guard lock(m_mutex);
    zone_state& st = m_zones[*index];
    st.serial = serial;
    st.records = next->record_count();
    st.loaded_at = static_cast<std::int64_t>(util::unix_seconds());
    st.sig_expiration = next->earliest_expiration();
    st.loaded = true;
    st.last_error.reset();
    ++st.transfers;
    m_registry.publish(next);
  }
  announce(old, next);
  const bool queued = queue_copy(*index);
  if (!queued) write_copy(*index);
  log::info("zone {}: {} transfer applied: serial {} to {}, {} records, {}, in {:.2f} ms{}",
            cfg.name.text(), full ? "full" : "incremental",
            old ? fmt::to_string(old->serial()) : "none", serial, next->record_count(),
            full ? "compiled" : how,
            std::chrono::duration<double, std::milli>(clock::now() - t0).count(),
            queued ? " (copy queued)" : "");
  return serial;
}

bool zone_manager::queue_copy(std::size_t index) {
  std::lock_guard lock(m_mutex);
  if (!m_thread.joinable() || m_stopping) return false;
  m_zones[index].copy_due = true;
  m_wake.notify_all();
  return true;
}

std::optional<std::pair<std::size_t, zone_manager::chore>> zone_manager::chore_due() const {
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    if (m_zones[i].reindex_due && !m_stopping) return std::pair{i, chore::reindex};
  }
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    if (m_zones[i].copy_due) return std::pair{i, chore::copy};
  }
  return std::nullopt;
}

std::shared_ptr<const zone::compiled_zone> zone_manager::reindex_if_stale(
    std::size_t index, std::shared_ptr<const zone::compiled_zone> z) {
  if (z->stale_resources() <= zone::compiled_zone::stale_limit) return z;
  {
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable() && !m_stopping) {
      m_zones[index].reindex_due = true;
      m_wake.notify_all();
      return z;
    }
  }
  auto indexed = z->with_index(z->build_index(), *z);
  return indexed ? indexed : z;
}

void zone_manager::reindex(std::size_t index) {
  const auto& name = m_zones[index].cfg.name;
  auto v = current(name);
  if (!v || v->stale_resources() <= zone::compiled_zone::stale_limit) return;
  const auto t0 = clock::now();
  auto built = v->build_index();
  const auto t1 = clock::now();
  std::lock_guard load_lock(m_load_mutex);
  auto w = current(name);
  if (!w) return;
  auto indexed = w->with_index(std::move(built), *v);
  if (!indexed) return;  // a name came or went meanwhile: that version has a new index
  {
    std::lock_guard lock(m_mutex);
    m_registry.publish(indexed);
  }
  log::debug(
      "zone {}: discovery index rebuilt at serial {} in {:.1f} ms ({} resources changed since "
      "it was built, {} of them after)",
      name.text(), v->serial(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
      v->stale_resources(), indexed->stale_resources());
}

void zone_manager::write_copy(std::size_t index) {
  // The copy after publishing: a restart before it is written starts from the copy before and
  // transfers forward from there (the primary, not this copy, is the zone's record). Several
  // transfers applied while a copy is written cost one more copy, of the latest version.
  const zone_config& cfg = m_zones[index].cfg;
  auto z = current(cfg.name);
  if (!z) return;
  std::lock_guard copy_lock(m_copy_mutex);
  const auto t0 = clock::now();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(cfg.file).parent_path(), ec);
  auto copy = zone::decompile(*z);
  const std::string text =
      fmt::format("; copy of {} kept by cidns-authd (secondary), serial {}\n{}", cfg.name.text(),
                  z->serial(), zone::write_text(copy));
  if (auto w = util::write_file_atomically(cfg.file, text, 0644); !w) {
    log::error("zone {}: serial {} is served, but its copy was not kept: {}", cfg.name.text(),
               z->serial(), w.err().message);
    return;
  }
  log::info("zone {}: copy kept at serial {} in {} ({:.0f} ms)", cfg.name.text(), z->serial(),
            cfg.file, std::chrono::duration<double, std::milli>(clock::now() - t0).count());
}

void zone_manager::withdraw(const name::identifier& zone, std::string_view why) {
  const auto index = zone_index(zone);
  if (!index) return;
  std::lock_guard load_lock(m_load_mutex);
  std::lock_guard lock(m_mutex);
  if (!m_zones[*index].loaded) return;
  m_zones[*index].loaded = false;
  m_registry.withdraw(zone.text());
  log::error("zone {}: no longer served: {}", zone.text(), why);
}

}  // namespace cidns::authd
