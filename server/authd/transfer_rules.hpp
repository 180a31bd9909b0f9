// Who may transfer which zone, whom a primary notifies, and where a secondary gets its zones:
// the --allow-xfr, --notify and --secondary rules (and the config's allow-xfr, notify and
// secondary strings).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/net/endpoint.hpp"

namespace cidns::authd {

// "ZONE KEYNAME": requests signed with the key may transfer the zone.
struct xfr_rule {
  name::identifier zone;
  std::string key;  // canonical text
};

// "ZONE ADDR[:PORT] KEYNAME": a peer for the zone (the primary of a secondary zone, or a
// secondary a primary notifies), the messages to it signed with the key.
struct peer_rule {
  name::identifier zone;
  net::endpoint server;
  std::string key;  // canonical text
};

// Throw std::runtime_error naming `what` (the flag) and the problem.
xfr_rule parse_xfr_rule(std::string_view text);
peer_rule parse_peer_rule(std::string_view what, std::string_view text);

// Whether a rule lets `key` transfer `zone`.
bool xfr_allowed(const std::vector<xfr_rule>& rules, const name::identifier& zone,
                 std::string_view key) noexcept;

// Where a secondary keeps its copy of `zone`: STATE_DIR/secondary/ZONE.zone ("root.zone" for
// the root).
std::string secondary_copy_path(const std::string& state_dir, const name::identifier& zone);

}  // namespace cidns::authd
