// Consuming an accepted upstream reply (engine_state.hpp): TC to TCP, bailiwick filtering,
// then per waiting task the key fetch, a referral (with its DS link), an answer or CNAME
// chain, a denial, or a lame server; and exchanges that time out or fail.
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

constexpr time_ms lame_for_ms = 10 * 60 * 1000;

std::uint64_t seconds(time_ms now) { return now / 1000; }

// The TTL of a negative answer: its SOA's, capped by the SOA's negative TTL (60 s without one).
std::uint32_t negative_ttl(const wire::message& reply) {
  std::uint32_t ttl = 60;
  for (const auto& r : reply.authority) {
    if (r.type != rtype::soa) continue;
    auto soa = record::soa::decode(r.data);
    ttl = soa ? std::min(r.ttl, soa->negative_ttl) : r.ttl;
  }
  return ttl;
}

// The records of `answer` a classification uses: each CNAME link, then the data at the end.
std::vector<std::vector<record::rr>> used_rrsets(const wire::message& reply,
                                                 const wire::question& q, const classified& c) {
  std::vector<std::vector<record::rr>> out;
  for (const auto& owner : c.chain) out.push_back(rrset_at(reply.answer, owner, rtype::cname));
  if (c.kind == reply_kind::answer) {
    if (q.type == rtype::resource) {
      for (rtype t : {rtype::desc, rtype::state, rtype::ep}) {
        auto s = rrset_at(reply.answer, c.final_name, t);
        if (!s.empty()) out.push_back(std::move(s));
      }
    } else {
      out.push_back(rrset_at(reply.answer, c.final_name, q.type));
    }
  }
  return out;
}

}  // namespace

void engine::impl::accept(exchange ex, wire::message reply, time_ms now) {
  if (reply.has_flag(wire::flag::tc) && !ex.tcp) {
    trace("truncated reply from {}: retrying over TCP", ex.to.to_string());
    // The TCP retry is upstream work like any other: charged to each waiting client.
    std::vector<std::uint64_t> charged;
    for (auto id : ex.waiters) {
      auto it = tasks.find(id);
      if (it == tasks.end()) continue;
      const auto client = it->second.client;
      if (std::find(charged.begin(), charged.end(), client) != charged.end()) continue;
      if (charge(client, now)) charged.push_back(client);
    }
    std::erase_if(ex.waiters, [&](std::uint64_t id) { return !tasks.contains(id); });
    if (ex.waiters.empty()) return;
    exchange again = ex;
    again.token = next_id++;
    again.tcp = true;
    again.id = static_cast<std::uint32_t>(random());
    again.sent = now;
    again.deadline = now + options.upstream_timeout;
    queries.push_back(upstream_query{again.token, again.to, true,
                                     wire::encode(query_message(again)), again.deadline});
    ++stats.upstream_queries;
    if (again.selector.empty()) {
      outstanding[{again.q.name.text(), static_cast<std::uint16_t>(again.q.type), again.dnssec_ok,
                   again.zone.text()}] = again.token;
    }
    exchanges.emplace(again.token, std::move(again));
    return;
  }
  const auto dropped = drop_out_of_bailiwick(reply, ex.zone);
  if (dropped > 0) trace("dropped {} record(s) outside {}", dropped, ex.zone.text());
  for (auto id : ex.waiters) {
    auto it = tasks.find(id);
    if (it == tasks.end()) continue;
    handle(it->second, ex, reply, now);
  }
}

