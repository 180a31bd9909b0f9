// The client side of a zone transfer without sockets (PROTOCOL §14): checks a stream of XFR
// reply messages strictly and collects the zone (full) or its changesets (incremental).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/changeset.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/contents.hpp"

namespace cidns::xfr {

enum class transfer_kind { up_to_date, full, incremental };

struct reader_limits {
  std::uint64_t max_records = 50'000'000;
};

class reader {
 public:
  // `zone`: the apex asked for; `have`: the serial an incremental transfer was asked from.
  reader(name::identifier zone, std::optional<std::uint32_t> have, reader_limits limits = {});

  // The next message of the stream (authenticated by the caller already). true when the
  // transfer is complete; an error says why the stream is malformed (and the reader is done).
  result<bool> feed(const wire::message& m);
  bool complete() const noexcept { return m_state == state::complete; }
  transfer_kind kind() const noexcept { return m_kind; }
  std::uint32_t serial() const noexcept { return m_serial; }  // after the first record
  // When the server answered with an error rcode (feed then returned an error): that rcode.
  std::optional<wire::rcode> server_rcode() const noexcept { return m_server_rcode; }
  zone::contents take_contents();  // complete full transfer: SOA once, no positions
  std::vector<record::changeset> take_changesets();  // complete incremental: oldest first
  std::uint64_t records() const noexcept { return m_records; }

 private:
  enum class state { first, second, body, complete, failed };
  // Incremental: which part of a changeset the next record belongs to.
  enum class part { removed, added };

  result<void> check_header(const wire::message& m);
  result<void> take(const record::rr& r);
  result<void> take_first(const record::rr& r);
  result<void> take_second(const record::rr& r);
  result<void> take_full(const record::rr& r);
  result<void> take_incremental(const record::rr& r);
  result<bool> fail(error e);
  // The serial of an SOA owned by the apex; nullopt for any other record.
  std::optional<std::uint32_t> apex_serial(const record::rr& r) const;

  name::identifier m_zone;
  std::optional<std::uint32_t> m_have;
  reader_limits m_limits;
  state m_state = state::first;
  transfer_kind m_kind = transfer_kind::full;
  std::uint32_t m_serial = 0;
  std::optional<wire::rcode> m_server_rcode;
  std::uint64_t m_records = 0;

  record::rr m_soa;                          // the first record
  zone::contents m_contents;                 // full
  std::vector<record::changeset> m_changes;  // incremental
  part m_part = part::removed;
  std::uint32_t m_at = 0;  // incremental: the serial the chain has reached
};

}  // namespace cidns::xfr
