// libFuzzer target for the message codec: bytes -> decode (never throws, errors
// carry a message); a decoded message re-encodes to bytes that decode to an
// equal message and re-encode identically; peek_id and the reply builder never
// crash, and the builder's (possibly truncated) output always decodes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"

using namespace cidns;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)wire::peek_id(in);

  auto m = wire::decode(in);
  if (!m.ok()) {
    if (m.err().message.empty()) std::abort();
    return 0;
  }

  std::string encoded = wire::encode(*m);
  // Normalisation (names gain their trailing dot, enums their canonical
  // varint) can push a message just past the limit; only then may it fail.
  if (encoded.size() <= wire::max_message_size) {
    auto again = wire::decode(encoded);
    if (!again.ok() || !(*again == *m)) std::abort();
    if (wire::encode(*again) != encoded) std::abort();
  }

  static wire::reply_builder builder;  // reused, as on the server
  builder.start(m->id, m->opcode, (m->flags | wire::flag::qr) & ~wire::flag::tc, m->rcode);
  if (m->question) builder.set_question(m->question->name.text(), m->question->type);
  for (const auto& r : m->answer) builder.add(wire::section::answer, r);
  for (const auto& r : m->authority) builder.add(wire::section::authority, r);
  for (const auto& r : m->additional) builder.add(wire::section::additional, r);
  builder.set_cookie(m->cookie);
  std::string_view reply = builder.finish(m->udp_size());
  auto decoded = wire::decode(reply);
  if (!decoded.ok()) std::abort();
  if (decoded->answer.size() != builder.kept(wire::section::answer)) std::abort();
  if (builder.truncated() != decoded->has_flag(wire::flag::tc)) std::abort();
  return 0;
}
