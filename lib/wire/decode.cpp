// Decoding of untrusted message bytes: never throws, every failure is an error
// value naming the part of the message and the byte offset of its field.
#include <cstdint>
#include <exception>
#include <limits>

#include <fmt/format.h>
#include <protozero/exception.hpp>
#include <protozero/pbf_message.hpp>

#include "cidns/util/field_scan.hpp"
#include "cidns/util/text.hpp"
#include "cidns/wire/fields.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::wire {
namespace {

using protozero::pbf_wire_type;
constexpr std::size_t no_index = std::numeric_limits<std::size_t>::max();

// Where the decoder is, for error messages.
struct where {
  const char* part = "message";
  std::size_t index = no_index;  // record index within its section
  std::size_t offset = 0;        // byte offset of the current top-level field
};

error fail(const where& w, std::string_view what) {
  if (w.index != no_index) {
    return make_error(fmt::format("{} record {} (byte {}): {}", w.part, w.index, w.offset, what));
  }
  return make_error(fmt::format("{} (byte {}): {}", w.part, w.offset, what));
}

const char* wire_type_name(pbf_wire_type t) {
  switch (t) {
    case pbf_wire_type::varint:
      return "varint";
    case pbf_wire_type::fixed64:
      return "fixed64";
    case pbf_wire_type::length_delimited:
      return "length-delimited";
    case pbf_wire_type::fixed32:
      return "fixed32";
    default:
      return "unknown";
  }
}

template <typename Field>
result<void> expect(const protozero::pbf_message<Field>& p, pbf_wire_type want,
                    std::string_view field, const where& w) {
  if (p.wire_type() == want) return {};
  return fail(w, fmt::format("field {} ({}) has wire type {}, expected {}",
                             static_cast<std::uint32_t>(p.tag()), field,
                             wire_type_name(p.wire_type()), wire_type_name(want)));
}

template <typename Field>
std::string_view get_view(protozero::pbf_message<Field>& p) {
  auto v = p.get_view();
  return {v.data(), v.size()};
}

// Bytes outside printable ASCII as \xNN, so hostile names are safe to log.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\' && u != '"') {
      out.push_back(c);
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

result<void> check_string(std::string_view s, std::string_view field, bool utf8, const where& w) {
  if (s.size() > max_string_size) {
    return fail(w, fmt::format("{} is {} bytes long, at most {} allowed", field, s.size(),
                               max_string_size));
  }
  if (utf8 && !is_valid_utf8(s)) return fail(w, fmt::format("{} is not valid UTF-8", field));
  return {};
}

template <typename Field>
result<std::uint32_t> get_u32(protozero::pbf_message<Field>& p, std::string_view field,
                              const where& w) {
  std::uint64_t v = p.get_uint64();
  if (v > std::numeric_limits<std::uint32_t>::max()) {
    return fail(w, fmt::format("{} {} does not fit in 32 bits", field, v));
  }
  return static_cast<std::uint32_t>(v);
}

result<void> parse_name(std::string_view text, name::identifier& out, const where& w) {
  if (text.empty()) return fail(w, "missing name");
  if (text.size() > max_name_length + 1) {
    return fail(
        w, fmt::format("name is {} bytes long, at most {} allowed", text.size(), max_name_length));
  }
  auto id = name::identifier::parse(text);
  if (!id) {
    return fail(w, fmt::format("invalid name \"{}\": {}", printable(text), id.err().message));
  }
  out = std::move(*id);
  return {};
}

result<void> check_type(std::uint64_t type, const where& w) {
  if (type == 0) return fail(w, "missing type (0)");
  if (type > max_type) {
    return fail(w, fmt::format("type {} out of range (1..{})", type, max_type));
  }
  return {};
}

#define CIDNS_TRY(expr)                        \
  do {                                         \
    if (auto cidns_ok_ = (expr); !cidns_ok_) { \
      return std::move(cidns_ok_).err();       \
    }                                          \
  } while (false)

// protozero truncates keys and lengths to 32 bits: reject the wider ones first.
// A nested body's errors name the offset of its enclosing top-level field.
result<void> check_widths(std::string_view body, const where& w, bool top_level = false) {
  auto fault = util::find_wide_field(body);
  if (!fault) return {};
  where at = w;
  if (top_level) at.offset = fault->offset;
  return fail(at, fault->what);
}

// Record fields merge across repeated occurrences of a nested Record (a
// Prerequisite's or Change's), as protobuf does; a section record is one occurrence.
struct record_parts {
  std::string_view owner;
  std::string_view data;
  std::uint64_t type = 0;
  std::uint64_t ttl = 0;
  bool present = false;
};

result<void> scan_record(std::string_view body, record_parts& r, const where& w) {
  r.present = true;
  CIDNS_TRY(check_widths(body, w));
  protozero::pbf_message<record_field> p{body.data(), body.size()};
  while (p.next()) {
    switch (p.tag()) {
      case record_field::name:
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "name", w));
        r.owner = get_view(p);
        break;
      case record_field::type:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "type", w));
        r.type = p.get_uint64();
        break;
      case record_field::ttl:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "ttl", w));
        r.ttl = p.get_uint64();
        break;
      case record_field::data:
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "data", w));
        r.data = get_view(p);
        break;
      default:
        p.skip();
    }
  }
  return {};
}

