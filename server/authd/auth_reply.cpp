// Replies to authenticated requests (auth_reply.hpp).
#include "auth_reply.hpp"

#include <string>

namespace cidns::authd {

wire::message reply_to(const wire::message& q, wire::rcode rc, std::string_view why) {
  wire::message r;
  r.id = q.id;
  r.opcode = q.opcode;
  r.flags = wire::flag::qr;
  r.rcode = rc;
  r.question = q.question;
  if (!why.empty()) {
    r.error = wire::extended_error{
        static_cast<std::uint32_t>(rc == wire::rcode::refused ? wire::error_code::prohibited
                                                              : wire::error_code::other),
        std::string(why.substr(0, 512))};
  }
  return r;
}

}  // namespace cidns::authd
