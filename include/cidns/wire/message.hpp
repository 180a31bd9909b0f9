// The cidns transport message (DESIGN §4, cidns.proto Message): a plain value,
// its decoder for untrusted bytes (never throws) and its deterministic encoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"

namespace cidns::wire {

// ---- limits (decoders reject beyond them) ----------------------------------
inline constexpr std::size_t max_message_size = 65535;
inline constexpr std::size_t max_records_per_section = 1024;
inline constexpr std::size_t max_name_length = name::max_name_length;  // 253
inline constexpr std::size_t max_string_size = 4096;  // selector, texts, key names, MACs
inline constexpr std::size_t min_cookie_size = 8;     // client cookie alone
inline constexpr std::size_t max_cookie_size = 40;    // client (8) + server (8..32)
inline constexpr std::uint32_t default_udp_size = 1232;
inline constexpr std::uint32_t min_udp_size = 512;
inline constexpr std::uint32_t max_udp_size = 65535;
inline constexpr std::uint32_t max_type = 65535;

// Opcode and Rcode carry their raw number (proto3 enums are open): a value from
// a newer peer survives decode/encode and is answered with NOTIMP, not FORMERR.
enum class opcode : std::int32_t {
  query = 0,
  discover = 1,
  notify = 2,
  update = 3,
  xfr = 4,
};

enum class rcode : std::int32_t {
  noerror = 0,
  formerr = 1,
  servfail = 2,
  nxdomain = 3,
  notimp = 4,
  refused = 5,
  yxdomain = 6,  // UPDATE: a name that should not exist does
  yxrrset = 7,   // UPDATE: an RRset that should not exist does
  nxrrset = 8,   // UPDATE: an RRset that should exist does not (or differs)
  notauth = 9,
  notzone = 10,  // UPDATE: a name outside the zone (or below a delegation)
  badsig = 16,
  badtime = 18,
  badcookie = 23,
};

// ExtendedError.code values (cidns.proto ErrorCode).
enum class error_code : std::uint32_t {
  other = 0,
  unsupported_algorithm = 1,
  stale_answer = 3,
  dnssec_bogus = 6,
  signature_expired = 7,
  signature_not_yet_valid = 8,
  key_missing = 9,
  signatures_missing = 10,
  nsec_missing = 12,
  prohibited = 18,
  no_reachable_authority = 22,
  network_error = 23,
  ds_digest_mismatch = 100,
  partial_result = 101,
};

// Bits of message::flags (cidns.proto Flag).
namespace flag {
inline constexpr std::uint32_t qr = 1;     // this is a reply
inline constexpr std::uint32_t aa = 2;     // authoritative answer
inline constexpr std::uint32_t tc = 4;     // truncated: retry over TCP
inline constexpr std::uint32_t rd = 8;     // recursion desired
inline constexpr std::uint32_t ra = 16;    // recursion available
inline constexpr std::uint32_t ad = 32;    // authenticated data
inline constexpr std::uint32_t cd = 64;    // checking disabled
inline constexpr std::uint32_t do_ = 128;  // send signatures and denial proofs
}  // namespace flag

// "QUERY", "NXDOMAIN", "SIGNATURE_EXPIRED"; unknown values as "OPCODE7", "RCODE42", "ERROR77".
std::string opcode_name(opcode op);
std::string rcode_name(rcode rc);
std::string error_code_name(std::uint32_t code);
// Set flag bits as lowercase mnemonics separated by spaces ("qr aa rd"); unknown
// bits as "bit8" etc.; "" when none.
std::string flags_text(std::uint32_t flags);

struct question {
  name::identifier name;
  record::rtype type = record::rtype::none;
  friend bool operator==(const question&, const question&) = default;
};

struct auth {
  std::string key;  // shared key name
  std::uint64_t time = 0;
  std::uint32_t fudge = 0;
  std::string mac;
  friend bool operator==(const auth&, const auth&) = default;
};

// UPDATE (RFC 2136 semantics, cidns.proto Prerequisite and Change). `record` carries the
// name, the type (none where the kind takes no type) and, where the kind needs them, the
// TTL (add) and data (rrset_equals, add, delete_record).
enum class prerequisite_kind : std::int32_t {
  rrset_exists = 0,  // the RRset (name, type) exists, whatever its records
  rrset_equals = 1,  // the RRset holds exactly these records (all rrset_equals of one
                     // name and type together form the expected set)
  rrset_absent = 2,  // no RRset (name, type)
  name_in_use = 3,   // the name owns at least one RRset
  name_absent = 4,   // the name owns no RRset
};

struct prerequisite {
  prerequisite_kind kind = prerequisite_kind::rrset_exists;
  record::rr record;
  friend bool operator==(const prerequisite&, const prerequisite&) = default;
};

enum class change_kind : std::int32_t {
  add = 0,            // add the record (a duplicate is ignored; the RRset takes its TTL)
  delete_record = 1,  // delete the record with these data, if present
  delete_rrset = 2,   // delete the RRset (name, type)
  delete_name = 3,    // delete every RRset at the name
};

struct change {
  change_kind kind = change_kind::add;
  record::rr record;
  friend bool operator==(const change&, const change&) = default;
};

struct extended_error {
  std::uint32_t code = 0;  // error_code value
  std::string text;
  friend bool operator==(const extended_error&, const extended_error&) = default;
};

// One message. Record data is opaque here: never decoded, carried unchanged.
struct message {
  std::uint32_t id = 0;
  wire::opcode opcode = wire::opcode::query;
  std::uint32_t flags = 0;
  wire::rcode rcode = wire::rcode::noerror;
  std::optional<wire::question> question;
  std::vector<record::rr> answer;
  std::vector<record::rr> authority;
  std::vector<record::rr> additional;
  std::uint32_t max_size = 0;  // 0: absent (default_udp_size)
  std::string cookie;          // empty: absent
  std::string selector;
  std::optional<wire::auth> auth;
  std::optional<extended_error> error;
  std::uint32_t deadline = 0;               // DISCOVER: ms the client waits at most; 0: absent
  std::vector<prerequisite> prerequisites;  // UPDATE
  std::vector<change> changes;              // UPDATE