// `type_zero`: the caller has checked that the type is 0 (an UPDATE kind that
// takes no type), which is then accepted.
result<void> finish_record(const record_parts& parts, record::rr& r, const where& w,
                           bool type_zero = false) {
  CIDNS_TRY(parse_name(parts.owner, r.owner, w));
  if (!type_zero) CIDNS_TRY(check_type(parts.type, w));
  if (parts.ttl > record::max_ttl) {
    return fail(w, fmt::format("ttl {} out of range (at most {})", parts.ttl, record::max_ttl));
  }
  r.type = static_cast<record::rtype>(parts.type);
  r.ttl = static_cast<std::uint32_t>(parts.ttl);
  r.data.assign(parts.data);
  return {};
}

result<void> decode_record(std::string_view body, record::rr& r, const where& w) {
  record_parts parts;
  CIDNS_TRY(scan_record(body, parts, w));
  return finish_record(parts, r, w);
}

// What an UPDATE kind's record carries besides its name (cidns.proto Prerequisite, Change).
struct kind_shape {
  const char* name = nullptr;  // nullptr: not a known kind
  bool typed = true;           // type 1..65535; false: type 0
  bool data = false;           // data allowed
  bool ttl = false;            // ttl allowed
};

kind_shape prerequisite_shape(std::int32_t kind) {
  switch (static_cast<prerequisite_kind>(kind)) {
    case prerequisite_kind::rrset_exists:
      return {"PREREQ_RRSET_EXISTS"};
    case prerequisite_kind::rrset_equals:
      return {"PREREQ_RRSET_EQUALS", true, true};
    case prerequisite_kind::rrset_absent:
      return {"PREREQ_RRSET_ABSENT"};
    case prerequisite_kind::name_in_use:
      return {"PREREQ_NAME_IN_USE", false};
    case prerequisite_kind::name_absent:
      return {"PREREQ_NAME_ABSENT", false};
  }
  return {};
}

kind_shape change_shape(std::int32_t kind) {
  switch (static_cast<change_kind>(kind)) {
    case change_kind::add:
      return {"CHANGE_ADD", true, true, true};
    case change_kind::delete_record:
      return {"CHANGE_DELETE_RECORD", true, true};
    case change_kind::delete_rrset:
      return {"CHANGE_DELETE_RRSET"};
    case change_kind::delete_name:
      return {"CHANGE_DELETE_NAME", false};
  }
  return {};
}

