// Hand-built protobuf bytes for hostile-input tests of cidns-authd: messages
// that wire::encode() cannot produce (invalid names, wrong wire types, huge
// lengths), written field by field. Shared by tests/unit/authd and
// tests/integration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cidns::authd::test {

// Protobuf wire types.
enum class wt : std::uint8_t { varint = 0, fixed64 = 1, len = 2, fixed32 = 5 };

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void put_tag(std::string& out, std::uint32_t field, wt type) {
  put_varint(out, (std::uint64_t{field} << 3) | static_cast<std::uint8_t>(type));
}

// A builder: raw().fixed32(1, id).bytes(5, question).str()
class raw {
 public:
  raw& varint(std::uint32_t field, std::uint64_t v) {
    put_tag(m_out, field, wt::varint);
    put_varint(m_out, v);
    return *this;
  }
  raw& fixed32(std::uint32_t field, std::uint32_t v) {
    put_tag(m_out, field, wt::fixed32);
    for (int i = 0; i < 4; ++i) m_out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  raw& bytes(std::uint32_t field, std::string_view b) {
    put_tag(m_out, field, wt::len);
    put_varint(m_out, b.size());
    m_out.append(b);
    return *this;
  }
  // A length-delimited field whose length prefix claims `claimed` bytes but
  // only `b` follows.
  raw& bytes_claiming(std::uint32_t field, std::uint64_t claimed, std::string_view b) {
    put_tag(m_out, field, wt::len);
    put_varint(m_out, claimed);
    m_out.append(b);
    return *this;
  }
  raw& append(std::string_view b) {
    m_out.append(b);
    return *this;
  }
  const std::string& str() const noexcept { return m_out; }

 private:
  std::string m_out;
};

// Message field numbers used here (cidns.proto Message / Question / Record).
inline constexpr std::uint32_t f_id = 1, f_opcode = 2, f_flags = 3, f_question = 5, f_answer = 6;
inline constexpr std::uint32_t f_name = 1, f_type = 2, f_ttl = 3, f_data = 4;

// A Question submessage with `name` taken as is (no validation).
inline std::string raw_question(std::string_view name, std::uint64_t type) {
  return raw().bytes(f_name, name).varint(f_type, type).str();
}

// A QUERY with id and a question of arbitrary name text.
inline std::string raw_query(std::uint32_t id, std::string_view name, std::uint64_t type) {
  return raw().fixed32(f_id, id).bytes(f_question, raw_question(name, type)).str();
}

}  // namespace cidns::authd::test
