// The reply stream of an XFR request (writer.hpp): records pulled one at a time from the
// zone (full) or the changesets (incremental) and packed into messages while their encoded
// size stays within the budget. A message's size is its head's (id, opcode, flags, question:
// the same in every message) plus, per record, the key, length and body of its answer field,
// so no message is encoded twice.
#include "cidns/xfr/writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "cidns/record/data.hpp"
#include "cidns/util/byte_codec.hpp"

namespace cidns::xfr {
namespace {

std::optional<std::uint32_t> apex_serial(const record::rr& r, const name::identifier& apex) {
  if (r.type != record::rtype::soa || r.owner != apex) return std::nullopt;
  auto soa = record::soa::decode(r.data);
  if (!soa) return std::nullopt;
  return soa->serial;
}

// The changesets chain from the client's serial (when it asked for one) to the zone's.
result<void> check_chain(const std::vector<record::changeset>& changes,
                         const zone::compiled_zone& z, std::optional<std::uint32_t> asked) {
  if (changes.empty()) return make_error("an incremental transfer needs at least one changeset");
  if (asked && changes.front().from != *asked) {
    return make_error(fmt::format("the changesets start at serial {}, the client has {}",
                                  changes.front().from, *asked));
  }
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    const std::string which = fmt::format("changeset {} -> {}", c.from, c.to);
    if (i > 0 && c.from != changes[i - 1].to) {
      return make_error(fmt::format("{} does not follow serial {}", which, changes[i - 1].to));
    }
    if (c.removed.empty() || apex_serial(c.removed.front(), z.origin()) != c.from) {
      return make_error(which + ": its removed records do not start with the old SOA");
    }
    if (c.added.empty() || apex_serial(c.added.front(), z.origin()) != c.to) {
      return make_error(which + ": its added records do not start with the new SOA");
    }
  }
  if (changes.back().to != z.serial()) {
    return make_error(fmt::format("the changesets end at serial {}, the zone is at {}",
                                  changes.back().to, z.serial()));
  }
  return {};
}

}  // namespace

writer::writer(const wire::message& request, std::shared_ptr<const zone::compiled_zone> zone,
               kind k, std::size_t budget)
    : m_kind(k),
      m_stage(k == kind::full ? stage::body : stage::first_soa),
      m_id(request.id),
      m_zone(std::move(zone)),
      m_budget(std::min(budget, wire::max_message_size)) {
  m_question = request.question.value_or(wire::question{m_zone->origin(), record::rtype::soa});
  m_soa = m_zone->soa_record();
  wire::message head;
  start_message(head);
  m_head = wire::encode(head).size();
}

writer writer::full(const wire::message& request, std::shared_ptr<const zone::compiled_zone> zone,
                    std::size_t budget) {
  writer w(request, std::move(zone), kind::full, budget);
  w.m_cursor.emplace(w.m_zone);
  return w;
}

writer writer::incremental(const wire::message& request,
                           std::shared_ptr<const zone::compiled_zone> zone,
                           std::vector<record::changeset> changes, std::size_t budget) {
  writer w(request, std::move(zone), kind::incremental, budget);
  auto asked = requested_serial(request);
  std::optional<std::uint32_t> from;
  if (asked) from = *asked;
  if (auto ok = check_chain(changes, *w.m_zone, from); !ok) w.m_error = ok.err();
  w.m_changes = std::move(changes);
  return w;
}

writer writer::up_to_date(const wire::message& request,
                          std::shared_ptr<const zone::compiled_zone> zone) {
  return writer(request, std::move(zone), kind::up_to_date, default_budget);
}

void writer::start_message(wire::message& out) const {
  out.id = m_id;
  out.opcode = wire::opcode::xfr;
  out.flags = wire::flag::qr | wire::flag::aa;
  out.rcode = wire::rcode::noerror;
  out.question = m_question;
}

std::size_t writer::answer_size(const record::rr& r) {
  m_scratch.clear();
  wire::encode_record_body(r.owner.text(), r.type, r.ttl, r.data, m_scratch);
  return 1 + util::varint_size(m_scratch.size()) + m_scratch.size();  // answer = 6: a one-byte key
}

bool writer::pull_change(record::rr& out) {
  while (m_change < m_changes.size()) {
    auto& c = m_changes[m_change];
    auto& list = m_in_added ? c.added : c.removed;
    if (m_item < list.size()) {
      out = std::move(list[m_item++]);  // each record is sent once
      return true;
    }
    m_item = 0;
    if (m_in_added) ++m_change;
    m_in_added = !m_in_added;
  }
  return false;
}

bool writer::pull(record::rr& out) {
  switch (m_stage) {
    case stage::first_soa:
      out = m_soa;
      m_stage = m_kind == kind::up_to_date ? stage::done : stage::body;
      return true;
    case stage::body:
      if (m_kind == kind::full ? m_cursor->next(out) : pull_change(out)) return true;
      m_stage = stage::last_soa;
      [[fallthrough]];
    case stage::last_soa:
      out = m_soa;
      m_stage = stage::done;
      return true;
    case stage::done:
      break;
  }
  return false;
}

result<bool> writer::next(wire::message& out) {
  auto answers = std::move(out.answer);
  answers.clear();
  out = wire::message{};
  out.answer = std::move(answers);
  if (m_error) {
    error e = *m_error;
    m_stage = stage::done;
    m_pending.reset();
    return e;
  }
  start_message(out);
  std::size_t size = m_head;
  while (out.answer.size() < wire::max_records_per_section) {
    if (!m_pending) {
      record::rr r;
      if (!pull(r)) break;
      m_pending = std::move(r);
    }
    const std::size_t add = answer_size(*m_pending);
    if (m_head + add > m_budget) {
      m_error = make_error(
          fmt::format("the record {} {} ({} bytes) does not fit in a transfer message of {} bytes",
                      m_pending->owner.text(), record::type_name(m_pending->type), add, m_budget));
      return next(out);
    }
    if (size + add > m_budget) break;
    size += add;
    out.answer.push_back(std::move(*m_pending));
    m_pending.reset();
    ++m_records;
  }
  if (out.answer.empty()) return false;
  ++m_messages;
  return true;
}

}  // namespace cidns::xfr
