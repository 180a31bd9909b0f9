// DISCOVER through the resolver (engine.hpp start_discover; DESIGN §6–7): the scope is
// iterated to like any name, but asked with DISCOVER; the zone that answers gives resources
// and the delegations under the scope, and each delegated zone is asked in turn, in parallel
// within discovery_limits. Every RRset is validated with its zone's keys (bogus results are
// dropped and the zone named as partial) and every result is checked against the selector
// again (a server's word on what matches is not taken). Results are merged, ordered, cut to
// the limit and, when complete, cached under a name derived from (scope, selector).
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

// The cache type of merged discovery results: in the private range, so no zone's data can
// take its place.
constexpr auto discovery_type = static_cast<rtype>(65280);
constexpr std::uint32_t empty_result_ttl = 30;

std::uint64_t seconds(time_ms now) { return now / 1000; }

// FNV-1a: stable across processes sharing the cache (std::hash need not be).
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// "d-<16 hex>.<scope>": where a (scope, selector) result is cached; nullopt when too long.
std::optional<name::identifier> cache_owner(const discovery& d) {
  auto owner = name::identifier::parse(
      fmt::format("d-{:016x}.{}", stable_hash(d.text), d.scope.is_root() ? "" : d.scope.text()));
  if (!owner) return std::nullopt;
  return std::move(*owner);
}

// The DESC, STATE and EP RRsets (with SIGs) of `owner` in `answer`, each on its own.
std::vector<std::vector<record::rr>> resource_sets(const std::vector<record::rr>& answer,
                                                   const name::identifier& owner) {
  std::vector<std::vector<record::rr>> out;
  for (rtype t : {rtype::desc, rtype::state, rtype::ep}) {
    auto set = rrset_at(answer, owner, t);
    if (!set.empty()) out.push_back(std::move(set));
  }
  return out;
}

}  // namespace

wire::message engine::impl::query_message(const exchange& ex) const {
  wire::message m;
  m.id = ex.id;
  m.flags = ex.dnssec_ok ? wire::flag::do_ : 0;
  m.question = ex.q;
  if (!ex.tcp) m.max_size = options.udp_size;
  if (!ex.selector.empty()) {
    m.opcode = wire::opcode::discover;
    m.selector = ex.selector;
  }
  return m;
}

void engine::impl::forget(const exchange& ex) {
  auto it = outstanding.find(
      {ex.q.name.text(), static_cast<std::uint16_t>(ex.q.type), ex.dnssec_ok, ex.zone.text()});
  if (it != outstanding.end() && it->second == ex.token) outstanding.erase(it);
}

std::uint64_t engine::start_discover(const wire::question& q, const select::selector& s,
                                     std::uint32_t flags, time_ms now, time_ms deadline) {
  auto& m = *m_impl;
  ++m.stats.client_queries;
  ++m.stats.discoveries;
  const auto& limits = m.options.discovery;
  client_state c;
  c.id = m.next_id++;
  c.q = wire::question{q.name, rtype::resource};
  c.flags = flags;
  c.discover = true;
  c.deadline = now + (deadline != 0 ? std::min(deadline, limits.deadline) : limits.deadline);
  // Each zone costs a KEY and a DISCOVER, sometimes a retry or a server's address.
  c.upstream_cap = m.options.max_upstream_per_query + 4 * limits.max_zones;
  discovery d;
  d.sel = s;
  d.text = select::to_string(s);
  d.scope = q.name;
  const bool validate = m.validating(flags);
  if (!validate) d.state = security::indeterminate;
  if (m.discover_from_cache(c, d, now)) return c.id;
  m.clients.emplace(c.id, c);
  m.discoveries.emplace(c.id, std::move(d));
  const std::uint64_t t = m.new_task(c.id, c.q, validate, now);
  auto& task = m.tasks.at(t);
  task.discover = true;
  auto& disc = m.discoveries.at(c.id);
  disc.zones.push_back(task.cut.zone);
  ++disc.pending;
  m.trace("discover {} under {}", disc.text, q.name.text());
  m.advance(t, now);
  return c.id;
}

bool engine::impl::discover_from_cache(const client_state& c, const discovery& d, time_ms now) {
  if (store == nullptr) return false;
  const auto owner = cache_owner(d);
  if (!owner) return false;
  auto e = store->get(*owner, discovery_type);
  const auto now_s = static_cast<std::uint32_t>(seconds(now));
  if (!e || e->expired(now_s) || e->reason != d.text || e->state == security::bogus) return false;
  if (validating(c.flags) && e->state == security::indeterminate) return false;
  ++stats.discovery_cache_answers;
  outcome o;
  o.answer = std::move(e->records);
  for (auto& r : o.answer) r.ttl = std::min(r.ttl, e->remaining(now_s));
  o.state = e->state;
  o.aa = false;
  trace("discover {} under {}: from the cache", d.text, d.scope.text());
  answer_client(c, std::move(o));
  return true;
}