// A Prerequisite or a Change (the same layout: kind = 1, record = 2). The
// record's type, TTL and data must fit the kind: a server never has to guess.
template <typename Field>
result<void> decode_update_entry(std::string_view body, std::int32_t& kind, record::rr& r,
                                 kind_shape (*shape_of)(std::int32_t), const where& w) {
  CIDNS_TRY(check_widths(body, w));
  protozero::pbf_message<Field> p{body.data(), body.size()};
  record_parts parts;
  kind = 0;
  while (p.next()) {
    switch (p.tag()) {
      case Field::kind:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "kind", w));
        kind = p.get_enum();
        break;
      case Field::record:
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "record", w));
        CIDNS_TRY(scan_record(get_view(p), parts, w));
        break;
      default:
        p.skip();
    }
  }
  const kind_shape shape = shape_of(kind);
  if (shape.name == nullptr) return fail(w, fmt::format("unknown kind {}", kind));
  if (!parts.present) return fail(w, fmt::format("{}: missing record", shape.name));
  if (!shape.typed && parts.type != 0) {
    return fail(w, fmt::format("{} takes no type (type must be 0, is {})", shape.name, parts.type));
  }
  if (shape.typed && parts.type == 0)
    return fail(w, fmt::format("{}: missing type (0)", shape.name));
  if (!shape.data && !parts.data.empty())
    return fail(w, fmt::format("{} takes no data", shape.name));
  if (!shape.ttl && parts.ttl != 0) {
    return fail(w, fmt::format("{} takes no ttl (ttl must be 0, is {})", shape.name, parts.ttl));
  }
  return finish_record(parts, r, w, !shape.typed);
}

// Question fields merge across repeated occurrences, as protobuf does.
struct question_parts {
  std::string_view name;
  std::uint64_t type = 0;
  std::size_t offset = 0;  // of the last Question field
  bool present = false;
};

result<void> decode_question(std::string_view body, question_parts& q, const where& w) {
  q.present = true;
  CIDNS_TRY(check_widths(body, w));
  protozero::pbf_message<question_field> p{body.data(), body.size()};
  while (p.next()) {
    switch (p.tag()) {
      case question_field::name:
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "name", w));
        q.name = get_view(p);
        break;
      case question_field::type:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "type", w));
        q.type = p.get_uint64();
        break;
      default:
        p.skip();
    }
  }
  return {};
}

result<void> decode_auth(std::string_view body, auth& a, const where& w) {
  CIDNS_TRY(check_widths(body, w));
  protozero::pbf_message<auth_field> p{body.data(), body.size()};
  while (p.next()) {
    switch (p.tag()) {
      case auth_field::key: {
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "key", w));
        auto v = get_view(p);
        CIDNS_TRY(check_string(v, "key", true, w));
        a.key.assign(v);
        break;
      }
      case auth_field::time:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "time", w));
        a.time = p.get_uint64();
        break;
      case auth_field::fudge: {
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "fudge", w));
        auto v = get_u32(p, "fudge", w);
        if (!v) return std::move(v).err();
        a.fudge = *v;
        break;
      }
      case auth_field::mac: {
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "mac", w));
        auto v = get_view(p);
        CIDNS_TRY(check_string(v, "mac", false, w));
        a.mac.assign(v);
        break;
      }
      default:
        p.skip();
    }
  }
  return {};
}

result<void> decode_error(std::string_view body, extended_error& e, const where& w) {
  CIDNS_TRY(check_widths(body, w));
  protozero::pbf_message<extended_error_field> p{body.data(), body.size()};
  while (p.next()) {
    switch (p.tag()) {
      case extended_error_field::code: {
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "code", w));
        auto v = get_u32(p, "code", w);
        if (!v) return std::move(v).err();
        e.code = *v;
        break;
      }
      case extended_error_field::text: {
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "text", w));
        auto v = get_view(p);
        CIDNS_TRY(check_string(v, "text", true, w));
        e.text.assign(v);
        break;
      }
      default:
        p.skip();
    }
  }
  return {};
}

void reset(message& m) {
  m.id = 0;
  m.opcode = opcode::query;
  m.flags = 0;
  m.rcode = rcode::noerror;
  m.question.reset();
  m.answer.clear();
  m.authority.clear();
  m.additional.clear();
  m.max_size = 0;
  m.deadline = 0;
  m.cookie.clear();
  m.selector.clear();
  m.auth.reset();
  m.error.reset();
  m.prerequisites.clear();
  m.changes.clear();
}

// Each repeated entry: the wire type, its index, the limit (max_records_per_section).
template <typename T>
result<void> start_entry(protozero::pbf_message<message_field>& p, const std::vector<T>& list,
                         std::string_view what, where& w) {
  CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, w.part, w));
  w.index = list.size();
  if (list.size() >= max_records_per_section) {
    return fail(w, fmt::format("more than {} {}", max_records_per_section, what));
  }
  return {};
}

