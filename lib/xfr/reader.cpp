// The strict reader of an XFR reply stream (reader.hpp). Records are taken one at a time:
// the first is the new SOA; the second tells an incremental transfer (an SOA carrying the
// client's serial) from a full one; the rest are changesets or zone records up to the
// closing SOA.
#include "cidns/xfr/reader.hpp"

#include <fmt/format.h>

#include <utility>

#include "cidns/record/data.hpp"

namespace cidns::xfr {
namespace {

std::string describe(const record::rr& r) {
  return fmt::format("{} {}", r.owner.text(), record::type_name(r.type));
}

}  // namespace

reader::reader(name::identifier zone, std::optional<std::uint32_t> have, reader_limits limits)
    : m_zone(std::move(zone)), m_have(have), m_limits(limits) {}

result<bool> reader::fail(error e) {
  m_state = state::failed;
  return e;
}

result<void> reader::check_header(const wire::message& m) {
  if (!m.has_flag(wire::flag::qr)) return make_error("a transfer message without the QR flag");
  if (m.opcode != wire::opcode::xfr) {
    return make_error("a transfer message with opcode " + wire::opcode_name(m.opcode));
  }
  if (m.rcode != wire::rcode::noerror) {
    m_server_rcode = m.rcode;
    return make_error(fmt::format("the server answered {}: {}", wire::rcode_name(m.rcode),
                                  m.error ? m.error->text : std::string("(no error text)")));
  }
  if (!m.question || m.question->name != m_zone || m.question->type != record::rtype::soa) {
    return make_error(fmt::format(
        "a transfer message for {} {}, not {} SOA", m.question ? m.question->name.text() : "(no",
        m.question ? record::type_name(m.question->type) : "question)", m_zone.text()));
  }
  if (m.answer.empty()) return make_error("a transfer message without records");
  if (!m.authority.empty() || !m.additional.empty()) {
    return make_error("a transfer message with records outside its answer section");
  }
  return {};
}

result<bool> reader::feed(const wire::message& m) {
  if (m_state == state::failed) return make_error("the transfer has already failed");
  if (m_state == state::complete) return fail(make_error("a message after the transfer's end"));
  if (auto ok = check_header(m); !ok) return fail(std::move(ok).err());
  const bool first_message = m_state == state::first;
  for (const auto& r : m.answer) {
    if (m_state == state::complete) {
      return fail(make_error("a record after the transfer's closing SOA: " + describe(r)));
    }
    if (++m_records > m_limits.max_records) {
      return fail(make_error(
          fmt::format("the transfer brings more than {} records", m_limits.max_records)));
    }
    if (auto ok = take(r); !ok) return fail(std::move(ok).err());
  }
  // "Up to date": one message of one SOA, whose serial is not newer than the client's.
  if (first_message && m.answer.size() == 1 && m_have && !record::serial_after(m_serial, *m_have)) {
    m_kind = transfer_kind::up_to_date;
    m_state = state::complete;
  }
  return complete();
}

std::optional<std::uint32_t> reader::apex_serial(const record::rr& r) const {
  if (r.type != record::rtype::soa || r.owner != m_zone) return std::nullopt;
  auto soa = record::soa::decode(r.data);
  if (!soa) return std::nullopt;
  return soa->serial;
}

result<void> reader::take(const record::rr& r) {
  if (!r.owner.is_part_of(m_zone)) {
    return make_error(fmt::format("{} is outside the zone {}", describe(r), m_zone.text()));
  }
  switch (m_state) {
    case state::first:
      return take_first(r);
    case state::second:
      return take_second(r);
    case state::body:
      return m_kind == transfer_kind::full ? take_full(r) : take_incremental(r);
    case state::complete:
    case state::failed:
      break;
  }
  return make_error("the transfer is over");
}

result<void> reader::take_first(const record::rr& r) {
  if (r.type != record::rtype::soa || r.owner != m_zone) {
    return make_error(
        fmt::format("the transfer starts with {}, not the SOA of {}", describe(r), m_zone.text()));
  }
  auto soa = record::soa::decode(r.data);
  if (!soa) return make_error("the transfer's SOA does not decode: " + soa.err().message);
  m_serial = soa->serial;
  m_soa = r;
  m_state = state::second;
  return {};
}

result<void> reader::take_second(const record::rr& r) {
  m_state = state::body;
  if (m_have && apex_serial(r) == *m_have) {
    m_kind = transfer_kind::incremental;
    m_at = *m_have;
    m_changes.push_back(record::changeset{*m_have, *m_have, {r}, {}});
    m_part = part::removed;
    return {};
  }
  m_kind = transfer_kind::full;
  m_contents.origin = m_zone;
  m_contents.files.push_back("(zone transfer)");
  m_contents.add(m_soa, {});
  return take_full(r);
}

result<void> reader::take_full(const record::rr& r) {
  if (r.type == record::rtype::soa && r.owner == m_zone) {
    if (r != m_soa) {
      return make_error("a full transfer holds an apex SOA that differs from its first");
    }
    m_state = state::complete;
    return {};
  }
  m_contents.add(r, {});
  return {};
}

result<void> reader::take_incremental(const record::rr& r) {
  auto& c = m_changes.back();
  const auto serial = apex_serial(r);
  if (r.type == record::rtype::soa && r.owner == m_zone && !serial) {
    return make_error("an SOA of the incremental transfer does not decode");
  }
  if (!serial) {
    (m_part == part::removed ? c.removed : c.added).push_back(r);
    return {};
  }
  if (m_part == part::removed) {  // the new SOA of this step
    c.to = *serial;
    c.added.push_back(r);
    m_part = part::added;
    m_at = *serial;
    return {};
  }
  if (*serial == m_serial && m_at == m_serial) {  // the closing SOA
    if (r != m_soa) return make_error("the closing SOA differs from the first");
    m_state = state::complete;
    return {};
  }
  if (*serial != m_at) {
    return make_error(
        fmt::format("a changeset starts at serial {}, the last one ended at {}", *serial, m_at));
  }
  m_changes.push_back(record::changeset{*serial, *serial, {r}, {}});
  m_part = part::removed;
  return {};
}

zone::contents reader::take_contents() {
  m_contents.sort_canonical();
  return std::move(m_contents);
}

std::vector<record::changeset> reader::take_changesets() { return std::move(m_changes); }

}  // namespace cidns::xfr
