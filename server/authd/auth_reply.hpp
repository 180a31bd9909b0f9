// The reply to an authenticated request (UPDATE, XFR, NOTIFY): the request's id, opcode and
// question, QR set, an rcode and, when it failed, the ExtendedError saying why (PROHIBITED for
// REFUSED). The caller signs it (hmac::sign, chained on the request's MAC) when it knows the key.
#pragma once

#include <string_view>

#include "cidns/wire/message.hpp"

namespace cidns::authd {

wire::message reply_to(const wire::message& q, wire::rcode rc, std::string_view why = {});

}  // namespace cidns::authd
