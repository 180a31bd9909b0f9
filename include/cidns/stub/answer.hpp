// What a resolver's reply means to an application: its kind (answer, NXDOMAIN, NODATA,
// referral, failure: the exit codes of DESIGN §8) and its validation state as the
// resolver reports it (AD, or SERVFAIL with a DNSSEC extended error).
#pragma once

#include <string>
#include <string_view>

#include "cidns/wire/message.hpp"

namespace cidns::stub {

enum class outcome {
  answer,    // NOERROR with records in the answer section
  nxdomain,  // the name does not exist
  nodata,    // the name exists, not with this type (SOA, or nothing, in authority)
  referral,  // no answer, NS in authority (an authoritative server's delegation)
  failure,   // SERVFAIL, REFUSED, FORMERR, NOTIMP, ...
};
std::string_view outcome_name(outcome o);  // "answer", "nxdomain", ...
outcome classify(const wire::message& reply);
// DESIGN §8: 0 answer, 1 NXDOMAIN or NODATA, 2 failure, 3 referral.
int exit_code(outcome o);

// The validation state the resolver gave the reply:
//   secure    AD set;
//   bogus     SERVFAIL with an extended error of a DNSSEC code (its text is the reason);
//   insecure  anything else (the reason says "not validated ..." when the resolver's
//             extended error says so).
enum class validation { insecure, secure, bogus };
std::string_view validation_name(validation v);  // "insecure", "secure", "bogus"

struct validation_state {
  validation state = validation::insecure;
  std::string reason;
  // "secure", "insecure", "insecure (not validated: no trust anchor)", "bogus: REASON".
  std::string text() const;
};
validation_state validation_of(const wire::message& reply);

// True for extended error codes that report a DNSSEC failure (signature expired, DS
// digest mismatch, ...).
bool is_dnssec_error(std::uint32_t code);

}  // namespace cidns::stub
