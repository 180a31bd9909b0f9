// cidns-authd's message handler: bytes in, reply bytes out. Decodes the query,
// answers from the current zone snapshot, applies server cookies, response-rate
// limiting and the UDP size limit, counts.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "cidns/net/server.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/serve/cookies.hpp"
#include "cidns/serve/query_stats.hpp"
#include "cidns/serve/rrl.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
class update_handler;  // update_service.hpp
class notify_handler;  // notify_service.hpp
class xfr_service;     // xfr_service.hpp
}  // namespace cidns::authd

namespace cidns::authd {

// The abuse defences a responder applies; all off by default.
struct responder_guards {
  const serve::server_cookies* cookies = nullptr;  // null: cookies ignored (replies carry none)
  serve::rate_limiter* rrl = nullptr;              // null: no response-rate limiting
  // Unix time in milliseconds (cookie timestamps, token refill); null: the
  // system clock. Read only for queries with a cookie or when RRL is on.
  std::function<std::int64_t()> now_ms;
  // The largest UDP reply sent whatever the query's max_size (an amplification
  // cap; larger replies are truncated with TC): wire::min_udp_size..max_udp_reply.
  std::uint32_t udp_max_size = wire::default_udp_size;
  // UPDATE messages go here; null: answered NOTIMP.
  update_handler* updates = nullptr;
  // XFR requests (over TCP; REFUSED over UDP) and NOTIFY messages; null: answered NOTIMP.
  xfr_service* transfers = nullptr;
  notify_handler* notifies = nullptr;
};

// The most a UDP reply can carry: an IPv4 datagram's payload (65,535 - 20 - 8).
inline constexpr std::uint32_t max_udp_reply = 65507;

class responder final : public net::query_handler {
 public:
  responder(const zone_registry& zones, serve::query_stats& stats, responder_guards guards = {})
      : m_zones(zones), m_stats(stats), m_guards(std::move(guards)) {}

  void handle(std::span<const std::uint8_t> query, const net::peer_info& from,
              std::string& reply) override;
  // Over TCP: an XFR request's reply stream (xfr_service); nullptr for every other message.
  std::unique_ptr<net::reply_stream> stream(std::span<const std::uint8_t> query,
                                            const net::peer_info& from) override;

  // The same without sockets (tests, fuzzing): false when nothing is to be sent
  // (undecodable garbage, a message that is itself a reply, or a reply dropped
  // by rate limiting). `from` is the client's address (127.0.0.1 when not given).
  bool respond(std::string_view query, bool udp, const serve::client_address& from,
               std::string& reply);
  bool respond(std::string_view query, bool udp, std::string& reply) {
    return respond(query, udp, serve::client_address::v4(127, 0, 0, 1), reply);
  }

 private:
  std::int64_t now_ms() const;
  // The FORMERR (or nothing) for bytes that did not decode; `why` is the decoder's error.
  bool refuse_undecodable(std::string_view bytes, std::string_view why, bool udp,
                          const serve::client_address& from, wire::reply_builder& rb,
                          std::string& reply);

  const zone_registry& m_zones;
  serve::query_stats& m_stats;
  responder_guards m_guards;
};

}  // namespace cidns::authd
