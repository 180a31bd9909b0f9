// Signing, sending and checking one dynamic UPDATE (cidns/stub/update.hpp).
#include "cidns/stub/update.hpp"
#include "cidns/util/clock.hpp"

#include <random>
#include <span>
#include <string_view>

#include <fmt/core.h>

#include "cidns/hmac/signer.hpp"
#include "cidns/net/client.hpp"
#include "cidns/record/data.hpp"

namespace cidns::stub {
namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

const char* status_text(hmac::status s) {
  switch (s) {
    case hmac::status::ok:
      return "ok";
    case hmac::status::unsigned_message:
      return "the reply is not signed";
    case hmac::status::bad_key:
      return "the reply is signed with another key";
    case hmac::status::bad_sig:
      return "the reply's MAC does not match";
    case hmac::status::bad_time:
      return "the reply's time is outside the allowed skew";
  }
  return "the reply's signature is not valid";
}

update_outcome outcome_of(const wire::message& reply, const name::identifier& zone) {
  update_outcome o{reply.rcode, std::nullopt, reply.error ? reply.error->text : std::string(),
                   true};
  for (const auto& r : reply.answer) {
    if (r.type != record::rtype::soa || r.owner != zone) continue;
    if (auto soa = record::soa::decode(r.data)) o.serial = soa->serial;
  }
  return o;
}

// The reply to `request`, read and matched (id, QR), not yet authenticated.
result<wire::message> exchange(const net::endpoint& server, const wire::message& request,
                               std::chrono::milliseconds timeout) {
  const std::string bytes = wire::encode(request);
  auto raw = net::tcp_exchange(server, as_bytes(bytes), timeout);
  if (!raw) {
    const std::string& why = raw.err().message;  // mostly names the address already
    const std::string at = server.to_string();
    return make_error(why.find(at) == std::string::npos ? at + ": " + why : why);
  }
  auto reply = wire::decode(*raw);
  if (!reply) {
    return make_error(
        fmt::format("{}: unreadable reply: {}", server.to_string(), reply.err().message));
  }
  if (reply->id != request.id || !reply->has_flag(wire::flag::qr)) {
    return make_error(fmt::format("{}: the reply does not answer the request (id {}, expected {})",
                                  server.to_string(), reply->id, request.id));
  }
  return reply;
}

}  // namespace

result<update_outcome> send_update(const net::endpoint& server, wire::message update,
                                   const hmac::key& key, std::chrono::milliseconds timeout) {
  if (!update.question) return make_error("the update names no zone (no question)");
  update.id = std::random_device{}();
  hmac::sign(update, key, util::unix_seconds());
  auto reply = exchange(server, update, timeout);
  if (!reply) return std::move(reply).err();
  const name::identifier& zone = update.question->name;
  if (!reply->auth && reply->rcode != wire::rcode::noerror) {
    update_outcome o = outcome_of(*reply, zone);
    o.serial.reset();
    o.authenticated = false;
    o.error = o.error.empty() ? "unsigned reply" : o.error + " (unsigned reply)";
    return o;
  }
  hmac::keyring ring;
  ring.add(key);
  const auto v = hmac::verify(*reply, ring, util::unix_seconds(), update.auth->mac);
  if (v.status != hmac::status::ok) {
    return make_error(fmt::format("{}: {}{}", server.to_string(), status_text(v.status),
                                  v.reason.empty() ? std::string() : " (" + v.reason + ")"));
  }
  return outcome_of(*reply, zone);
}

wire::message replace_rrset(const name::identifier& zone, const record::rr& r) {
  wire::message m;
  m.opcode = wire::opcode::update;
  m.question = wire::question{zone, record::rtype::soa};
  m.changes.push_back({wire::change_kind::delete_rrset, record::rr{r.owner, r.type, 0, {}}});
  m.changes.push_back({wire::change_kind::add, r});
  return m;
}

}  // namespace cidns::stub