void engine::impl::handle_discover(task& t, const wire::message& reply, time_ms now) {
  auto dit = discoveries.find(t.client);
  if (dit == discoveries.end()) return;
  discovery& d = dit->second;
  const bool secure = t.validating && t.cut.sec == security::secure;
  // Children first: their names bound what this zone may claim.
  std::vector<name::identifier> children;
  for (const auto& r : reply.authority) {
    if (r.type != rtype::ns || r.owner == t.cut.zone || !r.owner.is_part_of(t.cut.zone)) continue;
    if (!r.owner.is_part_of(d.scope) && !d.scope.is_part_of(r.owner)) continue;
    if (std::find(children.begin(), children.end(), r.owner) == children.end()) {
      children.push_back(r.owner);
    }
  }
  std::vector<name::identifier> owners;
  for (const auto& r : reply.answer) {
    if (r.type != rtype::desc || !r.owner.is_part_of(d.scope)) continue;
    if (std::any_of(children.begin(), children.end(),
                    [&](const auto& c) { return r.owner.is_part_of(c); })) {
      continue;  // below a delegation: not this zone's data
    }
    if (std::find(owners.begin(), owners.end(), r.owner) == owners.end()) owners.push_back(r.owner);
  }
  std::string bogus_reason;
  unsigned kept = 0;
  for (const auto& owner : owners) {
    auto sets = resource_sets(reply.answer, owner);
    bool ok = true;
    for (const auto& set : sets) {
      if (!secure) break;
      const auto v = check_rrset(*t.cut.keys, set, reply.authority, seconds(now));
      if (!v.is_secure()) {
        ok = false;
        if (bogus_reason.empty()) bogus_reason = owner.text() + ": " + v.reason;
        break;
      }
    }
    discovery::found f;
    f.name = owner;
    for (auto& set : sets) {
      for (auto& r : set) f.records.push_back(std::move(r));
    }
    // The resource's values: its (first) DESC and STATE.
    const auto first_of = [&f](rtype type) -> const record::rr* {
      for (const auto& r : f.records) {
        if (r.type == type) return &r;
      }
      return nullptr;
    };
    auto desc = record::desc::decode(first_of(rtype::desc)->data);
    if (const record::rr* st = first_of(rtype::state)) {
      if (auto decoded = record::state::decode(st->data)) f.state = std::move(*decoded);
    }
    if (!ok || !desc) {
      ++stats.discovery_dropped;
      continue;
    }
    f.desc = std::move(*desc);
    const select::resource res{&f.desc, f.state ? &*f.state : nullptr};
    if (!select::matches(d.sel, res)) {
      ++stats.discovery_dropped;  // the server's evaluation is not taken on trust
      continue;
    }
    ++kept;
    d.results.push_back(std::move(f));
  }
  if (!bogus_reason.empty()) {
    d.partial.push_back(t.cut.zone.text() + ": bogus: " + bogus_reason);
  }
  if (kept > 0) d.state = combine(d.state, t.validating ? t.cut.sec : security::indeterminate);
  trace("discover {}: {} result(s), {} delegation(s), {}", t.cut.zone.text(), kept, children.size(),
        security_name(t.validating ? t.cut.sec : security::indeterminate));
  for (const auto& child : children) {
    if (std::find(d.zones.begin(), d.zones.end(), child) != d.zones.end()) continue;
    zone_cut cut;
    std::uint32_t ttl = 0;
    if (auto bogus = child_cut(t, reply, child, now, cut, ttl)) {
      d.partial.push_back(child.text() + ": bogus DS: " + bogus->reason);
      continue;
    }
    d.zones.push_back(child);
    if (d.zones.size() > options.discovery.max_zones) {
      d.partial.push_back(child.text() + ": not asked (more than " +
                          std::to_string(options.discovery.max_zones) + " zones)");
      continue;
    }
    // Keys this engine or the cache already validated for the same DS serve again.
    auto known = infra.find(child);
    if (known != infra.end() && known->second.expires > now && known->second.cut.sec == cut.sec &&
        known->second.cut.ds == cut.ds && known->second.cut.keys) {
      cut.keys = known->second.cut.keys;
    } else {
      if (cut.sec == security::secure) {
        time_ms expires = 0;
        cut.keys = keys_from_cache(child, cut.ds, now, expires);
      }
      infra[child] = infra_zone{cut, now + 1000ULL * std::max<std::uint32_t>(ttl, 1)};
    }
    d.queued.push_back(std::move(cut));
  }
  const auto it = tasks.find(t.id);
  if (it == tasks.end()) return;
  task done = std::move(it->second);
  tasks.erase(it);
  discover_task_done(std::move(done), std::nullopt, now);
}

