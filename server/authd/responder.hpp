// cidns-authd's message handler: bytes in, reply bytes out. Decodes the query,
// answers from the current zone snapshot, applies the UDP size limit, counts.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cidns/net/server.hpp"
#include "query_stats.hpp"
#include "zone_set.hpp"

namespace cidns::authd {

class responder final : public net::query_handler {
 public:
  responder(const zone_registry& zones, query_stats& stats) : m_zones(zones), m_stats(stats) {}

  void handle(std::span<const std::uint8_t> query, const net::peer_info& from,
              std::string& reply) override;

  // The same without sockets (tests, fuzzing): false when nothing is to be sent
  // (undecodable garbage, or a message that is itself a reply).
  bool respond(std::string_view query, bool udp, std::string& reply);

 private:
  const zone_registry& m_zones;
  query_stats& m_stats;
};

}  // namespace cidns::authd
