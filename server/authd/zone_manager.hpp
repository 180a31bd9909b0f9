// Loads the configured zones and reloads them in the background: the zone
// pipeline (read, check, sign when the zone has keys, compile) runs off the
// serving threads, then the result is published with an atomic swap. A zone
// that fails keeps its previous version in service; its errors go to the log
// and are kept as the zone's last error (`zones`, a waited-for `reload`).
// Zones signed online are re-signed before a quarter of their signatures'
// validity is left, with the SOA serial bumped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <functional>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cidns/record/changeset.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/wire/message.hpp"
#include "config.hpp"
#include "update_policy.hpp"
#include "zone_set.hpp"

namespace cidns::xfr {
class reader;
}

namespace cidns::authd {

// Why a zone's last load failed: its file:line:col errors, or the one problem
// that stopped it before reading (a missing file, a bad key).
struct zone_error {
  std::string zone;  // canonical name, "provx.cn-north."
  std::string file;
  std::int64_t time = 0;  // unix seconds of the failed load
  std::vector<std::string> messages;
};

struct load_attempt;  // one run of the zone pipeline (zone_manager.cpp)

// What became of a dynamic UPDATE.
struct update_result {
  wire::rcode rcode = wire::rcode::noerror;
  std::string why;                // when refused or failed
  std::uint32_t serial = 0;       // the zone's serial after it
  std::optional<record::rr> soa;  // the zone's SOA after it (the reply's answer)
  bool changed = false;           // false: a no-op (or refused)
};

// At most this many messages are kept per failed load (the log has them all).
inline constexpr std::size_t max_kept_errors = 50;

class zone_manager {
 public:
  zone_manager(std::vector<zone_config> zones, zone_registry& registry);
  ~zone_manager();  // stop()
  zone_manager(const zone_manager&) = delete;
  zone_manager& operator=(const zone_manager&) = delete;

  // Loads every zone now, on the calling thread. False if any zone failed
  // (its errors are logged).
  bool load_all();

  void start();  // the background reload thread
  void stop();

  // Queues a reload of one zone (canonical or bare name), or of all when empty.
  // False for a zone that is not configured.
  bool request_reload(std::string_view zone);
  // Waits until the queue is empty and no reload is running (tests).
  void wait_idle();
  // Queues like request_reload, then waits until each zone picked has been
  // loaded once more (start() must have been called) and returns the errors of
  // those that failed: empty when all loaded. nullopt for a zone not configured.
  std::optional<std::vector<zone_error>> reload_and_wait(std::string_view zone);

  // Dynamic zones: those `policy` has rules for take UPDATEs, journaled in `journal` (which
  // must outlive the manager; null: updates are applied but lost at restart, tests only).
  // Call before load_all().
  void enable_updates(const update_policy* policy, store::journal* journal,
                      store::journal_limits limits = {});
  // Applies an UPDATE (signed with `key`) to the zone its question names: plans it against
  // the zone in service, builds the new version (checked, signed when the server holds the
  // zone's keys), journals the changeset durably, then publishes it. Serialised with loads.
  update_result apply_update(const wire::message& m, std::string_view key);
  // Writes dynamic zones (all when `zone` is empty) back to their files and trims their
  // journals; errors per zone. nullopt for a zone that is not configured.
  std::optional<std::vector<std::string>> flush(std::string_view zone);

  // ---- Zone transfers (zone_transfer.cpp)
  // The version of `zone` in service (null when not loaded); the pointer keeps it alive.
  std::shared_ptr<const zone::compiled_zone> current(const name::identifier& zone) const;
  // A secondary zone's new version from a complete transfer: the full zone, or the changesets
  // applied to the version in service. Checked like a zonefile (not signed again: the primary
  // signed it), published, then written to the zone's copy file (atomically; by the background
  // thread when it runs, so that transfers do not wait for it). Returns the new serial; an
  // error says why (the version in service, if any, stays).
  result<std::uint32_t> apply_transfer(const name::identifier& zone, xfr::reader& transfer);
  // Stops serving `zone` (a secondary past its expire time): it is answered as a zone not
  // served until a transfer brings it back.
  void withdraw(const name::identifier& zone, std::string_view why);
  // Called after each new version of a zone is published (load, reload, update, re-sign,
  // transfer) with the version it replaced (null at the first load), under the manager's load
  // lock (so calls are serialised and in version order). Set before load_all().
  using publish_listener =
      std::function<void(const std::shared_ptr<const zone::compiled_zone>& old,
                         const std::shared_ptr<const zone::compiled_zone>& now)>;
  void on_publish(publish_listener l) { m_on_publish = std::move(l); }

