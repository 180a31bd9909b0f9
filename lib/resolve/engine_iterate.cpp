// Moving a task along (engine_state.hpp): the closest known zone cut, the key fetch a secure
// cut needs first, server choice by SRTT with tries and lame marks, sub-resolution of server
// names without glue, coalescing of equal questions, the work cap, and finishing.
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {
constexpr unsigned max_sub_depth = 3;
}

std::uint64_t engine::impl::new_task(std::uint64_t client, const wire::question& q, bool validate,
                                     time_ms now) {
  task t;
  t.id = next_id++;
  t.client = client;
  t.validating = validate;
  t.q = q;
  t.cut = closest_cut(q.name, validate, now);
  t.seen.push_back(q.name);
  if (!validate) t.chain_state = security::indeterminate;
  const auto id = t.id;
  tasks.emplace(id, std::move(t));
  return id;
}

// The deepest live cut above `qname`: learned in this engine (infra), or read back from the
// cache (engine_cuts.cpp); the root from the options when nothing closer is known.
zone_cut engine::impl::closest_cut(const name::identifier& qname, bool validate, time_ms now) {
  for (name::identifier n = qname; !n.is_root(); n = n.parent()) {
    auto it = infra.find(n);
    if (it != infra.end() && it->second.expires > now) {
      if (!validate && it->second.cut.sec != security::indeterminate) {
        zone_cut c = it->second.cut;  // servers only: this task does not validate
        c.sec = security::indeterminate;
        c.ds.clear();
        c.keys.reset();
        return c;
      }
      if (!validate || it->second.cut.sec != security::indeterminate) return it->second.cut;
    }
    if (auto cached = cut_from_cache(n, validate, now)) return std::move(*cached);
  }
  zone_cut root;
  for (const auto& a : options.root_servers) {
    root.servers.push_back(ns_entry{name::identifier(), {a}, false, false});
  }
  if (validate) {
    root.zone = options.anchor->zone;
    root.sec = security::secure;
    root.ds = options.anchor->ds;
    if (!root_keys || root_keys_expire <= now) {
      time_ms expires = 0;
      if (auto k = keys_from_cache(root.zone, root.ds, now, expires)) {
        root_keys = std::move(k);
        root_keys_expire = expires;
      }
    }
    if (root_keys && root_keys_expire > now) root.keys = root_keys;
  }
  return root;
}

void engine::impl::advance(std::uint64_t task_id, time_ms now) {
  auto it = tasks.find(task_id);
  if (it == tasks.end()) return;
  task& t = it->second;
  if (!t.discover && synthesise(t, now)) return;
  if (t.validating && t.cut.sec == security::secure && !t.cut.keys) {
    t.step = task_step::keys;
    send(t, wire::question{t.cut.zone, rtype::key}, now);
  } else {
    t.step = task_step::query;
    send(t, t.q, now);
  }
}

std::optional<server_address> engine::impl::pick(task& t, time_ms now) {
  std::optional<server_address> best;
  std::uint32_t best_rtt = 0;
  for (const auto& ns : t.cut.servers) {
    for (const auto& a : ns.addrs) {
      if (t.tries[a] >= options.tries_per_server) continue;
      if (servers.lame(t.cut.zone, a, now)) continue;
      const std::uint32_t r = servers.srtt(a);
      if (!best || r < best_rtt) {
        best = a;
        best_rtt = r;
      }
    }
  }
  return best;
}

void engine::impl::send(task& t, const wire::question& q, time_ms now) {
  const bool dnssec_ok = upstream_do();
  const auto key = std::make_tuple(q.name.text(), static_cast<std::uint16_t>(q.type), dnssec_ok,
                                   t.cut.zone.text());
  const bool discovering = t.discover && t.step == task_step::query;
  if (auto o = discovering ? outstanding.end() : outstanding.find(key); o != outstanding.end()) {
    auto& ex = exchanges.at(o->second);
    if (std::find(ex.waiters.begin(), ex.waiters.end(), t.id) == ex.waiters.end()) {
      ex.waiters.push_back(t.id);
      ++stats.coalesced;
      return;
    }
  }
  auto to = pick(t, now);
  if (!to) {
    if (start_sub(t, now)) return;
    unreachable(t, now);
    return;
  }
  if (!charge(t.client, now)) return;
  ++t.tries[*to];
  exchange ex;
  ex.token = next_id++;
  ex.to = *to;
  ex.id = static_cast<std::uint32_t>(random());
  ex.q = q;
  ex.dnssec_ok = dnssec_ok;
  ex.zone = t.cut.zone;
  ex.sent = now;
  ex.deadline = now + servers.timeout_for(*to, options.upstream_timeout);
  ex.waiters.push_back(t.id);
  if (discovering) ex.selector = discoveries.at(t.client).text;
  queries.push_back(
      upstream_query{ex.token, ex.to, false, wire::encode(query_message(ex)), ex.deadline});
  ++stats.upstream_queries;
  trace("{} {} {} to {}", discovering ? "discover" : "query", q.name.text(),
        discovering ? ex.selector : record::type_name(q.type), to->to_string());
  if (!discovering) outstanding[key] = ex.token;
  exchanges.emplace(ex.token, std::move(ex));
}

