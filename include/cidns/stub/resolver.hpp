// The stub resolver applications link (DESIGN §8): asks the configured resolvers one
// question (UDP, TCP after TC; random id; replies matched by id and question; timeout and
// failover across resolvers) and turns a resource's reply into its descriptor, state and
// ordered endpoints. Sync forms block the caller; async forms run on the caller's
// io_context and call back there.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/stub/answer.hpp"
#include "cidns/stub/config.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::stub {

struct query_options {
  bool dnssec = false;  // DO: ask for SIGs and denial proofs
  bool cd = false;      // CD: ask the resolver not to validate
  bool tcp = false;     // TCP from the start
  bool norec = false;   // clear RD (ask an authoritative server for its own data)
};

// One reply and where it came from.
struct lookup_result {
  wire::message reply;
  net::endpoint server;                  // the server that answered
  bool tcp = false;                      // the reply came over TCP
  bool retried_after_tc = false;         // UDP said TC and the question was asked again over TCP
  std::size_t size = 0;                  // bytes of the reply
  std::chrono::microseconds elapsed{0};  // from sending to the server that answered
  outcome kind = outcome::failure;
  validation_state validation;
};

// A resource (query type RESOURCE): the records at the name, after any CNAMEs.
struct resolution {
  name::identifier name;       // as asked
  name::identifier canonical;  // after CNAMEs (equal to name without one)
  std::optional<record::desc> descriptor;
  std::optional<record::state> availability;
  std::vector<record::ep> endpoints;  // by priority, weighted random among equals
  outcome kind = outcome::failure;
  validation_state validation;
  lookup_result lookup;  // the reply itself
};

using lookup_handler = std::function<void(result<lookup_result>)>;
using resolve_handler = std::function<void(result<resolution>)>;

// A DISCOVER's result (cidns/stub/discover.hpp: include it to call discover()).
struct discovery;
using discover_handler = std::function<void(result<discovery>)>;

// The query message lookup() sends (random id, RD unless norec, DO, CD, max_size).
wire::message make_query(const name::identifier& name, record::rtype type,
                         const query_options& options);

// Builds a resolution from a RESOURCE reply: decodes DESC, STATE and EP at the end of the
// CNAME chain (undecodable records are skipped) and orders the endpoints with `rng`.
resolution make_resolution(const name::identifier& name, lookup_result looked_up,
                           std::mt19937_64& rng);

class resolver {
 public:
  // The configuration from CIDNS_RESOLVER, /etc/cidns/resolv.conf or the default;
  // errors name their source.
  static result<resolver> from_system();
  explicit resolver(resolver_config config);

  const resolver_config& config() const noexcept { return m_config; }

  // An error only when no server gave a matching reply (all timed out or failed); any
  // reply, SERVFAIL and REFUSED included, is a value with its kind and validation state.
  result<lookup_result> lookup(const name::identifier& name, record::rtype type,
                               const query_options& options = {}) const;
  void async_lookup(boost::asio::io_context& io, const name::identifier& name, record::rtype type,
                    const query_options& options, lookup_handler done) const;

  // lookup(name, RESOURCE) made into a resolution.
  result<resolution> resolve(const name::identifier& name, const query_options& options = {}) const;
  void async_resolve(boost::asio::io_context& io, const name::identifier& name,
                     const query_options& options, resolve_handler done) const;

  // A DISCOVER of `selector` (sent as it is) under `scope` made into a discovery
  // (discover.hpp); an error only when no server gave a matching reply.
  result<discovery> discover(std::string_view selector, const name::identifier& scope,
                             const query_options& options = {}) const;
  void async_discover(boost::asio::io_context& io, std::string_view selector,
                      const name::identifier& scope, const query_options& options,
                      discover_handler done) const;

  // Sends `query` as it is (the caller chose id and flags): the building block of the above.
  void async_exchange(boost::asio::io_context& io, wire::message query, bool tcp,
                      lookup_handler done) const;

 private:
  resolver_config m_config;
};

}  // namespace cidns::stub
