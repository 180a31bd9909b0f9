// The engine's private state (engine.hpp): client questions, the tasks that resolve them
// (a client's question, the address of a server name, each with its own zone cut), the
// upstream exchanges in flight, and what is remembered about zones and servers. The methods
// are spread over engine_*.cpp, one step of the iteration each.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "cidns/resolve/engine.hpp"
#include "cidns/select/selector.hpp"
#include "reply_check.hpp"
#include "server_selection.hpp"

namespace cidns::resolve {

// A server name of a zone cut and the addresses known for it.
struct ns_entry {
  name::identifier name;
  std::vector<server_address> addrs;
  bool resolving = false;  // a sub-resolution of its ADDR runs
  bool failed = false;     // it ran and found nothing
};

// Where a task asks: the closest known zone and its servers, and how far trust reaches.
//   secure: `ds` is trusted; `keys` once fetched and validated;
//   insecure: proven unsigned (or below such a zone);
//   indeterminate: not validating.
struct zone_cut {
  name::identifier zone;
  std::vector<ns_entry> servers;
  security sec = security::indeterminate;
  std::vector<record::ds> ds;
  std::shared_ptr<const zone_keys> keys;
};

// A finished resolution.
struct outcome {
  wire::rcode rcode = wire::rcode::noerror;
  std::vector<record::rr> answer, authority;
  security state = security::indeterminate;
  std::optional<wire::extended_error> error;
  bool aa = false;

  static outcome fail(wire::error_code code, std::string text) {
    outcome o;
    o.rcode = wire::rcode::servfail;
    o.error = wire::extended_error{static_cast<std::uint32_t>(code), std::move(text)};
    return o;
  }
  static outcome bogus(const verdict& v) {
    outcome o = fail(v.code, v.reason);
    o.state = security::bogus;
    return o;
  }
};

// keys: fetching the cut's KEY; query: asking the question; sub: waiting for a server name's
// address; ds: finding the cut of a zone the cut's server answered for without a referral
// (task::find_cuts).
enum class task_step : std::uint8_t { keys, query, sub, ds };

struct task {
  std::uint64_t id = 0;
  std::uint64_t client = 0;
  std::uint64_t parent = 0;   // the task this sub-resolution serves; 0: a client's task
  std::size_t parent_ns = 0;  // which server name of the parent's cut
  unsigned depth = 0;         // sub-resolution depth
  bool validating = false;
  wire::question q;  // the current question (after CNAMEs)
  zone_cut cut;
  task_step step = task_step::query;
  std::vector<record::rr> chain;  // CNAME RRsets followed so far, with SIGs
  std::vector<name::identifier> seen;
  security chain_state = security::secure;
  unsigned links = 0, referrals = 0;
  std::map<server_address, unsigned> tries;  // at the current cut
  bool discover = false;                     // asks DISCOVER (engine_discover.cpp) instead of `q`
  // Zones below the cut whose DS (or proven absence) is asked of the cut's servers, because
  // they signed data those servers returned; back() is asked first (engine_signer.cpp).
  std::vector<name::identifier> find_cuts;
};

struct exchange {
  std::uint64_t token = 0;
  std::string selector;  // a DISCOVER's (never coalesced); empty for a QUERY
  server_address to;
  bool tcp = false;
  std::uint32_t id = 0;
  wire::question q;
  bool dnssec_ok = false;
  name::identifier zone;  // the bailiwick of the server
  time_ms sent = 0, deadline = 0;
  std::vector<std::uint64_t> waiters;  // task ids
};

struct client_state {
  std::uint64_t id = 0;
  wire::question q;
  std::uint32_t flags = 0;
  time_ms deadline = 0;
  unsigned upstream = 0;
  unsigned upstream_cap = 0;  // 0: engine_options::max_upstream_per_query
  bool discover = false;
};

// A client's DISCOVER in progress (engine_discover.cpp).
struct discovery {
  select::selector sel;
  std::string text;  // select::to_string(sel): the exchange's selector and the cache key
  name::identifier scope;
  unsigned pending = 0;                 // zones asked and not yet done
  std::deque<zone_cut> queued;          // child zones waiting for a slot
  std::vector<name::identifier> zones;  // every zone started or queued
  struct found {
    name::identifier name;
    std::vector<record::rr> records;  // DESC, STATE, EP with their SIGs
    record::desc desc;
    std::optional<record::state> state;
  };
  std::vector<found> results;
  std::vector<std::string> partial;  // "zone: why"
  security state = security::secure;
};

// A zone cut learned from a referral, kept until its NS TTL ends.
struct infra_zone {
  zone_cut cut;
  time_ms expires = 0;
};

struct engine::impl {
  impl(engine_options o, cache* c, std::function<std::uint64_t()> r);

