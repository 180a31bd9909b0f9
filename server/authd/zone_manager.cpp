// Zone loading and background reloads (zone_manager.hpp).
#include "zone_manager.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "cidns/dnssec/key_files.hpp"
#include "cidns/dnssec/patch_signer.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/atomic_file.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/util/log.hpp"
#include "cidns/util/trim_memory.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/writer.hpp"
#include "update_plan.hpp"

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
  util::trim_memory();
}

}  // namespace

// One run of the pipeline for a zone: what went in and what came out.
struct load_attempt {
  using clock = std::chrono::steady_clock;
  zone_config cfg;
  std::uint32_t previous_serial = 0;
  bool was_loaded = false;
  clock::time_point started = clock::now();
  std::vector<dnssec::zone_key> keys;
  dnssec::sign_stats signed_stats;
  std::shared_ptr<const zone::compiled_zone> compiled;  // null when it failed
  std::vector<std::string> errors;                      // why, when it failed
  std::size_t error_count = 0;                          // errors found (more than kept when many)
  std::string summary;                                  // the failure in one line, for the log
  zone::amendment amend;                                // a dynamic zone's journal replay
  // An update re-signs only what it changed (dnssec::sign_options::reuse_until, changed).
  std::uint64_t reuse_until = 0;
  std::function<bool(const name::identifier&, record::rtype)> changed;
  bool journal_stale = false;  // the zonefile is newer than the journal: drop it once loaded
  // The version in service while the load runs: the new one keeps its unchanged nodes.
  std::shared_ptr<const zone::compiled_zone> previous;
};

namespace {

void add_error(load_attempt& a, std::string message) {
  if (a.errors.size() < max_kept_errors) a.errors.push_back(std::move(message));
  ++a.error_count;
}

bool load_keys(load_attempt& a) {
  for (const auto& file : a.cfg.keys) {
    auto k = dnssec::load_zone_key(file);
    if (!k) {
      a.summary = "signing key: " + k.err().message;
      add_error(a, a.summary);
      return false;
    }
    a.keys.push_back(std::move(*k));
  }
  return true;
}

// Online signing bumps the serial past the one in service, so that a re-signed
// zone is a new version for secondaries and caches.
zone::load_options pipeline_options(load_attempt& a, bool background) {
  zone::load_options options;
  options.read.origin = a.cfg.name;
  options.compile = true;
  options.previous = a.previous.get();
  options.amend = a.amend;
  if (a.keys.empty()) return options;
  options.sign = [&a, background](zone::contents& z, const zone::layout& shape) -> result<void> {
    if (a.was_loaded) {
      if (auto r = raise_serial(z, a.previous_serial + 1); !r) return r;
    }
    dnssec::sign_options so;
    so.keys = a.keys;
    const std::uint64_t now = util::unix_seconds();
    so.inception = now - 3600;  // an hour back, for resolvers with a slow clock
    so.expiration = now + a.cfg.sig_validity;
    so.jobs = background ? 1 : 0;  // in service: leave the other cores to answering
    so.reuse_until = a.reuse_until;
    so.changed = a.changed;
    auto r = dnssec::sign_zone(z, shape, so);
    if (!r) return std::move(r).err();
    a.signed_stats = *r;
    return {};
  };
  return options;
}

// Reads, checks, signs and compiles; logs every diagnostic and keeps the errors.
void run_pipeline(load_attempt& a, bool background) {
  auto loaded = zone::load(a.cfg.file, pipeline_options(a, background));
  a.previous.reset();  // the replaced version is freed once its readers are done (no later)
  if (!loaded) {
    a.summary = loaded.err().message;
    add_error(a, a.summary);
    return;
  }
  for (const auto& d : loaded->diagnostics) {
    std::string line = zone::format_diagnostic(d, loaded->files);
    if (d.level == zone::severity::error) {
      log::error("zone {}: {}", a.cfg.name.text(), line);
      add_error(a, std::move(line));
    } else {
      log::warning("zone {}: {}", a.cfg.name.text(), line);
    }
  }
  if (loaded->errors > 0 || !loaded->compiled) {
    a.summary = fmt::format("{} error(s) in {}", loaded->errors, a.cfg.file);
    if (a.errors.empty()) add_error(a, a.summary);
    a.error_count = std::max(a.error_count, loaded->errors);
  } else {
    a.compiled = std::move(loaded->compiled);
  }
}

}  // namespace

