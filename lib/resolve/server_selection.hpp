// What the engine remembers about upstream servers: a smoothed RTT per address (srtt = 7/8
// srtt + 1/8 sample; unknown addresses start at a small random value so that each gets
// tried), a timeout penalty, and lame marks per (zone, address) that expire.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <utility>

#include "cidns/name/identifier.hpp"
#include "cidns/resolve/engine.hpp"

namespace cidns::resolve {

class server_selection {
 public:
  explicit server_selection(std::function<std::uint64_t()> random) : m_random(std::move(random)) {}

  // The smoothed RTT in ms (a fresh address gets a random 1..16 ms).
  std::uint32_t srtt(const server_address& a);
  bool known(const server_address& a) const { return m_srtt.contains(a); }
  void on_rtt(const server_address& a, std::uint32_t sample_ms);
  void on_timeout(const server_address& a, time_ms timeout);

  void mark_lame(const name::identifier& zone, const server_address& a, time_ms until);
  bool lame(const name::identifier& zone, const server_address& a, time_ms now) const;

  // How long to wait for `a`: the configured first timeout for unknown addresses, else about
  // four SRTTs within [100 ms, first].
  time_ms timeout_for(const server_address& a, time_ms first) const;

 private:
  std::function<std::uint64_t()> m_random;
  std::map<server_address, std::uint32_t> m_srtt;
  std::map<std::pair<std::string, server_address>, time_ms> m_lame;  // (zone text, address)
};

}  // namespace cidns::resolve
