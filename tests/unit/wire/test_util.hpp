// Helpers shared by the wire tests: hex <-> bytes and small message builders.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/wire/message.hpp"
#include "common/hex.hpp"

namespace cidns::wire::test {

using ::cidns::test::hex;
using ::cidns::test::unhex;

inline name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

inline record::rr make_rr(std::string_view owner, record::rtype type, std::uint32_t ttl,
                          std::string data) {
  return record::rr{id(owner), type, ttl, std::move(data)};
}

// A typical RESOURCE reply: DESC + STATE + EP answers, NS authority, ADDR additional.
inline message sample_reply() {
  message m;
  m.id = 0xdeadbeef;
  m.flags = flag::qr | flag::aa | flag::rd;
  m.question = wire::question{id("h100-8x.pool1.provx.cn-north."), record::rtype::resource};
  m.answer.push_back(make_rr("h100-8x.pool1.provx.cn-north.", record::rtype::desc, 86400,
                             std::string("\x08\x01\x12\x06nvidia\x28\x08", 12)));
  m.answer.push_back(make_rr("h100-8x.pool1.provx.cn-north.", record::rtype::state, 30,
                             std::string("\x08\x03\x10\x08", 4)));
  m.answer.push_back(make_rr("h100-8x.pool1.provx.cn-north.", record::rtype::ep, 3600,
                             std::string("\x08\x0a\x10\x01\x18\x01\x22\x05gw1.x\x28\xbb\x03", 16)));
  m.authority.push_back(make_rr("provx.cn-north.", record::rtype::ns, 3600,
                                std::string("\x0a\x13ns1.provx.cn-north.", 21)));
  m.additional.push_back(make_rr("ns1.provx.cn-north.", record::rtype::addr, 3600,
                                 std::string("\x0a\x04\x7f\x00\x00\x15", 6)));
  m.max_size = 1232;
  return m;
}

}  // namespace cidns::wire::test