bool zone_manager::load_one(std::size_t index, bool background) {
  std::lock_guard load_lock(m_load_mutex);
  load_attempt a;
  {
    std::lock_guard lock(m_mutex);
    a.cfg = m_zones[index].cfg;
    a.previous_serial = m_zones[index].serial;
    a.was_loaded = m_zones[index].loaded;
  }
  a.previous = m_registry.load()->shared(a.cfg.name.text());
  if (dynamic(index)) {
    a.amend = [this, index, &a](zone::contents& z) { return replay_journal(index, z, a); };
  }
  if (a.cfg.secondary && !a.was_loaded && !std::filesystem::exists(a.cfg.file)) {
    log::info("zone {}: secondary with no copy yet: served after its first transfer",
              a.cfg.name.text());
    return true;
  }
  if (load_keys(a)) run_pipeline(a, background);
  if (!a.compiled) {
    record_failure(index, a);
    release_snapshot(nullptr);  // the failed load's temporaries
    return false;
  }
  if (auto j = journal_load(index, a); !j) {
    a.summary = j.err().message;
    add_error(a, a.summary);
    a.compiled.reset();
    record_failure(index, a);
    return false;
  }
  record_success(index, a, background);
  return true;
}

void zone_manager::record_failure(std::size_t index, load_attempt& a) {
  std::lock_guard lock(m_mutex);
  zone_state& st = m_zones[index];
  ++st.failures;
  ++st.attempts;
  log::error("zone {}: not loaded: {}{}", a.cfg.name.text(), a.summary,
             st.loaded ? fmt::format(" (still serving serial {})", st.serial) : "");
  if (a.error_count > a.errors.size()) {
    a.errors.push_back(fmt::format("... and {} more error(s), in the server's log",
                                   a.error_count - a.errors.size()));
  }
  st.last_error = zone_error{a.cfg.name.text(), a.cfg.file,
                             static_cast<std::int64_t>(util::unix_seconds()), std::move(a.errors)};
  if (!a.keys.empty() && st.loaded) {
    // Try the re-signing again soon: the signatures in service keep running out.
    st.resign_at = clock::now() + std::chrono::seconds(std::max(1U, a.cfg.sig_validity / 16));
  }
}

void zone_manager::record_success(std::size_t index, load_attempt& a, bool background) {
  const auto& cfg = a.cfg;
  const auto& compiled = a.compiled;
  std::unique_lock lock(m_mutex);
  zone_state& st = m_zones[index];
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - a.started).count();
  st.serial = compiled->serial();
  st.records = compiled->record_count();
  st.loaded_at = static_cast<std::int64_t>(util::unix_seconds());
  st.sig_expiration = compiled->earliest_expiration();
  ++st.loads;
  ++st.attempts;
  st.last_error.reset();
  st.loaded = true;
  if (!a.keys.empty()) {
    // Re-sign when a quarter of the validity is left.
    st.resign_at = a.started + std::chrono::seconds(cfg.sig_validity - cfg.sig_validity / 4);
    if (background) ++st.resigns;
    log::info(
        "zone {}: signed {} names with {} key(s): {} signatures, {} NSEC, valid {}s; "
        "re-signing in {}s",
        cfg.name.text(), a.signed_stats.names, a.keys.size(), a.signed_stats.signatures,
        a.signed_stats.nsec, cfg.sig_validity, cfg.sig_validity - cfg.sig_validity / 4);
  } else {
    st.resign_at = clock::time_point::max();
  }
  log::info("zone {}: loaded serial {}, {} records, {} names{} in {} ms", cfg.name.text(),
            st.serial, st.records, compiled->name_count(), compiled->is_signed() ? ", signed" : "",
            ms);
  auto replaced = m_registry.load();
  auto published = std::move(a.compiled);
  m_registry.publish(published);
  lock.unlock();
  announce(replaced->shared(cfg.name.text()), published);
  release_snapshot(std::move(replaced));
}