void engine::impl::discover_zone(std::uint64_t client_id, zone_cut cut, time_ms now) {
  auto& d = discoveries.at(client_id);
  // The child's apex when it lies under the scope; the scope itself when it is inside it.
  const name::identifier qname = cut.zone.is_part_of(d.scope) ? cut.zone : d.scope;
  const auto& c = clients.at(client_id);
  const std::uint64_t id =
      new_task(client_id, wire::question{qname, rtype::resource}, validating(c.flags), now);
  auto& t = tasks.at(id);
  t.discover = true;
  t.cut = std::move(cut);
  ++d.pending;
  ++stats.discovery_zones;
  advance(id, now);
}

void engine::impl::discover_task_done(task t, const std::optional<std::string>& failure,
                                      time_ms now) {
  auto dit = discoveries.find(t.client);
  if (dit == discoveries.end()) return;
  discovery& d = dit->second;
  if (failure) {
    trace("discover {}: failed: {}", t.cut.zone.text(), *failure);
    d.partial.push_back(t.cut.zone.text() + ": " + *failure);
  }
  // Sub-resolutions of this zone's server names end with it.
  std::erase_if(tasks, [&](const auto& kv) { return kv.second.parent == t.id; });
  if (d.pending > 0) --d.pending;
  const std::uint64_t client = t.client;
  while (!d.queued.empty() && d.pending < options.discovery.max_parallel) {
    zone_cut next = std::move(d.queued.front());
    d.queued.pop_front();
    discover_zone(client, std::move(next), now);
    if (!discoveries.contains(client)) return;  // finished meanwhile (work cap)
  }
  if (d.pending == 0 && d.queued.empty()) discover_complete(client, false, now);
}

void engine::impl::discover_complete(std::uint64_t client_id, bool timed_out, time_ms now) {
  auto dit = discoveries.find(client_id);
  auto cit = clients.find(client_id);
  if (dit == discoveries.end() || cit == clients.end()) return;
  discovery d = std::move(dit->second);
  discoveries.erase(dit);
  const client_state cs = cit->second;
  clients.erase(cit);
  if (timed_out) {
    for (const auto& [id, t] : tasks) {
      if (t.client == client_id && t.discover) {
        d.partial.push_back(t.cut.zone.text() + ": no answer in time");
      }
    }
    for (const auto& cut : d.queued) d.partial.push_back(cut.zone.text() + ": not asked in time");
  }
  std::erase_if(tasks, [&](const auto& kv) { return kv.second.client == client_id; });

  // Merge: one result per name, ordered by the selector, ties by name; cut to the limit.
  std::stable_sort(d.results.begin(), d.results.end(), [&](const auto& a, const auto& b) {
    const select::resource ra{&a.desc, a.state ? &*a.state : nullptr};
    const select::resource rb{&b.desc, b.state ? &*b.state : nullptr};
    if (const int c = select::compare(d.sel, ra, rb); c != 0) return c < 0;
    return name::canonical_compare(a.name, b.name) < 0;
  });
  d.results.erase(std::unique(d.results.begin(), d.results.end(),
                              [](const auto& a, const auto& b) { return a.name == b.name; }),
                  d.results.end());
  if (d.results.size() > d.sel.limit) d.results.resize(d.sel.limit);

  outcome o;
  for (auto& f : d.results) {
    o.answer.insert(o.answer.end(), std::make_move_iterator(f.records.begin()),
                    std::make_move_iterator(f.records.end()));
  }
  o.state = d.state;  // the zones that gave results; secure when none did
  if (!d.partial.empty()) {
    ++stats.discovery_partial;
    std::string text;
    for (std::size_t i = 0; i < d.partial.size(); ++i) {
      if (i > 0) text += "; ";
      text += d.partial[i];
      if (text.size() > 1000) {
        text += fmt::format("; and {} more", d.partial.size() - i - 1);
        break;
      }
    }
    o.error = wire::extended_error{static_cast<std::uint32_t>(wire::error_code::partial_result),
                                   std::move(text)};
  } else if (store != nullptr) {
    if (auto owner = cache_owner(d)) {
      cache_entry e;
      e.kind = entry_kind::rrset;
      e.rank = rank::auth;
      e.state = o.state;
      e.ttl = o.answer.empty() ? empty_result_ttl : min_ttl(o.answer);
      e.records = o.answer;
      e.reason = d.text;
      e.stored = static_cast<std::uint32_t>(seconds(now));
      store->put(*owner, discovery_type, e, e.stored);
    }
  }
  trace("discover {} under {}: {} result(s){}", d.text, d.scope.text(), d.results.size(),
        d.partial.empty() ? "" : " (partial)");
  answer_client(cs, std::move(o));
}

}  // namespace cidns::resolve
