// The server side of a zone transfer without sockets (PROTOCOL §14): the reply messages of
// an XFR request, full, incremental or "up to date", each within a byte budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cidns/record/changeset.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "cidns/zone/record_cursor.hpp"

namespace cidns::xfr {

inline constexpr std::size_t default_budget = 60000;  // encoded bytes per message, before auth

// The serial of the SOA in an XFR request's authority section (an incremental transfer is
// asked), or nullopt (a full one). Error when the authority holds anything else.
result<std::optional<std::uint32_t>> requested_serial(const wire::message& request);

// Produces the reply stream one message at a time: SOA, the records, SOA (full); SOA, each
// changeset's removed then added records, SOA (incremental); or the SOA alone (up to date).
class writer {
 public:
  static writer full(const wire::message& request, std::shared_ptr<const zone::compiled_zone> zone,
                     std::size_t budget = default_budget);
  static writer incremental(const wire::message& request,
                            std::shared_ptr<const zone::compiled_zone> zone,
                            std::vector<record::changeset> changes,
                            std::size_t budget = default_budget);
  static writer up_to_date(const wire::message& request,
                           std::shared_ptr<const zone::compiled_zone> zone);

  // Fills `out` (cleared first) with the next message; false when the stream is over.
  result<bool> next(wire::message& out);
  std::uint64_t records() const noexcept { return m_records; }  // records put in messages so far
  std::uint64_t messages() const noexcept { return m_messages; }

 private:
  enum class kind { full, incremental, up_to_date };
  enum class stage { first_soa, body, last_soa, done };
  writer(const wire::message& request, std::shared_ptr<const zone::compiled_zone> zone, kind k,
         std::size_t budget);

  // The next record of the stream into `out`; false at its end.
  bool pull(record::rr& out);
  bool pull_change(record::rr& out);
  void start_message(wire::message& out) const;
  // The bytes `r` adds to a message's answer section (key, length and Record body).
  std::size_t answer_size(const record::rr& r);

  kind m_kind;
  stage m_stage;
  std::uint32_t m_id = 0;
  wire::question m_question;
  std::shared_ptr<const zone::compiled_zone> m_zone;
  std::size_t m_budget;
  std::size_t m_head = 0;  // the encoded size of a message without records
  record::rr m_soa;
  std::optional<error> m_error;  // the stream cannot be sent (reported by next())

  std::optional<zone::record_cursor> m_cursor;  // full: the zone's records
  std::vector<record::changeset> m_changes;     // incremental
  std::size_t m_change = 0;
  std::size_t m_item = 0;  // within the changeset's removed, then added records
  bool m_in_added = false;
  std::optional<record::rr> m_pending;  // pulled but not yet placed in a message
  std::string m_scratch;

  std::uint64_t m_records = 0;
  std::uint64_t m_messages = 0;
};

}  // namespace cidns::xfr
