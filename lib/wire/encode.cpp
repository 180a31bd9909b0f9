// Deterministic encoding of a message, and the names of the header values.
#include <algorithm>

#include <fmt/format.h>

#include "cidns/wire/fields.hpp"
#include "cidns/wire/message.hpp"
#include "writer.hpp"

namespace cidns::wire {
namespace detail {

void put_record_body(std::string& out, std::string_view owner, record::rtype type,
                     std::uint32_t ttl, std::string_view data) {
  put_bytes(out, record_field::name, owner);
  put_uint(out, record_field::type, static_cast<std::uint16_t>(type));
  put_uint(out, record_field::ttl, ttl);
  put_bytes(out, record_field::data, data);
}

}  // namespace detail

namespace {

using namespace detail;

// The field is a template argument so that its key is a constant.
template <message_field F>
void put_records(std::string& out, const std::vector<record::rr>& rrs) {
  for (const auto& r : rrs) {
    const auto& owner = r.owner.text();
    put_message_header(out, F, record_body_size(owner, r.type, r.ttl, r.data));
    put_record_body(out, owner, r.type, r.ttl, r.data);
  }
}

// A Prerequisite or a Change: kind = 1, record = 2 (always written, as libprotobuf
// writes a set submessage even when empty).
template <message_field F, typename Field>
void put_update_entry(std::string& out, std::int32_t kind, const record::rr& r) {
  const auto& owner = r.owner.text();
  const std::size_t record_size = record_body_size(owner, r.type, r.ttl, r.data);
  put_message_header(out, F,
                     uint_field_size(Field::kind, enum_bits(kind)) +
                         message_field_size(Field::record, record_size));
  put_uint(out, Field::kind, enum_bits(kind));
  put_message_header(out, Field::record, record_size);
  put_record_body(out, owner, r.type, r.ttl, r.data);
}

}  // namespace

std::uint32_t message::udp_size() const noexcept {
  if (max_size == 0) return default_udp_size;
  return std::clamp(max_size, min_udp_size, max_udp_size);
}

void encode_record_body(std::string_view owner, record::rtype type, std::uint32_t ttl,
                        std::string_view data, std::string& out) {
  put_record_body(out, owner, type, ttl, data);
}

void encode(const message& m, std::string& out) {
  put_fixed32(out, message_field::id, m.id);
  put_uint(out, message_field::opcode, enum_bits(static_cast<std::int32_t>(m.opcode)));
  put_uint(out, message_field::flags, m.flags);
  put_uint(out, message_field::rcode, enum_bits(static_cast<std::int32_t>(m.rcode)));
  if (m.question) {
    const auto& name = m.question->name.text();
    put_message_header(out, message_field::question,
                       record_body_size(name, m.question->type, 0, {}));
    put_record_body(out, name, m.question->type, 0, {});
  }
  put_records<message_field::answer>(out, m.answer);
  put_records<message_field::authority>(out, m.authority);
  put_records<message_field::additional>(out, m.additional);
  put_uint(out, message_field::max_size, m.max_size);
  put_bytes(out, message_field::cookie, m.cookie);
  put_bytes(out, message_field::selector, m.selector);
  if (m.auth) {
    const auto& a = *m.auth;
    put_message_header(out, message_field::auth,
                       bytes_field_size(auth_field::key, a.key.size()) +
                           uint_field_size(auth_field::time, a.time) +
                           uint_field_size(auth_field::fudge, a.fudge) +
                           bytes_field_size(auth_field::mac, a.mac.size()));
    put_bytes(out, auth_field::key, a.key);
    put_uint(out, auth_field::time, a.time);
    put_uint(out, auth_field::fudge, a.fudge);
    put_bytes(out, auth_field::mac, a.mac);
  }
  if (m.error) {
    const auto& e = *m.error;
    put_message_header(out, message_field::error, error_body_size(e.code, e.text));
    put_uint(out, extended_error_field::code, e.code);
    put_bytes(out, extended_error_field::text, e.text);
  }
  put_uint(out, message_field::deadline, m.deadline);
  for (const auto& p : m.prerequisites) {
    put_update_entry<message_field::prerequisites, prerequisite_field>(
        out, static_cast<std::int32_t>(p.kind), p.record);
  }
  for (const auto& c : m.changes) {
    put_update_entry<message_field::changes, change_field>(out, static_cast<std::int32_t>(c.kind),
                                                           c.record);
  }
}

std::string encode(const message& m) {
  std::string out;
  encode(m, out);
  return out;
}

void encode_signed_data(std::string_view sig, std::span<const record::rr> records,
                        std::string& out) {
  put_bytes(out, signed_data_field::sig, sig);
  for (const auto& r : records) {
    const auto& owner = r.owner.text();
    put_message_header(out, signed_data_field::records,
                       record_body_size(owner, r.type, r.ttl, r.data));
    put_record_body(out, owner, r.type, r.ttl, r.data);
  }
}

std::string opcode_name(opcode op) {
  switch (op) {
    case opcode::query:
      return "QUERY";
    case opcode::discover:
      return "DISCOVER";
    case opcode::notify:
      return "NOTIFY";
    case opcode::update:
      return "UPDATE";
    case opcode::xfr:
      return "XFR";
  }
  return fmt::format("OPCODE{}", static_cast<std::int32_t>(op));
}

std::string rcode_name(rcode rc) {
  switch (rc) {
    case rcode::noerror:
      return "NOERROR";
    case rcode::formerr:
      return "FORMERR";
    case rcode::servfail:
      return "SERVFAIL";
    case rcode::nxdomain:
      return "NXDOMAIN";
    case rcode::notimp:
      return "NOTIMP";
    case rcode::refused:
      return "REFUSED";
    case rcode::yxdomain:
      return "YXDOMAIN";
    case rcode::yxrrset:
      return "YXRRSET";
    case rcode::nxrrset:
      return "NXRRSET";
    case rcode::notauth:
      return "NOTAUTH";
    case rcode::notzone:
      return "NOTZONE";
    case rcode::badsig:
      return "BADSIG";
    case rcode::badtime:
      return "BADTIME";
    case rcode::badcookie:
      return "BADCOOKIE";
  }
  return fmt::format("RCODE{}", static_cast<std::int32_t>(rc));
}

std::string error_code_name(std::uint32_t code) {
  switch (static_cast<error_code>(code)) {
    case error_code::other:
      return "OTHER";
    case error_code::unsupported_algorithm:
      return "UNSUPPORTED_ALGORITHM";
    case error_code::stale_answer:
      return "STALE_ANSWER";
    case error_code::dnssec_bogus:
      return "DNSSEC_BOGUS";
    case error_code::signature_expired:
      return "SIGNATURE_EXPIRED";
    case error_code::signature_not_yet_valid:
      return "SIGNATURE_NOT_YET_VALID";
    case error_code::key_missing:
      return "KEY_MISSING";
    case error_code::signatures_missing:
      return "SIGNATURES_MISSING";
    case error_code::nsec_missing:
      return "NSEC_MISSING";
    case error_code::prohibited:
      return "PROHIBITED";
    case error_code::no_reachable_authority:
      return "NO_REACHABLE_AUTHORITY";
    case error_code::network_error:
      return "NETWORK_ERROR";
    case error_code::ds_digest_mismatch:
      return "DS_DIGEST_MISMATCH";
    case error_code::partial_result:
      return "PARTIAL_RESULT";
  }
  return fmt::format("ERROR{}", code);
}

std::string flags_text(std::uint32_t flags) {
  static constexpr const char* names[] = {"qr", "aa", "tc", "rd", "ra", "ad", "cd", "do"};
  std::string out;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((flags & (1U << bit)) == 0) continue;
    if (!out.empty()) out.push_back(' ');
    if (bit < 8) {
      out += names[bit];
    } else {
      out += fmt::format("bit{}", bit);
    }
  }
  return out;
}

}  // namespace cidns::wire