void zone_manager::announce(const std::shared_ptr<const zone::compiled_zone>& old,
                            const std::shared_ptr<const zone::compiled_zone>& now) {
  // m_load_mutex held, m_mutex not
  if (!m_on_publish) return;
  try {
    m_on_publish(old, now);
  } catch (const std::exception& e) {
    log::error("zone {}: after publishing serial {}: {}", now->origin().text(), now->serial(),
               e.what());
  }
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

std::vector<std::size_t> zone_manager::pick(std::string_view zone) const {
  std::vector<std::size_t> picked;
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    const auto& n = m_zones[i].cfg.name;
    if (zone.empty() || n.text() == zone || n.text_no_dot() == zone) picked.push_back(i);
  }
  return picked;
}

std::vector<std::size_t> zone_manager::queue_reload(std::string_view zone) {
  // m_mutex held
  auto picked = pick(zone);
  for (auto i : picked) {
    if (std::find(m_queue.begin(), m_queue.end(), i) == m_queue.end()) m_queue.push_back(i);
  }
  if (!picked.empty()) m_wake.notify_all();
  return picked;
}

bool zone_manager::request_reload(std::string_view zone) {
  std::lock_guard lock(m_mutex);
  return !queue_reload(zone).empty();
}

std::optional<std::vector<zone_error>> zone_manager::reload_and_wait(std::string_view zone) {
  std::unique_lock lock(m_mutex);
  const auto picked = queue_reload(zone);
  if (picked.empty()) return std::nullopt;
  std::vector<std::uint64_t> before;
  for (auto i : picked) before.push_back(m_zones[i].attempts);
  m_idle.wait(lock, [&] {
    if (m_stopping) return true;
    for (std::size_t k = 0; k < picked.size(); ++k) {
      if (m_zones[picked[k]].attempts == before[k]) return false;
    }
    return true;
  });
  std::vector<zone_error> errors;
  for (std::size_t k = 0; k < picked.size(); ++k) {
    const auto& st = m_zones[picked[k]];
    if (st.attempts != before[k] && st.last_error) errors.push_back(*st.last_error);
  }
  return errors;
}

void zone_manager::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return (m_queue.empty() && !m_busy && !chore_due()) || m_stopping; });
}