  bool has_flag(std::uint32_t bit) const noexcept { return (flags & bit) == bit; }
  void set_flag(std::uint32_t bit, bool on = true) noexcept {
    flags = on ? (flags | bit) : (flags & ~bit);
  }
  // The largest UDP reply the sender takes: max_size, or default_udp_size when
  // absent, clamped to min_udp_size..max_udp_size.
  std::uint32_t udp_size() const noexcept;

  friend bool operator==(const message&, const message&) = default;
};

// Decodes untrusted bytes; never throws. Unknown fields are skipped; a field
// number seen twice follows protobuf (scalars: last wins; Question, Auth and
// ExtendedError: merged). Names are accepted in any valid identifier text (with
// or without the trailing dot, any case) and normalised (lowercase, trailing
// dot); Record.data is kept byte for byte. Errors name the part and the byte
// offset of the field: truncation, a wrong wire type for a known field, an
// invalid or missing name, type 0 or > 65535, TTL > 2^31-1, more than 1,024
// records in a section, a string over 4,096 bytes or not UTF-8, a cookie of
// a length other than 8 or 16..40, a message over 65,535 bytes.
result<message> decode(std::string_view bytes);
// The same into `out`, reusing its vectors' capacity (the server's hot path).
// On error `out` holds a partly decoded message.
result<void> decode(std::string_view bytes, message& out);

// What a server needs of a message whose rest may be malformed, to decide
// whether to answer FORMERR and with which id. Fields are read in order, the
// last occurrence winning as in decode(), until the bytes end or stop making
// sense (truncation, an unknown wire type, a field key wider than 32 bits, a
// length past the end): `id` is the last id field read before that point, 0
// for well-formed protobuf without an id, nullopt for empty input or garbage
// before any id; `flags` is the last flags field read (0 if none), so that a
// message with flag::qr set — a reply — is never answered (PROTOCOL §11); `opcode` likewise
// (0, QUERY, if none), so that a server can route a message before decoding it.
struct header_peek {
  std::optional<std::uint32_t> id;
  std::uint32_t flags = 0;
  std::uint32_t opcode = 0;
};
header_peek peek_header(std::string_view bytes) noexcept;
// peek_header(bytes).id.
std::optional<std::uint32_t> peek_id(std::string_view bytes) noexcept;

// Appends the deterministic encoding of `m` to `out`: fields in ascending
// number order, proto3 defaults omitted (byte-identical to libprotobuf's
// deterministic serialisation). No limits are checked: the caller keeps to them
// (reply_builder does for replies).
void encode(const message& m, std::string& out);
std::string encode(const message& m);

// Appends the body of a Record message (no tag or length) for `owner` (canonical
// text, trailing dot), as reply_builder::add_encoded takes it.
void encode_record_body(std::string_view owner, record::rtype type, std::uint32_t ttl,
                        std::string_view data, std::string& out);

// Appends the encoding of SignedData{sig, records} (DESIGN §4, "Signing"):
// `sig` is the SIG's data without its signature field; the records are written
// as given, so the caller has already lowercased owners, set TTLs to the
// original TTL, sorted by data and removed duplicates.
void encode_signed_data(std::string_view sig, std::span<const record::rr> records,
                        std::string& out);

}  // namespace cidns::wire
