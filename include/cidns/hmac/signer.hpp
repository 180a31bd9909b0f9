// Transaction authentication of a message (PROTOCOL §4 Auth, RFC 8945's model over the cidns
// encoding): HMAC-SHA256 with a named shared key over the message encoded without its auth
// field, then the key name and the time; a reply's MAC also covers the request's MAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/hmac/key.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::hmac {

inline constexpr std::uint32_t default_fudge = 300;  // seconds of clock skew allowed
inline constexpr std::size_t mac_size = 32;          // bytes of an HMAC-SHA256

// The bytes the MAC covers (PROTOCOL §4 Auth): wire::encode(m without auth) || u16 length of
// key_name || key_name || u64 time || u32 fudge, all big-endian; for a reply, u16 length of
// the request MAC || request MAC come first. m.auth is ignored.
std::string mac_input(const wire::message& m, std::string_view key_name, std::uint64_t time,
                      std::uint32_t fudge, std::string_view request_mac = {});

// Sets m.auth = {k.name, now, fudge, MAC}. For a reply, `request_mac` is the MAC of the
// request it answers (empty for a request).
void sign(wire::message& m, const key& k, std::uint64_t now, std::string_view request_mac = {},
          std::uint32_t fudge = default_fudge);

enum class status {
  ok,
  unsigned_message,  // no auth field
  bad_key,           // the key name is not in the keyring
  bad_sig,           // the MAC does not match
  bad_time,          // |now - time| > fudge
};

struct verification {
  hmac::status status = hmac::status::unsigned_message;
  const key* used = nullptr;  // the key named by the message, when known
  std::string reason;         // for logs and ExtendedError text: "bad MAC with key provx-agent."
};

// Checks m.auth against the keyring at time `now` (MAC first, then time, as RFC 8945 §5.2).
// The time may differ from `now` by the message's fudge, capped at default_fudge.
verification verify(const wire::message& m, const keyring& ring, std::uint64_t now,
                    std::string_view request_mac = {});

// The rcode a server answers a failed verification with: NOTAUTH (unsigned, unknown key),
// BADSIG, BADTIME.
wire::rcode to_rcode(status s) noexcept;

}  // namespace cidns::hmac