  // One object per zone; "last_error": {"time", "messages"} only while the
  // zone's last load failed.
  nlohmann::json status() const;
  std::uint64_t reloads() const;
  std::uint64_t reload_failures() const;

 private:
  using clock = std::chrono::steady_clock;
  struct zone_state {
    zone_config cfg;
    std::uint32_t serial = 0;
    std::uint64_t sig_expiration = 0;  // earliest SIG expiration served (0: unsigned)
    clock::time_point resign_at = clock::time_point::max();
    std::uint64_t resigns = 0;
    std::uint64_t updates = 0;    // dynamic UPDATEs applied
    std::uint64_t transfers = 0;  // transfers applied (a secondary zone)
    std::size_t records = 0;
    std::int64_t loaded_at = 0;  // unix seconds of the version in service
    std::uint64_t loads = 0, failures = 0;
    std::uint64_t attempts = 0;            // loads + failures, counted when an attempt ends
    std::optional<zone_error> last_error;  // set while the last load failed
    bool loaded = false;
    bool copy_due = false;     // a secondary zone's copy is behind the version in service
    bool reindex_due = false;  // the version in service has too many stale resources
  };
  enum class chore { copy, reindex };
  bool load_one(std::size_t index, bool background);
  bool dynamic(std::size_t index) const;
  // Journal replay for a dynamic zone's load (the pipeline's amend step).
  result<void> replay_journal(std::size_t index, zone::contents& z, load_attempt& a) const;
  // An UPDATE's new version: from the changed RRsets only (nullptr when the patch does not
  // handle the change), or through the whole pipeline (nullptr and a.summary when invalid).
  std::shared_ptr<const zone::compiled_zone> patch(const zone::compiled_zone& current,
                                                   const record::changeset& change,
                                                   load_attempt& a) const;
  std::shared_ptr<const zone::compiled_zone> rebuild(const zone::compiled_zone& current,
                                                     const record::changeset& change,
                                                     load_attempt& a) const;
  // After a load of a dynamic zone: drops a stale journal, and journals the serial bump of an
  // online re-sign (so the journal's chain stays unbroken). An error keeps the old version.
  result<void> journal_load(std::size_t index, load_attempt& a);
  std::optional<std::size_t> zone_index(const name::identifier& origin) const;
  std::string write_back(std::size_t index);  // "" or the error
  void record_failure(std::size_t index, load_attempt& a);
  void record_success(std::size_t index, load_attempt& a, bool background);
  // Tells the publish listener about a new version (m_load_mutex held, m_mutex not).
  void announce(const std::shared_ptr<const zone::compiled_zone>& old,
                const std::shared_ptr<const zone::compiled_zone>& now);
  // The zones `zone` names, canonical or bare (all when empty).
  std::vector<std::size_t> pick(std::string_view zone) const;
  // Picks the zones `zone` names (all when empty) and queues them; empty when none.
  std::vector<std::size_t> queue_reload(std::string_view zone);
  void run();
  // A secondary zone's copy file: queued for the background thread (false when it is not
  // running), and written from the version in service (called without locks).
  bool queue_copy(std::size_t index);
  void write_copy(std::size_t index);
  // A patched version `z` about to be published for zone `index` (m_load_mutex held): when it
  // has more stale resources than compiled_zone::stale_limit, its discovery index is queued
  // for the background thread (reindex()), or built here when that thread does not run.
  std::shared_ptr<const zone::compiled_zone> reindex_if_stale(
      std::size_t index, std::shared_ptr<const zone::compiled_zone> z);
  // Builds the discovery index of the version in service without any lock, then publishes
  // the version in service by then with it (compiled_zone::with_index): queries and updates
  // never wait for an O(zone) index build.
  void reindex(std::size_t index);
  // The next background chore (m_mutex held): an index to build, then a copy to write.
  std::optional<std::pair<std::size_t, chore>> chore_due() const;
  // The zone due for re-signing soonest, and when (max() when none).
  std::pair<std::size_t, clock::time_point> next_resign() const;

  zone_registry& m_registry;
  std::vector<zone_state> m_zones;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake, m_idle;
  std::deque<std::size_t> m_queue;
  bool m_busy = false;
  bool m_stopping = false;
  std::thread m_thread;
  std::mutex m_load_mutex;  // one load or update at a time (publication is serialised)
  std::mutex m_copy_mutex;  // one secondary copy written at a time
  const update_policy* m_policy = nullptr;
  store::journal* m_journal = nullptr;
  store::journal_limits m_journal_limits;
  publish_listener m_on_publish;
};

}  // namespace cidns::authd