result<void> decode_section(protozero::pbf_message<message_field>& p,
                            std::vector<record::rr>& section, where& w) {
  CIDNS_TRY(start_entry(p, section, "records", w));
  auto body = get_view(p);
  return decode_record(body, section.emplace_back(), w);
}

result<void> decode_prerequisite(protozero::pbf_message<message_field>& p,
                                 std::vector<prerequisite>& list, where& w) {
  CIDNS_TRY(start_entry(p, list, "prerequisites", w));
  auto body = get_view(p);
  auto& e = list.emplace_back();
  std::int32_t kind = 0;
  CIDNS_TRY(decode_update_entry<prerequisite_field>(body, kind, e.record, prerequisite_shape, w));
  e.kind = static_cast<prerequisite_kind>(kind);
  return {};
}

result<void> decode_change(protozero::pbf_message<message_field>& p, std::vector<change>& list,
                           where& w) {
  CIDNS_TRY(start_entry(p, list, "changes", w));
  auto body = get_view(p);
  auto& e = list.emplace_back();
  std::int32_t kind = 0;
  CIDNS_TRY(decode_update_entry<change_field>(body, kind, e.record, change_shape, w));
  e.kind = static_cast<change_kind>(kind);
  return {};
}

result<void> decode_fields(std::string_view bytes, message& m, where& w) {
  CIDNS_TRY(check_widths(bytes, w, true));
  protozero::pbf_message<message_field> p{bytes.data(), bytes.size()};
  question_parts q;
  while (true) {
    w = where{"message", no_index, bytes.size() - p.length()};
    if (!p.next()) break;
    switch (p.tag()) {
      case message_field::id:
        CIDNS_TRY(expect(p, pbf_wire_type::fixed32, "id", w));
        m.id = p.get_fixed32();
        break;
      case message_field::opcode:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "opcode", w));
        m.opcode = static_cast<opcode>(p.get_enum());
        break;
      case message_field::flags: {
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "flags", w));
        auto v = get_u32(p, "flags", w);
        if (!v) return std::move(v).err();
        m.flags = *v;
        break;
      }
      case message_field::rcode:
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "rcode", w));
        m.rcode = static_cast<rcode>(p.get_enum());
        break;
      case message_field::question:
        w.part = "question";
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "question", w));
        q.offset = w.offset;
        CIDNS_TRY(decode_question(get_view(p), q, w));
        break;
      case message_field::answer:
        w.part = "answer";
        CIDNS_TRY(decode_section(p, m.answer, w));
        break;
      case message_field::authority:
        w.part = "authority";
        CIDNS_TRY(decode_section(p, m.authority, w));
        break;
      case message_field::additional:
        w.part = "additional";
        CIDNS_TRY(decode_section(p, m.additional, w));
        break;
      case message_field::max_size: {
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "max_size", w));
        auto v = get_u32(p, "max_size", w);
        if (!v) return std::move(v).err();
        m.max_size = *v;
        break;
      }
      case message_field::cookie: {
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "cookie", w));
        auto v = get_view(p);
        if (!v.empty() && v.size() != min_cookie_size &&
            (v.size() < 2 * min_cookie_size || v.size() > max_cookie_size)) {
          return fail(w,
                      fmt::format("cookie is {} bytes long; it must be {}, or {} to {}", v.size(),
                                  min_cookie_size, 2 * min_cookie_size, max_cookie_size));
        }
        m.cookie.assign(v);
        break;
      }
      case message_field::selector: {
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "selector", w));
        auto v = get_view(p);
        CIDNS_TRY(check_string(v, "selector", true, w));
        m.selector.assign(v);
        break;
      }
      case message_field::auth:
        w.part = "auth";
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "auth", w));
        if (!m.auth) m.auth.emplace();
        CIDNS_TRY(decode_auth(get_view(p), *m.auth, w));
        break;
      case message_field::error:
        w.part = "error";
        CIDNS_TRY(expect(p, pbf_wire_type::length_delimited, "error", w));
        if (!m.error) m.error.emplace();
        CIDNS_TRY(decode_error(get_view(p), *m.error, w));
        break;
      case message_field::deadline: {
        CIDNS_TRY(expect(p, pbf_wire_type::varint, "deadline", w));
        auto v = get_u32(p, "deadline", w);
        if (!v) return std::move(v).err();
        m.deadline = *v;
        break;
      }
      case message_field::prerequisites:
        w.part = "prerequisites";
        CIDNS_TRY(decode_prerequisite(p, m.prerequisites, w));
        break;
      case message_field::changes:
        w.part = "changes";
        CIDNS_TRY(decode_change(p, m.changes, w));
        break;
      default:
        p.skip();
    }
  }
  if (q.present) {
    w = where{"question", no_index, q.offset};
    auto& mq = m.question.emplace();
    CIDNS_TRY(parse_name(q.name, mq.name, w));
    CIDNS_TRY(check_type(q.type, w));
    mq.type = static_cast<record::rtype>(q.type);
  }
  return {};
}

}  // namespace