void engine::impl::handle(task& t, const exchange& ex, wire::message reply, time_ms now) {
  const bool keys = t.step == task_step::keys;
  const bool ds = t.step == task_step::ds && !t.find_cuts.empty();
  const wire::question expected = keys ? wire::question{t.cut.zone, rtype::key}
                                  : ds ? wire::question{t.find_cuts.back(), rtype::ds}
                                       : t.q;
  if (t.cut.zone != ex.zone || ex.q != expected) {
    retry(t.id, now);  // it moved on meanwhile: ask again for what it needs now
    return;
  }
  if (keys) {
    handle_keys(t, ex, reply, now);
    return;
  }
  if (t.discover) {  // the scope's zone answers; any other zone refers (or is lame)
    if (reply.rcode == wire::rcode::noerror && reply.has_flag(wire::flag::aa)) {
      handle_discover(t, reply, now);
      return;
    }
    const auto c = classify(reply, t.q, t.cut.zone, 0);
    if (c.kind == reply_kind::referral) {
      handle_referral(t, ex, reply, c, now);
    } else {
      lame(t, ex, c.kind == reply_kind::lame ? c.why : "not an answer to DISCOVER", now);
    }
    return;
  }
  if (ds) {
    handle_ds(t, ex, reply, now);
    return;
  }
  const auto c = classify(reply, t.q, t.cut.zone, options.max_cname_links);
  switch (c.kind) {
    case reply_kind::answer:
    case reply_kind::cname:
      handle_answer(t, reply, c, now);
      return;
    case reply_kind::referral:
      handle_referral(t, ex, reply, c, now);
      return;
    case reply_kind::nxdomain:
    case reply_kind::nodata:
      handle_negative(t, reply, c, now);
      return;
    case reply_kind::lame:
      lame(t, ex, c.why, now);
      return;
  }
}

void engine::impl::handle_keys(task& t, const exchange& ex, const wire::message& reply,
                               time_ms now) {
  const auto c = classify(reply, ex.q, t.cut.zone, 0);
  if (c.kind == reply_kind::lame || c.kind == reply_kind::referral) {
    lame(t, ex, c.kind == reply_kind::lame ? c.why : "referral for its own KEY", now);
    return;
  }
  auto keys = std::make_shared<zone_keys>();
  const auto v = check_keys(t.cut, reply.answer, seconds(now), *keys);
  if (!v.is_secure()) {
    trace("KEY {} {}: {}", t.cut.zone.text(), security_name(v.state), v.reason);
    fail_bogus(t, v, now);
    return;
  }
  trace("KEY {} secure ({} key(s))", t.cut.zone.text(), keys->keys.size());
  const auto key_rrset = rrset_at(reply.answer, t.cut.zone, rtype::key);
  const time_ms expires = now + 1000ULL * std::max<std::uint32_t>(min_ttl(key_rrset), 1);
  t.cut.keys = keys;
  if (t.cut.zone.is_root() || (options.anchor && t.cut.zone == options.anchor->zone)) {
    root_keys = keys;
    root_keys_expire = expires;
  }
  if (auto it = infra.find(t.cut.zone); it != infra.end() && it->second.cut.sec == t.cut.sec) {
    it->second.cut.keys = keys;
  }
  cache_keys(t.cut.zone, key_rrset, now);
  t.tries.clear();
  advance(t.id, now);
}

void engine::impl::handle_referral(task& t, const exchange& /*ex*/, const wire::message& reply,
                                   const classified& c, time_ms now) {
  if (++t.referrals > options.max_referrals) {
    finish(t.id,
           outcome::fail(wire::error_code::other,
                         fmt::format("more than {} referrals", options.max_referrals)),
           now);
    return;
  }
  zone_cut child;
  std::uint32_t ttl = 0;
  if (auto bogus = child_cut(t, reply, c.child, now, child, ttl)) {
    trace("referral to {}: DS bogus: {}", c.child.text(), bogus->reason);
    fail_bogus(t, *bogus, now);
    return;
  }
  const std::string link = !t.validating                     ? "unvalidated"
                           : child.sec == security::secure   ? "DS secure"
                           : t.cut.sec == security::insecure ? "insecure"
                                                             : "insecure (no DS)";
  trace("referral to {} ({} servers), {}", c.child.text(), child.servers.size(), link);
  // An unvalidated cut never replaces a live validated one.
  auto known = infra.find(c.child);
  if (known == infra.end() || known->second.expires <= now ||
      child.sec != security::indeterminate || known->second.cut.sec == security::indeterminate) {
    infra[c.child] = infra_zone{child, now + 1000ULL * std::max<std::uint32_t>(ttl, 1)};
  }
  cache_referral(child, reply, now);
  t.cut = std::move(child);
  t.tries.clear();
  advance(t.id, now);
}