bool engine::impl::charge(std::uint64_t client_id, time_ms now) {
  auto c = clients.find(client_id);
  if (c == clients.end()) return false;
  const unsigned cap =
      c->second.upstream_cap != 0 ? c->second.upstream_cap : options.max_upstream_per_query;
  if (c->second.upstream >= cap) {
    ++stats.work_cap_hits;
    if (c->second.discover) {
      discover_complete(client_id, true, now);  // what has been found so far, marked partial
      return false;
    }
    abort_client(
        client_id,
        outcome::fail(wire::error_code::other,
                      fmt::format("work cap reached: {} upstream queries for one question", cap)));
    return false;
  }
  ++c->second.upstream;
  return true;
}

bool engine::impl::start_sub(task& t, time_ms now) {
  for (std::size_t i = 0; i < t.cut.servers.size(); ++i) {
    auto& ns = t.cut.servers[i];
    if (ns.resolving) {
      t.step = task_step::sub;  // one is running: wait for it
      return true;
    }
  }
  if (t.depth >= max_sub_depth) return false;
  for (std::size_t i = 0; i < t.cut.servers.size(); ++i) {
    auto& ns = t.cut.servers[i];
    // A name inside the zone it serves has no way in without glue.
    if (!ns.addrs.empty() || ns.failed || ns.name.is_part_of(t.cut.zone)) continue;
    ns.resolving = true;
    t.step = task_step::sub;
    trace("resolving server name {} of {}", ns.name.text(), t.cut.zone.text());
    const auto sub = new_task(t.client, wire::question{ns.name, rtype::addr}, false, now);
    auto& s = tasks.at(sub);
    s.parent = t.id;
    s.parent_ns = i;
    s.depth = t.depth + 1;
    advance(sub, now);
    return true;
  }
  return false;
}

void engine::impl::unreachable(task& t, time_ms now) {
  trace("no reachable server for {}", t.cut.zone.text());
  if (t.parent == 0 && options.serve_stale) {
    const auto& c = clients.at(t.client);
    if (c.q == t.q) {
      if (auto stale = from_cache(t.q, t.validating, now, true)) {
        trace("serving stale data for {}", t.q.name.text());
        finish(t.id, std::move(*stale), now);
        return;
      }
    }
  }
  finish(t.id,
         outcome::fail(wire::error_code::no_reachable_authority,
                       "no reachable authority for " + t.cut.zone.text()),
         now);
}

void engine::impl::finish(std::uint64_t task_id, outcome o, time_ms now) {
  auto it = tasks.find(task_id);
  if (it == tasks.end()) return;
  task t = std::move(it->second);
  tasks.erase(it);
  if (t.discover) {
    discover_task_done(std::move(t), o.error ? o.error->text : "no answer", now);
    return;
  }
  if (t.parent != 0) {
    auto p = tasks.find(t.parent);
    if (p == tasks.end()) return;
    auto& ns = p->second.cut.servers.at(t.parent_ns);
    ns.resolving = false;
    for (const auto& r : o.answer) {
      if (r.type != rtype::addr || r.owner != t.q.name) continue;
      if (auto a = record::addr::decode(r.data); a && a->port > 0 && a->port <= 65535) {
        ns.addrs.push_back(server_address{a->address, static_cast<std::uint16_t>(a->port)});
      }
    }
    ns.failed = ns.addrs.empty();
    trace("server name {}: {} address(es)", ns.name.text(), ns.addrs.size());
    if (p->second.step == task_step::sub) retry(p->first, now);
    return;
  }
  auto c = clients.find(t.client);
  if (c == clients.end()) return;
  client_state cs = c->second;
  clients.erase(c);
  // Sub-resolutions of this client end with it.
  std::erase_if(tasks, [&](const auto& kv) { return kv.second.client == cs.id; });
  answer_client(cs, std::move(o));
}

void engine::impl::abort_client(std::uint64_t client_id, outcome o) {
  auto c = clients.find(client_id);
  if (c == clients.end()) return;
  client_state cs = c->second;
  clients.erase(c);
  std::erase_if(tasks, [&](const auto& kv) { return kv.second.client == client_id; });
  answer_client(cs, std::move(o));
}

void engine::impl::retry(std::uint64_t task_id, time_ms now) {
  auto it = tasks.find(task_id);
  if (it == tasks.end()) return;
  task& t = it->second;
  if (t.step == task_step::sub) t.step = task_step::query;
  if (t.step == task_step::keys) {
    send(t, wire::question{t.cut.zone, rtype::key}, now);
  } else if (!t.find_cuts.empty()) {
    send_find_cut(t, now);
  } else {
    advance(task_id, now);
  }
}

}  // namespace cidns::resolve
