// Discovery through the stub (DESIGN §7–8): the DISCOVER query (the scope as question name,
// the selector text as it is) and its reply made into resources — each one's descriptor,
// state and endpoints (ordered as resolve() orders them) — in the resolver's result order,
// with the partial-result warning and the validation state. The selector is not parsed here:
// the resolver (or server) evaluates it and reports its errors.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/stub/answer.hpp"
#include "cidns/stub/resolver.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::stub {

// The largest reply a DISCOVER asks for over UDP (servers cap it; TC then retries over TCP).
inline constexpr std::uint32_t discover_max_size = wire::max_udp_size;

// One matching resource.
struct discovered {
  name::identifier name;
  std::optional<record::desc> descriptor;
  std::optional<record::state> availability;
  std::vector<record::ep> endpoints;  // by priority, weighted random among equals
  // The reply's records at this name (DESC, STATE, EP, and their SIGs with DO), in the
  // reply's order: what --json and --dnssec show as received.
  std::vector<record::rr> records;
  validation_state validation;  // the reply's (the resolver sets AD only when all are secure)
};

struct discovery {
  std::vector<discovered> resources;  // the result order: first appearance of each owner
  bool partial = false;               // extended error PARTIAL_RESULT: valid but incomplete
  std::string partial_reason;         // its text (the zones that did not answer, or bogus)
  // NS owners in the authority section (an authoritative server asked directly returns the
  // delegations under the scope; a resolver follows them): in order, without duplicates.
  std::vector<name::identifier> delegations;
  // answer: something matched; nodata: NOERROR and nothing matched; nxdomain: no such
  // scope; failure: SERVFAIL (bogus included), REFUSED, FORMERR, NOTIMP, ...
  outcome kind = outcome::failure;
  validation_state validation;
  lookup_result lookup;  // the reply itself
};

// The DISCOVER message: opcode DISCOVER, question (scope, RESOURCE), the selector text, a
// random id, RD unless norec, DO and CD as asked, max_size discover_max_size.
wire::message make_discover(std::string_view selector, const name::identifier& scope,
                            const query_options& options);

// Builds a discovery from a DISCOVER reply: groups the answer's DESC, STATE and EP records
// by owner (undecodable records skipped; an owner left with nothing is dropped), orders each
// resource's endpoints with `rng`, and reads PARTIAL_RESULT and the delegations.
discovery make_discovery(lookup_result looked_up, std::mt19937_64& rng);

// The exit code of a discovery (DESIGN §8, issue 8): 0 something matched, 1 nothing matched
// (NOERROR with no resource, or no such scope), 2 failure.
int exit_code(const discovery& d);

}  // namespace cidns::stub