std::optional<verdict> engine::impl::child_cut(const task& t, const wire::message& reply,
                                               const name::identifier& child, time_ms now,
                                               zone_cut& out, std::uint32_t& ttl) {
  out.zone = child;
  ttl = 0;
  for (const auto& r : reply.authority) {
    if (r.type != rtype::ns || r.owner != child) continue;
    auto ns = record::ns::decode(r.data);
    if (!ns) continue;
    ttl = ttl == 0 ? r.ttl : std::min(ttl, r.ttl);
    ns_entry e{ns->server, {}, false, false};
    for (const auto& g : reply.additional) {
      if (g.type != rtype::addr || g.owner != ns->server) continue;
      if (auto a = record::addr::decode(g.data); a && a->port > 0 && a->port <= 65535) {
        e.addrs.push_back(server_address{a->address, static_cast<std::uint16_t>(a->port)});
      }
    }
    out.servers.push_back(std::move(e));
  }
  if (!t.validating) return std::nullopt;
  if (t.cut.sec == security::insecure) {
    out.sec = security::insecure;
    return std::nullopt;
  }
  const auto v = check_ds(*t.cut.keys, child, reply.authority, seconds(now), out.ds);
  if (v.is_bogus()) return v;
  if (v.state == security::insecure) cache_no_ds(child, reply, now);
  out.sec = v.state;
  return std::nullopt;
}

void engine::impl::handle_answer(task& t, const wire::message& reply, const classified& c,
                                 time_ms now) {
  auto sets = used_rrsets(reply, t.q, c);
  security s = t.validating ? t.cut.sec : security::indeterminate;
  // A server of the cut that also serves a zone below it answers for that zone without a
  // referral: the chain is kept up to the first RRset that zone signed, and followed from
  // there once the zone's cut is found (engine_signer.cpp).
  classified cut_short;
  std::optional<name::identifier> signer;
  if (t.validating && t.cut.sec == security::secure) {
    for (std::size_t i = 0; i < sets.size() && !signer; ++i) {
      signer = deeper_signer(sets[i], t.cut.zone);
      if (!signer) continue;
      const std::size_t kept = std::min(i, c.chain.size());
      cut_short.kind = reply_kind::cname;
      cut_short.chain.assign(c.chain.begin(), c.chain.begin() + static_cast<std::ptrdiff_t>(kept));
      cut_short.final_name = kept < c.chain.size() ? c.chain[kept] : c.final_name;
      sets.resize(kept);
    }
    for (const auto& set : sets) {
      const auto v = check_rrset(*t.cut.keys, set, reply.authority, seconds(now));
      if (!v.is_secure()) {
        trace("answer {} {}: {}", t.q.name.text(), security_name(v.state), v.reason);
        fail_bogus(t, v, now);
        return;
      }
    }
  }
  const classified& k = signer ? cut_short : c;
  t.chain_state = combine(t.chain_state, s);
  const bool aa = reply.has_flag(wire::flag::aa);
  // Cache each link and the data, each under its own owner.
  for (std::size_t i = 0; i < k.chain.size(); ++i) {
    cache_answer(wire::question{k.chain[i], rtype::cname}, sets[i], s, aa, now);
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    t.chain.insert(t.chain.end(), sets[i].begin(), sets[i].end());
  }
  if (k.kind == reply_kind::answer) {
    std::vector<record::rr> data;
    for (std::size_t i = k.chain.size(); i < sets.size(); ++i) {
      data.insert(data.end(), sets[i].begin(), sets[i].end());
    }
    cache_answer(wire::question{k.final_name, t.q.type}, data, s, aa, now);
    trace("answer {} {} {}", k.final_name.text(), record::type_name(t.q.type),
          security_name(t.chain_state));
    outcome o;
    o.answer = std::move(t.chain);
    o.state = t.chain_state;
    o.aa = aa;
    finish(t.id, std::move(o), now);
    return;
  }
  follow_cname(t, k, signer, now);
}