  engine_options options;
  cache* store;
  std::function<std::uint64_t()> random;
  server_selection servers;
  engine_stats stats;

  std::uint64_t next_id = 1;
  std::map<std::uint64_t, client_state> clients;
  std::map<std::uint64_t, task> tasks;
  std::map<std::uint64_t, exchange> exchanges;
  // (qname, qtype, DO, zone) -> token: equal outstanding questions share one exchange.
  std::map<std::tuple<std::string, std::uint16_t, bool, std::string>, std::uint64_t> outstanding;
  std::map<name::identifier, infra_zone, name::canonical_less> infra;
  std::shared_ptr<const zone_keys> root_keys;
  time_ms root_keys_expire = 0;
  std::vector<upstream_query> queries;
  std::vector<client_answer> answers;
  std::map<std::uint64_t, discovery> discoveries;  // by client id

  bool validating(std::uint32_t flags) const {
    return options.anchor.has_value() && (flags & wire::flag::cd) == 0;
  }
  bool upstream_do() const { return options.anchor.has_value(); }
  template <typename... A>
  void trace(fmt::format_string<A...> f, A&&... a) {
    if (options.trace) options.trace(fmt::format(f, std::forward<A>(a)...));
  }

  // engine_iterate.cpp: moving a task along.
  std::uint64_t new_task(std::uint64_t client, const wire::question& q, bool validate, time_ms now);
  zone_cut closest_cut(const name::identifier& qname, bool validate, time_ms now);
  // Counts one upstream query; false: the work cap was hit.
  bool charge(std::uint64_t client_id, time_ms now);
  void advance(std::uint64_t task_id, time_ms now);
  void send(task& t, const wire::question& q, time_ms now);
  std::optional<server_address> pick(task& t, time_ms now);
  bool start_sub(task& t, time_ms now);
  void unreachable(task& t, time_ms now);
  void finish(std::uint64_t task_id, outcome o, time_ms now);
  void abort_client(std::uint64_t client_id, outcome o);
  void retry(std::uint64_t task_id, time_ms now);

  // engine_reply.cpp: consuming a reply.
  void accept(exchange ex, wire::message reply, time_ms now);
  void handle(task& t, const exchange& ex, wire::message reply, time_ms now);
  void handle_keys(task& t, const exchange& ex, const wire::message& reply, time_ms now);
  void handle_referral(task& t, const exchange& ex, const wire::message& reply, const classified& c,
                       time_ms now);
  void handle_answer(task& t, const wire::message& reply, const classified& c, time_ms now);
  void follow_cname(task& t, const classified& c, const std::optional<name::identifier>& signer,
                    time_ms now);
  void handle_negative(task& t, const wire::message& reply, const classified& c, time_ms now);
  void lame(task& t, const exchange& ex, std::string_view why, time_ms now);
  void expire(std::uint64_t token, time_ms now, bool timeout);

  // engine_answer.cpp: the client's answer.
  void answer_client(const client_state& c, outcome o);

