// Reply building with truncation by whole records (DESIGN §4, "Transports").
#include "cidns/wire/reply_builder.hpp"

#include <algorithm>

#include "cidns/wire/fields.hpp"
#include "writer.hpp"

namespace cidns::wire {

using namespace detail;

namespace {

// Keys of the section fields (Record messages), by section.
constexpr std::array<char, 3> section_keys = {
    short_key(message_field::answer, protozero::pbf_wire_type::length_delimited),
    short_key(message_field::authority, protozero::pbf_wire_type::length_delimited),
    short_key(message_field::additional, protozero::pbf_wire_type::length_delimited)};

}  // namespace

void reply_builder::start(std::uint32_t id, wire::opcode op, std::uint32_t flags, wire::rcode rc) {
  m_id = id;
  m_opcode = op;
  m_flags = flags;
  m_rcode = rc;
  m_has_question = false;
  m_qname.clear();
  m_qtype = record::rtype::none;
  m_max_size = 0;
  m_cookie.clear();
  m_has_error = false;
  m_error_code = 0;
  m_error_text.clear();
  for (auto& s : m_sections) {
    s.bytes.clear();
    s.ends.clear();
    s.kept = 0;
    s.overflow = false;
  }
  m_out.clear();
  m_truncated = false;
}

void reply_builder::set_question(std::string_view name, record::rtype type) {
  m_has_question = true;
  m_qname.assign(name);
  m_qtype = type;
}

void reply_builder::set_error(std::uint32_t code, std::string_view text) {
  m_has_error = true;
  m_error_code = code;
  m_error_text.assign(text);
}

bool reply_builder::reserve_record(section s) {
  auto& p = part(s);
  if (p.ends.size() >= max_records_per_section) {
    p.overflow = true;
    return false;
  }
  return true;
}

bool reply_builder::add(section s, std::string_view owner, record::rtype type, std::uint32_t ttl,
                        std::string_view data) {
  if (!reserve_record(s)) return false;
  auto& p = part(s);
  put_short_message_header(p.bytes, section_keys[static_cast<std::size_t>(s)],
                           record_body_size(owner, type, ttl, data));
  put_record_body(p.bytes, owner, type, ttl, data);
  p.ends.push_back(static_cast<std::uint32_t>(p.bytes.size()));
  return true;
}

bool reply_builder::add_encoded(section s, std::string_view record_body) {
  if (!reserve_record(s)) return false;
  auto& p = part(s);
  put_short_message_header(p.bytes, section_keys[static_cast<std::size_t>(s)], record_body.size());
  p.bytes.append(record_body);
  p.ends.push_back(static_cast<std::uint32_t>(p.bytes.size()));
  return true;
}

std::size_t reply_builder::head_size(std::uint32_t flags) const noexcept {
  std::size_t n =
      fixed32_field_size(message_field::id, m_id) +
      uint_field_size(message_field::opcode, enum_bits(static_cast<std::int32_t>(m_opcode))) +
      uint_field_size(message_field::flags, flags) +
      uint_field_size(message_field::rcode, enum_bits(static_cast<std::int32_t>(m_rcode)));
  if (m_has_question) {
    n += message_field_size(message_field::question, record_body_size(m_qname, m_qtype, 0, {}));
  }
  return n;
}

void reply_builder::write_head(std::uint32_t flags) {
  put_fixed32(m_out, message_field::id, m_id);
  put_uint(m_out, message_field::opcode, enum_bits(static_cast<std::int32_t>(m_opcode)));
  put_uint(m_out, message_field::flags, flags);
  put_uint(m_out, message_field::rcode, enum_bits(static_cast<std::int32_t>(m_rcode)));
  if (m_has_question) {
    put_message_header(m_out, message_field::question, record_body_size(m_qname, m_qtype, 0, {}));
    put_record_body(m_out, m_qname, m_qtype, 0, {});
  }
}

std::size_t reply_builder::tail_size() const noexcept {
  std::size_t n = uint_field_size(message_field::max_size, m_max_size) +
                  bytes_field_size(message_field::cookie, m_cookie.size());
  if (m_has_error) {
    n += message_field_size(message_field::error, error_body_size(m_error_code, m_error_text));
  }
  return n;
}

void reply_builder::write_tail() {
  put_uint(m_out, message_field::max_size, m_max_size);
  put_bytes(m_out, message_field::cookie, m_cookie);
  if (m_has_error) {
    put_message_header(m_out, message_field::error, error_body_size(m_error_code, m_error_text));
    put_uint(m_out, extended_error_field::code, m_error_code);
    put_bytes(m_out, extended_error_field::text, m_error_text);
  }
}

std::size_t reply_builder::size() const noexcept {
  std::size_t n = head_size(m_flags) + tail_size();
  for (const auto& s : m_sections) n += s.bytes.size();
  return n;
}

std::string_view reply_builder::finish(std::size_t limit) {
  limit = std::min(limit, max_message_size);
  m_out.clear();
  bool overflow = false;
  for (const auto& s : m_sections) overflow = overflow || s.overflow;
  std::uint32_t flags = m_flags;
  if (overflow || size() > limit) {
    // Cut: TC can only make the head longer, so the budget is computed with it.
    flags |= flag::tc;
    std::size_t fixed = head_size(flags) + tail_size();
    std::size_t budget = limit > fixed ? limit - fixed : 0;
    bool stop = false;
    for (auto& s : m_sections) {
      if (stop) {
        s.kept = 0;
        continue;
      }
      // ends is ascending: the records that fit are those ending within the budget.
      auto fit = std::upper_bound(s.ends.begin(), s.ends.end(), budget);
      s.kept = static_cast<std::size_t>(fit - s.ends.begin());
      if (s.kept < s.ends.size() || s.overflow) stop = true;
      if (s.kept > 0) budget -= s.ends[s.kept - 1];
    }
    m_truncated = true;
  } else {
    for (auto& s : m_sections) s.kept = s.ends.size();
    m_truncated = false;
  }
  write_head(flags);
  for (const auto& s : m_sections) {
    if (s.kept > 0) m_out.append(s.bytes, 0, s.ends[s.kept - 1]);
  }
  write_tail();
  return m_out;
}

}  // namespace cidns::wire