void zone_manager::run() {
  std::unique_lock lock(m_mutex);
  while (true) {
    auto [due, when] = next_resign();
    auto ready = [this] { return m_stopping || !m_queue.empty() || chore_due(); };
    if (when == clock::time_point::max()) {
      m_wake.wait(lock, ready);
    } else {
      m_wake.wait_until(lock, when, ready);
    }
    if (auto c = chore_due()) {  // before reloads; copies before stopping too
      const auto [z, what] = *c;
      (what == chore::copy ? m_zones[z].copy_due : m_zones[z].reindex_due) = false;
      m_busy = true;
      lock.unlock();
      if (what == chore::copy) {
        write_copy(z);
      } else {
        reindex(z);
      }
      lock.lock();
      m_busy = false;
      m_idle.notify_all();
      continue;
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
    m_idle.notify_all();  // wait_idle() and reload_and_wait() check their own condition
  }
  m_idle.notify_all();
}

// ---- dynamic zones ------------------------------------------------------------------------

namespace {

// The apex SOA of `z` as a record, with its serial replaced by `serial` when given.
record::rr apex_soa(const zone::compiled_zone& z, std::optional<std::uint32_t> serial = {}) {
  record::rr r = z.soa_record();
  if (serial) {
    auto soa = record::soa::decode(r.data);
    if (soa) {
      soa->serial = *serial;
      r.data = soa->encode();
    }
  }
  return r;
}

}  // namespace

void zone_manager::enable_updates(const update_policy* policy, store::journal* journal,
                                  store::journal_limits limits) {
  m_policy = policy;
  m_journal = journal;
  m_journal_limits = limits;
}

bool zone_manager::dynamic(std::size_t index) const {
  return m_policy != nullptr && m_policy->has_rules(m_zones[index].cfg.name);
}

std::optional<std::size_t> zone_manager::zone_index(const name::identifier& origin) const {
  for (std::size_t i = 0; i < m_zones.size(); ++i) {
    if (m_zones[i].cfg.name == origin) return i;
  }
  return std::nullopt;
}

result<void> zone_manager::replay_journal(std::size_t index, zone::contents& z,
                                          load_attempt& a) const {
  if (m_journal == nullptr) return {};
  const std::string& zone = m_zones[index].cfg.name.text();
  try {
    const auto u = m_journal->usage(zone);
    const auto file_serial = zone::serial_of(z);
    if (u.changesets == 0 || !file_serial) return {};  // (no SOA: the checker says so)
    auto changes = m_journal->since(zone, *file_serial);
    if (!changes) {
      if (record::serial_after(*file_serial, u.last)) {
        a.journal_stale = true;
        log::warning(
            "zone {}: the zonefile (serial {}) is newer than the journal (up to {}): "
            "the journal is dropped",
            zone, *file_serial, u.last);
        return {};
      }
      return make_error(fmt::format(
          "the journal does not continue the zonefile: the file has serial {}, the journal {} "
          "to {} (write the zone back or remove the journal)",
          *file_serial, u.first, u.last));
    }
    if (!changes->empty()) {
      log::info("zone {}: replaying {} journaled change(s), serial {} to {}", zone, changes->size(),
                *file_serial, changes->back().to);
    }
    return zone::apply_changesets(z, *changes);
  } catch (const std::exception& e) {
    return make_error(fmt::format("journal: {}", e.what()));
  }
}

result<void> zone_manager::journal_load(std::size_t index, load_attempt& a) {
  if (m_journal == nullptr || !dynamic(index)) return {};
  const std::string& zone = a.cfg.name.text();
  try {
    if (a.journal_stale) m_journal->drop_zone(zone);
    const auto u = m_journal->usage(zone);
    const bool has_entry = u.changesets > 0 || u.last != 0;
    const std::uint32_t serial = a.compiled->serial();
    const std::uint32_t from = has_entry ? u.last : (a.was_loaded ? a.previous_serial : serial);
    if (from == serial) return {};
    // A version the journal has not seen (an online re-sign bumped the serial): record the
    // bump, so that the chain from the zonefile stays unbroken.
    record::changeset c{from, serial, {apex_soa(*a.compiled, from)}, {apex_soa(*a.compiled)}};
    return m_journal->append(zone, c);
  } catch (const std::exception& e) {
    return make_error(fmt::format("journal: {}", e.what()));
  }
}

namespace {

// The apex KEY RRset's records.
std::vector<std::string> apex_keys(const zone::compiled_zone& z) {
  const zone::rrset* keys = z.apex().find(record::rtype::key);
  return keys == nullptr ? std::vector<std::string>{} : keys->datas();
}

}  // namespace

std::shared_ptr<const zone::compiled_zone> zone_manager::patch(const zone::compiled_zone& current,
                                                               const record::changeset& change,
                                                               load_attempt& a) const {
  auto changes = zone::rrset_changes(current, std::span(&change, 1));
  if (!changes) return nullptr;
  zone::patch_stats stats;
  std::shared_ptr<const zone::compiled_zone> next;
  if (a.keys.empty()) {
    next = current.patched(*changes, nullptr, &stats);
  } else if (dnssec::keys_published(a.keys, apex_keys(current))) {
    const std::uint64_t now = util::unix_seconds();
    const auto signer =
        dnssec::patch_signer(a.keys, current.origin(), now - 3600, now + a.cfg.sig_validity);
    next = current.patched(*changes, &signer, &stats);
  }
  a.signed_stats.signatures = stats.signatures;
  return next;
}

std::shared_ptr<const zone::compiled_zone> zone_manager::rebuild(const zone::compiled_zone& current,
                                                                 const record::changeset& change,
                                                                 load_attempt& a) const {
  // Through the same pipeline as a zonefile; signatures of what did not change stay while
  // they have at least a quarter of their validity left (the re-sign rule).
  std::set<std::pair<std::string, record::rtype>> touched;
  for (const auto* part : {&change.removed, &change.added}) {
    for (const auto& r : *part) touched.emplace(r.owner.text(), r.type);
  }
  a.reuse_until = util::unix_seconds() + a.cfg.sig_validity / 4;
  a.changed = [&touched](const name::identifier& owner, record::rtype t) {
    return touched.contains({owner.text(), t});
  };
  auto options = pipeline_options(a, true);
  options.previous = &current;
  options.amend = [&change](zone::contents& z) {
    return zone::apply_changesets(z, std::span(&change, 1));
  };
  auto built = zone::load_contents(zone::decompile(current), options);
  if (!built.ok() || !built.compiled) {
    auto messages = built.messages();
    a.summary = messages.empty() ? std::string("compile failed") : messages.front();
    return nullptr;
  }
  return built.compiled;
}

update_result zone_manager::apply_update(const wire::message& m, std::string_view key) {
  update_result out;
  auto fail = [&out](wire::rcode rc, std::string why) {
    out.rcode = rc;
    out.why = std::move(why);
    return out;
  };
  if (!m.question) return fail(wire::rcode::formerr, "no zone (question) in the update");
  const auto index = zone_index(m.question->name);
  if (!index) return fail(wire::rcode::notauth, "not authoritative for " + m.question->name.text());
  if (!dynamic(*index)) {
    return fail(wire::rcode::refused, "zone " + m.question->name.text() + " takes no updates");
  }
  std::lock_guard load_lock(m_load_mutex);
  const auto t0 = clock::now();
  auto snapshot = m_registry.load();
  const zone::compiled_zone* current = snapshot->exact(m.question->name.text());
  if (current == nullptr) return fail(wire::rcode::servfail, "the zone is not loaded");
  load_attempt a;
  a.cfg = m_zones[*index].cfg;
  a.previous_serial = current->serial();
  a.was_loaded = true;
  const std::string& zone = a.cfg.name.text();
  out.serial = current->serial();
  out.soa = apex_soa(*current);
  if (current->is_signed() && a.cfg.keys.empty()) {
    return fail(wire::rcode::refused, "the zone is signed offline: the server holds no key");
  }
  auto plan = plan_update(*current, m, key, *m_policy, record::next_serial(current->serial()));
  if (plan.refused()) return fail(plan.rcode, std::move(plan.why));
  if (!plan.changes_something()) return out;  // RFC 2136: a no-op keeps the serial
  if (!load_keys(a)) return fail(wire::rcode::servfail, a.summary);
  // The new version from the changed RRsets only (compiled_zone::patched); what the patch does
  // not handle (delegations, a key the zone does not publish) goes through the full pipeline.
  std::string how = "patched";
  auto next = patch(*current, plan.change, a);
  if (!next) {
    how = "rebuilt";
    next = rebuild(*current, plan.change, a);
    if (!next) {
      return fail(wire::rcode::refused, "the zone would not be valid: " +
                                            (a.errors.empty() ? a.summary : a.errors.front()));
    }
  }
  // Durable before it is served or acknowledged.
  if (m_journal != nullptr) {
    try {
      if (auto r = m_journal->append(zone, plan.change); !r) {
        return fail(wire::rcode::servfail, "journal: " + r.err().message);
      }
    } catch (const std::exception& e) {
      return fail(wire::rcode::servfail, fmt::format("journal: {}", e.what()));
    }
  }
  next = reindex_if_stale(*index, std::move(next));
  out.changed = true;
  out.serial = next->serial();
  out.soa = apex_soa(*next);
  {
    std::lock_guard lock(m_mutex);
    zone_state& st = m_zones[*index];
    st.serial = out.serial;
    st.records = next->record_count();
    st.sig_expiration = next->earliest_expiration();
    ++st.updates;
    m_registry.publish(next);
  }
  announce(snapshot->shared(zone), next);
  snapshot.reset();
  log::info("zone {}: update with key {}: serial {} to {}, -{} +{} record(s), {}{}, in {:.2f} ms",
            zone, key, plan.change.from, plan.change.to, plan.change.removed.size(),
            plan.change.added.size(), how,
            a.keys.empty() ? std::string()
                           : fmt::format(", {} signature(s) made, {} kept",
                                         a.signed_stats.signatures, a.signed_stats.reused),
            std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  if (m_journal != nullptr && m_journal->over(zone, m_journal_limits)) {
    if (auto e = write_back(*index); !e.empty()) log::error("zone {}: {}", zone, e);
  }
  return out;
}

std::string zone_manager::write_back(std::size_t index) {
  // m_load_mutex held
  const auto& cfg = m_zones[index].cfg;
  {
    // The file failed to load since (an operator's edit with a mistake): do not overwrite it.
    std::lock_guard lock(m_mutex);
    if (m_zones[index].last_error) {
      return fmt::format("{} failed to load last time: not overwritten (fix it and reload)",
                         cfg.file);
    }
  }
  auto snapshot = m_registry.load();
  const zone::compiled_zone* z = snapshot->exact(cfg.name.text());
  if (z == nullptr) return "not loaded: nothing to write back";
  // Signed online too, the file gets the zone as served (SIGs, NSECs, KEYs): it verifies as it
  // is, and a load with the keys re-signs it anyway (the signer drops the old signatures).
  auto c = zone::decompile(*z);
  const std::string text =
      fmt::format("; written back by cidns-authd at serial {} (zonefile + journal)\n{}",
                  z->serial(), zone::write_text(c));
  if (auto w = util::write_file_atomically(cfg.file, text, 0644); !w) {
    return "write-back failed: " + w.err().message;
  }
  try {
    if (m_journal != nullptr) m_journal->drop_through(cfg.name.text(), z->serial());
  } catch (const std::exception& e) {
    return fmt::format("wrote {}, but the journal was not trimmed: {}", cfg.file, e.what());
  }
  log::info("zone {}: written back to {} at serial {}", cfg.name.text(), cfg.file, z->serial());
  return "";
}

std::optional<std::vector<std::string>> zone_manager::flush(std::string_view zone) {
  auto picked = pick(zone);
  if (picked.empty()) return std::nullopt;
  std::lock_guard load_lock(m_load_mutex);
  std::vector<std::string> errors;
  for (auto i : picked) {
    if (!dynamic(i)) {
      if (!zone.empty()) errors.push_back(m_zones[i].cfg.name.text() + ": not a dynamic zone");
      continue;
    }
    if (auto e = write_back(i); !e.empty()) errors.push_back(m_zones[i].cfg.name.text() + ": " + e);
  }
  return errors;
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
                   {"signed_online", !z.cfg.keys.empty()},
                   {"sig_expiration", z.sig_expiration},
                   {"resigns", z.resigns},
                   {"dynamic", dynamic(static_cast<std::size_t>(&z - m_zones.data()))},
                   {"updates", z.updates},
                   {"secondary", z.cfg.secondary}});
    if (z.cfg.secondary) out.back()["transfers"] = z.transfers;
    if (z.last_error) {
      out.back()["last_error"] = {{"time", z.last_error->time},
                                  {"messages", z.last_error->messages}};
    }
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