  // engine_cache.cpp: the cache, when there is one.
  std::optional<outcome> from_cache(const wire::question& q, bool validate, time_ms now,
                                    bool stale);
  void cache_answer(const wire::question& q, const std::vector<record::rr>& records, security s,
                    bool aa, time_ms now);
  void cache_negative(const wire::question& q, bool nxdomain, const wire::message& reply,
                      security s, time_ms now);
  void cache_referral(const zone_cut& child, const wire::message& reply, time_ms now);
  void cache_keys(const name::identifier& zone, const std::vector<record::rr>& keys, time_ms now);
  void cache_no_ds(const name::identifier& child, const wire::message& reply, time_ms now);
  void cache_nsecs(const name::identifier& zone, const wire::message& reply, std::uint32_t ttl,
                   time_ms now);
  void cache_bogus(const wire::question& q, const verdict& v, time_ms now);
  void fail_bogus(task& t, const verdict& v, time_ms now);  // caches, then finishes the task

  // engine_cuts.cpp: zone cuts read back from the cache (after a restart, or learned by
  // another process sharing it).
  std::optional<zone_cut> cut_from_cache(const name::identifier& zone, bool validate, time_ms now);
  std::shared_ptr<const zone_keys> keys_from_cache(const name::identifier& zone,
                                                   std::span<const record::ds> ds, time_ms now,
                                                   time_ms& expires);
  void remember_cut(const zone_cut& cut, time_ms expires, time_ms now);

  // engine_aggressive.cpp: a denial synthesised from cached validated NSEC (RFC 8198).
  bool synthesise(task& t, time_ms now);

  // engine_discover.cpp: DISCOVER fan-out over the zones under a scope.
  wire::message query_message(const exchange& ex) const;
  void forget(const exchange& ex);  // its coalescing entry, if it still holds it
  void handle_discover(task& t, const wire::message& reply, time_ms now);
  void discover_zone(std::uint64_t client_id, zone_cut cut, time_ms now);
  void discover_task_done(task t, const std::optional<std::string>& failure, time_ms now);
  void discover_complete(std::uint64_t client_id, bool timed_out, time_ms now);
  bool discover_from_cache(const client_state& c, const discovery& d, time_ms now);
  // The child's cut from a referral or a DISCOVER's authority section: its servers with
  // glue, and (validating) its DS checked with the task's keys. Bogus DS: the verdict.
  std::optional<verdict> child_cut(const task& t, const wire::message& reply,
                                   const name::identifier& child, time_ms now, zone_cut& out,
                                   std::uint32_t& ttl);

  // engine_signer.cpp: data signed by a zone below the cut (one server for both zones).
  bool follow_signer(task& t, const name::identifier& signer, time_ms now);
  void handle_ds(task& t, const exchange& ex, const wire::message& reply, time_ms now);
  void send_find_cut(task& t, time_ms now);
};

// The zone below `cut_zone` that signed `records` (a SIG by a zone strictly below the cut, over
// data at or below that zone), when there is one and no SIG of `records` is by the cut.
std::optional<name::identifier> deeper_signer(std::span<const record::rr> records,
                                              const name::identifier& cut_zone);

// engine_validation.cpp: the chain of trust, one link at a time.
verdict check_keys(const zone_cut& cut, std::span<const record::rr> answer, std::uint64_t now_s,
                   zone_keys& out);
verdict check_ds(const zone_keys& parent, const name::identifier& child,
                 std::span<const record::rr> authority, std::uint64_t now_s,
                 std::vector<record::ds>& out);
verdict check_rrset(const zone_keys& keys, std::span<const record::rr> rrset_and_sigs,
                    std::span<const record::rr> authority, std::uint64_t now_s);
verdict check_denial(const zone_keys& keys, bool nxdomain, const wire::question& q,
                     std::span<const record::rr> authority, std::uint64_t now_s);

// Lowest TTL of `records` (0 when empty).
std::uint32_t min_ttl(std::span<const record::rr> records);
security combine(security a, security b);

}  // namespace cidns::resolve
