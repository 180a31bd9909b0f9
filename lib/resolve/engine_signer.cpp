// Data signed by a zone below the cut (engine_state.hpp): a server that serves a zone and a
// zone below it answers for the lower one directly, without a referral (a CNAME chain that
// crosses into it, or a question about it). Its RRsets are validated with the keys of the zone
// that signed them: the DS of that zone (or its proven absence) is asked of the same servers,
// validated with the cut's keys, and the task goes on from the new cut (its KEY fetched and
// validated as for any cut). A signer below an intermediate zone is reached one cut at a time.
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

std::uint64_t seconds(time_ms now) { return now / 1000; }

}  // namespace

bool engine::impl::follow_signer(task& t, const name::identifier& signer, time_ms now) {
  if (++t.referrals > options.max_referrals) {
    finish(t.id,
           outcome::fail(wire::error_code::other,
                         fmt::format("more than {} referrals", options.max_referrals)),
           now);
    return false;
  }
  trace("{} answered for {} below {}: finding its cut", t.q.name.text(), signer.text(),
        t.cut.zone.text());
  t.find_cuts.assign(1, signer);
  t.tries.clear();
  send_find_cut(t, now);
  return true;
}

void engine::impl::send_find_cut(task& t, time_ms now) {
  t.step = task_step::ds;
  send(t, wire::question{t.find_cuts.back(), rtype::ds}, now);
}

void engine::impl::handle_ds(task& t, const exchange& ex, const wire::message& reply, time_ms now) {
  const name::identifier target = t.find_cuts.back();
  const auto c = classify(reply, ex.q, t.cut.zone, 0);
  if (c.kind == reply_kind::referral) {  // the zone between is served elsewhere
    t.find_cuts.clear();
    handle_referral(t, ex, reply, c, now);
    return;
  }
  if (c.kind == reply_kind::lame) {
    lame(t, ex, c.why, now);
    return;
  }
  if (c.kind != reply_kind::answer && c.kind != reply_kind::nodata) {
    // A CNAME or no name at all: the signer the data claimed is no zone.
    fail_bogus(t,
               verdict::bogus(wire::error_code::dnssec_bogus,
                              fmt::format("signer {} of data below {} is not a zone", target.text(),
                                          t.cut.zone.text())),
               now);
    return;
  }
  const auto& section = c.kind == reply_kind::answer ? reply.answer : reply.authority;
  const auto ds_set = rrset_at(reply.answer, target, rtype::ds);
  // Signed by a zone between the cut and the target: find that one's cut first.
  if (auto between = deeper_signer(
          c.kind == reply_kind::answer ? std::span(ds_set) : std::span(reply.authority),
          t.cut.zone);
      between && target.is_part_of(*between) && *between != target) {
    if (++t.referrals > options.max_referrals) {
      finish(t.id, outcome::fail(wire::error_code::other, "too many zone cuts"), now);
      return;
    }
    t.find_cuts.push_back(*between);
    t.tries.clear();
    send_find_cut(t, now);
    return;
  }
  zone_cut child;
  child.zone = target;
  child.servers = t.cut.servers;  // the servers that answered for it
  for (auto& ns : child.servers) ns.resolving = false;
  const auto v = check_ds(*t.cut.keys, target, section, seconds(now), child.ds);
  if (v.is_bogus()) {
    trace("cut {} below {}: DS bogus: {}", target.text(), t.cut.zone.text(), v.reason);
    fail_bogus(t, v, now);
    return;
  }
  child.sec = v.state;
  const auto used = c.kind == reply_kind::answer ? ds_set : rrset_at(section, target, rtype::nsec);
  trace("cut {} below {} on the same servers, {}", target.text(), t.cut.zone.text(),
        v.is_secure() ? "DS secure" : "insecure (no DS)");
  remember_cut(child, now + 1000ULL * std::max<std::uint32_t>(min_ttl(used), 1), now);
  if (v.state == security::insecure) cache_no_ds(target, reply, now);
  t.find_cuts.pop_back();
  t.cut = std::move(child);
  t.tries.clear();
  if (!t.find_cuts.empty()) {
    send_find_cut(t, now);
  } else {
    advance(t.id, now);
  }
}

}  // namespace cidns::resolve
