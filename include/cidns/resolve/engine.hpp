// The resolution core (DESIGN §6; Knot Resolver's I/O-free library as the model): it is told
// a client's question, says which upstream queries to send where, consumes their replies and
// timeouts, and produces the client's answer, validated from the trust anchor down. It never
// touches a socket or a clock: cidns-resolverd drives it over Asio (one engine per worker
// thread), scenario tests with an in-memory transport and a fake clock, and `cidns-lookup
// --trace` synchronously with blocking sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/resolve/cache.hpp"
#include "cidns/resolve/types.hpp"
#include "cidns/resolve/validator.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::resolve {

// An upstream server: raw address bytes (4 or 16, network order, as record::addr holds them)
// and a port. No Asio here; the daemon converts.
struct server_address {
  std::string ip;
  std::uint16_t port = 5380;
  std::string to_string() const;  // "127.0.0.2:5380", "[::1]:5380"
  static std::optional<server_address> parse(std::string_view text);  // same forms
  friend bool operator==(const server_address&, const server_address&) = default;
  friend auto operator<=>(const server_address&, const server_address&) = default;
};

// Bounds of one DISCOVER (DESIGN §7): zones asked at once, zones asked in all, and the time
// after which the results so far are answered (the zones still out named as partial).
struct discovery_limits {
  unsigned max_parallel = 16;
  unsigned max_zones = 1000;
  time_ms deadline = 3000;
};

struct engine_options {
  std::vector<server_address> root_servers;  // at least one
  std::optional<trust_anchor> anchor;        // none: nothing validated, answers "insecure"
  std::uint32_t udp_size = 1232;             // max_size of upstream queries
  time_ms upstream_timeout = 1500;           // first try; later tries follow the server's SRTT
  time_ms client_deadline = 6000;            // a client query ends SERVFAIL after this
  unsigned max_upstream_per_query = 40;      // the work cap: upstream queries one client
                                             // question may cause, sub-resolutions included
  unsigned max_cname_links = 8;
  unsigned max_referrals = 24;
  unsigned tries_per_server = 2;
  bool serve_stale = true;  // expired cache data when every server of a zone fails
  discovery_limits discovery;
  // Every step of an iteration (sent, received, referral followed, link validated), for
  // `cidns-lookup --trace` and debug logging. Null: no tracing cost.
  std::function<void(std::string_view line)> trace;
};

// An exchange the driver must carry out: send `bytes` to `to` (over TCP when `tcp`), then
// call on_reply with what came back from there, or on_failure.
struct upstream_query {
  std::uint64_t token = 0;
  server_address to;
  bool tcp = false;
  std::string bytes;  // encoded query with a fresh random id
  time_ms deadline = 0;
};

// A finished client question. `reply` is complete except for the id, cookie and max_size,
// which the driver sets from the client's query; QR, RA, RD copied, AD only when secure and
// the client asked for it (AD or DO set), SIGs and proofs only when DO was set, the extended
// error for bogus and failure answers.
struct client_answer {
  std::uint64_t client = 0;  // what start() returned
  wire::message reply;
  security state = security::indeterminate;
};

struct engine_stats {
  std::uint64_t client_queries = 0, cache_answers = 0, upstream_queries = 0, upstream_timeouts = 0,
                upstream_ignored = 0;  // spoofed, mismatched, garbage
  std::uint64_t secure = 0, insecure = 0, bogus = 0, indeterminate = 0, servfail = 0;
  std::uint64_t coalesced = 0, work_cap_hits = 0;
  std::uint64_t rtt_sum_ms = 0, rtt_count = 0;
  std::uint64_t discoveries = 0, discovery_cache_answers = 0, discovery_zones = 0,
                discovery_partial = 0,
                discovery_dropped = 0;  // results dropped: bogus, or not matching the selector
};

class engine {
 public:
  // `store` may be null (tracing from the root: nothing is remembered between questions).
  // `random` gives query ids (and anything else that must be unpredictable).
  engine(engine_options options, cache* store, std::function<std::uint64_t()> random);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // A client's question with its flags (RD, CD, DO, AD as sent). A cache hit is answered at
  // once (take_answers right after returns it, no upstream query).
  std::uint64_t start(const wire::question& q, std::uint32_t flags, time_ms now);

  // A client's DISCOVER: scope `q.name`, a parsed selector. The scope's servers are asked,
  // the delegations they return inside the scope followed in parallel (discovery_limits;
  // `deadline`, when not 0, may shorten the configured one), every RRset validated, the
  // results merged, ordered and cut to the selector's limit; zones that failed or did not
  // answer in time are named in a PARTIAL_RESULT error. Complete results are cached by
  // (scope, selector) for their smallest TTL.
  std::uint64_t start_discover(const wire::question& q, const select::selector& s,
                               std::uint32_t flags, time_ms now, time_ms deadline = 0);

  // The reply to `token` came from `from` over the transport it was sent on. Ignored (and
  // counted) unless id, question and source match the query; the engine may then keep
  // waiting for the real reply until the deadline.
  void on_reply(std::uint64_t token, const server_address& from, std::string_view bytes,
                time_ms now);
  // The exchange failed before a reply (network error, refused, TCP closed).
  void on_failure(std::uint64_t token, time_ms now);
  // Expires exchanges and client questions past their deadlines.
  void tick(time_ms now);

  std::vector<upstream_query> take_queries();
  std::vector<client_answer> take_answers();
  // The earliest deadline of anything outstanding; nullopt when idle.
  std::optional<time_ms> next_deadline() const;

  engine_stats stats() const;

  struct impl;

 private:
  std::unique_ptr<impl> m_impl;
};

}  // namespace cidns::resolve