void engine::impl::follow_cname(task& t, const classified& c,
                                const std::optional<name::identifier>& signer, time_ms now) {
  if (!c.chain.empty()) {
    for (const auto& owner : c.chain) {
      if (std::find(t.seen.begin(), t.seen.end(), owner) == t.seen.end()) t.seen.push_back(owner);
    }
    t.links += static_cast<unsigned>(c.chain.size());
    if (std::find(t.seen.begin(), t.seen.end(), c.final_name) != t.seen.end()) {
      finish(t.id, outcome::fail(wire::error_code::other, "CNAME loop at " + c.final_name.text()),
             now);
      return;
    }
    if (t.links > options.max_cname_links) {
      finish(t.id,
             outcome::fail(wire::error_code::other, fmt::format("CNAME chain longer than {} links",
                                                                options.max_cname_links)),
             now);
      return;
    }
    trace("CNAME {} -> {}", c.chain.back().text(), c.final_name.text());
    t.seen.push_back(c.final_name);
    t.q.name = c.final_name;
  }
  if (signer) {
    follow_signer(t, *signer, now);  // the same servers, once the signer's cut is known
    return;
  }
  // Follow the chain's last target from its closest cut.
  t.cut = closest_cut(c.final_name, t.validating, now);
  t.tries.clear();
  advance(t.id, now);
}

void engine::impl::handle_negative(task& t, const wire::message& reply, const classified& c,
                                   time_ms now) {
  const bool nxdomain = c.kind == reply_kind::nxdomain;
  security s = t.validating ? t.cut.sec : security::indeterminate;
  if (t.validating && t.cut.sec == security::secure) {
    if (auto signer = deeper_signer(reply.authority, t.cut.zone);
        signer && t.q.name.is_part_of(*signer)) {
      follow_signer(t, *signer, now);
      return;
    }
    const auto v = check_denial(*t.cut.keys, nxdomain, t.q, reply.authority, seconds(now));
    if (!v.is_secure()) {
      trace("{} {} {}: {}", nxdomain ? "NXDOMAIN" : "NODATA", t.q.name.text(),
            security_name(v.state), v.reason);
      fail_bogus(t, v, now);
      return;
    }
  }
  t.chain_state = combine(t.chain_state, s);
  cache_negative(t.q, nxdomain, reply, s, now);
  if (s == security::secure) cache_nsecs(t.cut.zone, reply, negative_ttl(reply), now);
  trace("{} {} {} {}", nxdomain ? "NXDOMAIN" : "NODATA", t.q.name.text(),
        record::type_name(t.q.type), security_name(t.chain_state));
  outcome o;
  o.rcode = nxdomain ? wire::rcode::nxdomain : wire::rcode::noerror;
  o.answer = std::move(t.chain);
  o.authority = reply.authority;
  o.state = t.chain_state;
  o.aa = reply.has_flag(wire::flag::aa);
  finish(t.id, std::move(o), now);
}

void engine::impl::lame(task& t, const exchange& ex, std::string_view why, time_ms now) {
  trace("lame server {} for {}: {}", ex.to.to_string(), t.cut.zone.text(), why);
  servers.mark_lame(t.cut.zone, ex.to, now + lame_for_ms);
  retry(t.id, now);
}

void engine::impl::expire(std::uint64_t token, time_ms now, bool timeout) {
  auto it = exchanges.find(token);
  if (it == exchanges.end()) return;
  exchange ex = std::move(it->second);
  exchanges.erase(it);
  forget(ex);
  if (timeout) ++stats.upstream_timeouts;
  servers.on_timeout(ex.to, options.upstream_timeout);
  trace("{} from {} for {} {}", timeout ? "timeout" : "failure", ex.to.to_string(),
        ex.q.name.text(), record::type_name(ex.q.type));
  for (auto id : ex.waiters) retry(id, now);
}

}  // namespace cidns::resolve