result<void> decode(std::string_view bytes, message& out) {
  reset(out);
  if (bytes.size() > max_message_size) {
    return make_error(fmt::format("message is {} bytes long, at most {} allowed", bytes.size(),
                                  max_message_size));
  }
  where w;
  try {
    return decode_fields(bytes, out, w);
  } catch (const protozero::end_of_buffer_exception&) {
    return fail(w, "truncated");
  } catch (const protozero::varint_too_long_exception&) {
    return fail(w, "varint longer than 10 bytes");
  } catch (const protozero::unknown_pbf_wire_type_exception&) {
    return fail(w, "unknown wire type (groups are not supported)");
  } catch (const protozero::invalid_tag_exception&) {
    return fail(w, "invalid field number");
  } catch (const protozero::invalid_length_exception&) {
    return fail(w, "invalid length");
  } catch (const std::exception& e) {
    return fail(w, e.what());
  }
}

result<message> decode(std::string_view bytes) {
  message m;
  if (auto ok = decode(bytes, m); !ok) return std::move(ok).err();
  return m;
}

header_peek peek_header(std::string_view bytes) noexcept {
  constexpr std::uint64_t id_tag = static_cast<std::uint64_t>(message_field::id);
  constexpr std::uint64_t flags_tag = static_cast<std::uint64_t>(message_field::flags);
  constexpr std::uint64_t opcode_tag = static_cast<std::uint64_t>(message_field::opcode);
  header_peek out;
  std::size_t pos = 0;
  auto fixed = [&](std::size_t n) {
    if (bytes.size() - pos < n) return false;
    pos += n;
    return true;
  };
  // Field by field, last value wins (as in decode()), until the end or the
  // first byte that does not make sense.
  while (pos < bytes.size()) {
    const auto key = util::detail::scan_varint(bytes, pos);
    if (!key || *key > 0xffffffffU || (*key >> 3U) == 0) return out;
    const std::uint64_t tag = *key >> 3U;
    const auto type = static_cast<unsigned>(*key & 7U);
    if (type == 0) {
      const auto v = util::detail::scan_varint(bytes, pos);
      if (!v) return out;
      if (tag == flags_tag) out.flags = static_cast<std::uint32_t>(*v);
      if (tag == opcode_tag) out.opcode = static_cast<std::uint32_t>(*v);
    } else if (type == 1) {
      if (!fixed(8)) return out;
    } else if (type == 2) {
      const auto len = util::detail::scan_varint(bytes, pos);
      if (!len || *len > bytes.size() - pos) return out;
      pos += static_cast<std::size_t>(*len);
    } else if (type == 5) {
      const std::size_t at = pos;
      if (!fixed(4)) return out;
      if (tag == id_tag) {
        auto byte = [&](std::size_t k) {
          return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + k]));
        };
        out.id = byte(0) | (byte(1) << 8U) | (byte(2) << 16U) | (byte(3) << 24U);
      }
    } else {
      return out;
    }
  }
  if (!out.id && !bytes.empty()) out.id = 0;  // well formed, without an id
  return out;
}

std::optional<std::uint32_t> peek_id(std::string_view bytes) noexcept {
  return peek_header(bytes).id;
}

}  // namespace cidns::wire
