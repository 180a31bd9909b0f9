// cidns-lookup --discover: the table a person reads at a glance and the JSON for scripts
// (docs/cidns-lookup.md). Pure formatting of a stub::discovery; main.cpp sends the query.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/stub/discover.hpp"

namespace cidns::lookup {

// What was asked, shown with the result.
struct discover_request {
  std::string selector;
  name::identifier scope;  // the root when --in is not given
  bool dnssec = false;     // --dnssec: also list the records as received, SIGs included
};

// One row of the table: the cells of a resource, "-" where the value is absent.
struct discover_row {
  std::string name;        // h100-8x.pool1.provx.cn-north.
  std::string kind;        // gpu
  std::string accel;       // h100 ×8
  std::string memory;      // 80GiB (per accelerator)
  std::string region;      // cn-north
  std::string price;       // 2.5 CNY/accel-hour
  std::string free;        // 3
  std::string endpoint;    // grpc gw1.provx.example:443 (the first in resolution order)
  std::string validation;  // secure
};
discover_row make_row(const stub::discovered& r);

// The text output: the table (when something matched), then the lines ";; PARTIAL: …",
// ";; delegations not followed: …", ";; N resources, VALIDATION" (or the failure),
// and the server line. Ends with a newline.
std::string format_discovery(const stub::discovery& d, const discover_request& asked);

// {"scope", "selector", "outcome", "rcode", "resources": [{"name", "desc", "state",
//  "endpoints", "validation"}], "partial", "partial_reason", "delegations", "validation",
//  "server", "transport", "size", "time_ms"} (+ "error" when the reply has one; each
// resource's "records" with --dnssec). desc/state/endpoints are the "data" objects of the
// shared record shape (record::to_json).
nlohmann::json discovery_to_json(const stub::discovery& d, const discover_request& asked);

}  // namespace cidns::lookup
