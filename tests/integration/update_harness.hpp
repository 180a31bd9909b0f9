// What the UPDATE and transfer tests share: the clock, polling until a condition holds, a
// STATE change (of h100-8x.pool1 by default) as an UPDATE message, and the STATE a server
// serves.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd_harness.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "unit/net/test_support.hpp"

namespace cidns::itest {

inline std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

inline std::string state_data(std::string_view text) {
  auto tokens = record::tokenize_line(text).value();
  return record::parse_data(rtype::state, tokens, name::identifier()).value();
}

using net::testing::eventually;

// An UPDATE replacing `owner`'s STATE with `state` (unsigned).
inline wire::message state_update(std::string_view state, std::string_view owner = h100) {
  wire::message m;
  m.id = next_id();
  m.opcode = wire::opcode::update;
  m.question = wire::question{name::identifier::parse(provx).value(), rtype::soa};
  const auto at = name::identifier::parse(owner).value();
  m.changes.push_back({wire::change_kind::delete_rrset, record::rr{at, rtype::state, 0, {}}});
  m.changes.push_back(
      {wire::change_kind::add, record::rr{at, rtype::state, 30, state_data(state)}});
  return m;
}

// h100-8x.pool1's STATE as `server` serves it, "(none)" when it does not.
inline std::string served_state(const net::endpoint& server) {
  auto r = udp_ask(server, make_query(h100, rtype::state));
  if (!r || r->answer.empty()) return "(none)";
  return record::format_data(rtype::state, r->answer.front().data);
}

}  // namespace cidns::itest
