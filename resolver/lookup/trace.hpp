// cidns-lookup --trace: iterate from the root servers itself, printing each step and the
// validation of each link (DESIGN §8). The options are parsed and checked by main.cpp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::lookup {

struct trace_options {
  name::identifier name;
  record::rtype type = record::rtype::resource;
  std::vector<net::endpoint> roots;  // --root ADDR[:PORT], repeatable
  std::string trust_anchor;          // --trust-anchor FILE ("" when not given)
  bool json = false;
  bool tcp = false;
  std::chrono::milliseconds timeout{2000};
};

// Prints the trace; returns the exit code (DESIGN §8: 0 answer, 1 NXDOMAIN/NODATA,
// 2 failure, 3 referral).
int run_trace(const trace_options& options);

}  // namespace cidns::lookup
