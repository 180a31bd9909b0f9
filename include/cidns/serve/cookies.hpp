// Server cookies (DESIGN §4 "cookie", PROTOCOL §11; the RFC 7873 / RFC 9018
// scheme): a reply to a query that carries a client cookie carries that client
// cookie followed by a 16-byte server cookie
//
//   version (1) = 1 | reserved (3) = 0 | timestamp (4, unix seconds, big-endian)
//   | the first 8 bytes of HMAC-SHA256(secret, client cookie || the 8 bytes
//     before || client IP address bytes)
//
// The secret is 16 random bytes per process. A later query presenting the pair
// proves that its source address received our earlier reply (it is not
// spoofed), so it is exempt from response-rate limiting.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cidns/serve/client_address.hpp"

namespace cidns::serve {

enum class cookie_result : std::uint8_t {
  none,         // the query has no cookie: the reply has none either
  client_only,  // a client cookie alone: a fresh server cookie is issued
  valid,        // client and server cookie, ours and current
  invalid,      // a server cookie not ours, for another address, stale or tampered
};

class server_cookies {
 public:
  static constexpr std::size_t secret_size = 16;
  static constexpr std::size_t client_size = 8;
  static constexpr std::size_t server_size = 16;
  static constexpr std::uint8_t version = 1;
  static constexpr std::int64_t max_age_s = 3600;    // timestamps up to 1 hour old ...
  static constexpr std::int64_t max_future_s = 300;  // ... or 5 minutes ahead are accepted
  static constexpr std::int32_t reuse_age_s = 1800;  // younger valid cookies are sent back as is

  using secret_type = std::array<std::uint8_t, secret_size>;

  explicit server_cookies(const secret_type& secret) noexcept : m_secret(secret) {}
  // A new random secret (OpenSSL RAND_bytes). Throws std::runtime_error when
  // the random generator fails.
  static server_cookies with_random_secret();

  // The server cookie for `client_cookie` (8 bytes) from `from` at unix time
  // `now_s`, written to `out`.
  void make(std::string_view client_cookie, const client_address& from, std::int64_t now_s,
            std::span<std::uint8_t, server_size> out) const;

  // Whether `cookie` (client || server, as the query carried it) holds a server
  // cookie we issued to `from` within the accepted time window.
  bool verify(std::string_view cookie, const client_address& from, std::int64_t now_s) const;

  // The cookie part of answering a query whose cookie field is `query_cookie`
  // (already length-checked by the decoder: empty, 8 or 16..40 bytes): sets
  // `reply_cookie` to what the reply carries (empty; the query's cookie when it
  // is valid and less than reuse_age_s old; else client || fresh server
  // cookie) and says what the query held. Does not allocate once
  // `reply_cookie` has room for 24 bytes.
  cookie_result answer(std::string_view query_cookie, const client_address& from,
                       std::int64_t now_s, std::string& reply_cookie) const;

 private:
  secret_type m_secret;
};

}  // namespace cidns::serve
