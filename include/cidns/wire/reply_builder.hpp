// Builds replies on the authoritative server's hot path: header fields and
// Record submessages go into reusable buffers, and finish() cuts the reply to a
// size limit (whole records, answer first, then authority, then additional)
// and sets TC when something was left out, without re-encoding anything.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::wire {

enum class section : std::uint8_t { answer = 0, authority = 1, additional = 2 };

// Records are kept framed (key, length, body) in one buffer per section, with
// the end offset of each, so cutting is a prefix copy; the header and trailing
// fields are written at finish(). Once warm (buffers grown to the largest reply
// seen), building a reply does not allocate. The output is what encode() would
// write for the same message (deterministic encoding).
//
// Truncation keeps a prefix: the records of the answer section that fit, then
// (only if all of the answer fit) those of the authority section, then of the
// additional section; the first record that does not fit ends the reply.
class reply_builder {
 public:
  reply_builder() = default;

  // Starts a new reply (clears everything, keeps the buffers).
  void start(std::uint32_t id, wire::opcode op, std::uint32_t flags, wire::rcode rc);
  void set_flags(std::uint32_t flags) noexcept { m_flags = flags; }
  void set_rcode(wire::rcode rc) noexcept { m_rcode = rc; }
  std::uint32_t flags() const noexcept { return m_flags; }
  wire::rcode rcode() const noexcept { return m_rcode; }
  // `name` is canonical identifier text (identifier::text()); it is not checked.
  void set_question(std::string_view name, record::rtype type);
  void set_max_size(std::uint32_t max_size) noexcept { m_max_size = max_size; }
  void set_cookie(std::string_view cookie) { m_cookie.assign(cookie); }
  void set_error(std::uint32_t code, std::string_view text);

  // Appends a record (owner: canonical text). Returns false, adding nothing,
  // when the section already holds max_records_per_section records: the
  // reply is then cut there and has TC set.
  bool add(section s, std::string_view owner, record::rtype type, std::uint32_t ttl,
           std::string_view data);
  bool add(section s, const record::rr& r) { return add(s, r.owner.text(), r.type, r.ttl, r.data); }
  // Appends a pre-encoded Record body (encode_record_body()).
  bool add_encoded(section s, std::string_view record_body);

  std::size_t count(section s) const noexcept { return part(s).ends.size(); }
  // Size of the whole reply if nothing were cut.
  std::size_t size() const noexcept;

  // Encodes the reply into the internal buffer, cut to `limit` bytes (at most
  // max_message_size; e.g. message::udp_size() of the query for UDP). The view
  // stays valid until the next call of a non-const member.
  std::string_view finish(std::size_t limit = max_message_size);
  // After finish(): whether records were left out (TC set), and how many of a
  // section's records the reply holds.
  bool truncated() const noexcept { return m_truncated; }
  std::size_t kept(section s) const noexcept { return part(s).kept; }

 private:
  struct section_buffer {
    std::string bytes;                // framed Record fields
    std::vector<std::uint32_t> ends;  // end offset of each record in `bytes`
    std::size_t kept = 0;
    bool overflow = false;  // a record was refused (record count limit)
  };
  section_buffer& part(section s) noexcept { return m_sections[static_cast<std::size_t>(s)]; }
  const section_buffer& part(section s) const noexcept {
    return m_sections[static_cast<std::size_t>(s)];
  }
  bool reserve_record(section s);
  void write_head(std::uint32_t flags);
  std::size_t head_size(std::uint32_t flags) const noexcept;
  std::size_t tail_size() const noexcept;
  void write_tail();

  std::uint32_t m_id = 0;
  wire::opcode m_opcode = wire::opcode::query;
  std::uint32_t m_flags = 0;
  wire::rcode m_rcode = wire::rcode::noerror;
  bool m_has_question = false;
  std::string m_qname;
  record::rtype m_qtype = record::rtype::none;
  std::uint32_t m_max_size = 0;
  std::string m_cookie;
  bool m_has_error = false;
  std::uint32_t m_error_code = 0;
  std::string m_error_text;
  std::array<section_buffer, 3> m_sections;
  std::string m_out;
  bool m_truncated = false;
};

}  // namespace cidns::wire
