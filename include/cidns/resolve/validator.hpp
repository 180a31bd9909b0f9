// Validation steps of the resolver (DESIGN §6), as pure functions over records already
// received: a zone's KEY RRset against the DS set (or trust anchor) above it, an RRset against
// the zone's validated keys, and a negative answer's NSEC proof. The core chains them from the
// trust anchor down; each returns a verdict whose reason names what failed and where.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/dnssec/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/resolve/types.hpp"

namespace cidns::resolve {

// A zone's keys once validated: what the SIGs of its data are checked against.
struct zone_keys {
  name::identifier zone;
  struct entry {
    std::uint16_t tag = 0;
    std::uint32_t algorithm = 0;
    dnssec::public_key key;
  };
  std::vector<entry> keys;
};

// The trust anchor file: KEY or DS records of the root (or any zone) in presentation format,
// as `cidns-admin zone ds` prints them. KEY records (with the zone flag) are turned into their
// DS; every record must have the same owner, which names the zone. Errors are
// "file:line:col: message", one line per problem, with line/col also in the error.
// (Startup input: a bad file is a configuration error.)
struct trust_anchor {
  name::identifier zone;
  std::vector<record::ds> ds;
};
result<trust_anchor> load_trust_anchor(const std::string& path);
// `file_name` names the text in error messages.
result<trust_anchor> parse_trust_anchor(std::string_view text, const std::string& file_name);

// The KEY RRset at `zone` (records of type KEY and their SIGs, as received) checked against
// `ds` (already trusted: from the anchor or a validated parent): some DS matches a KEY with
// the zone flag (tag, algorithm and digest), and that KEY's SIG over the KEY RRset verifies
// and is in its window at `now_s`. On success `out` holds every zone KEY of the RRset.
// On failure `out` has no keys. Verdicts:
//   insecure  every DS has an unsupported algorithm or digest type (RFC 4035 §5.2);
//   bogus     ds_digest_mismatch "DS digest mismatch for Z" (a KEY with the DS's tag and
//             algorithm, another digest); key_missing "no KEY matches the DS of Z" (also with
//             no DS at all); signature_expired "signature expired on KEY Z";
//             signature_not_yet_valid "signature not yet valid on KEY Z"; signatures_missing
//             "no signature on KEY Z" (or none by a key the DS pins); dnssec_bogus
//             "bad signature on KEY Z".
verdict validate_keys(const name::identifier& zone, std::span<const record::rr> key_rrset,
                      std::span<const record::rr> sigs, std::span<const record::ds> ds,
                      std::uint64_t now_s, zone_keys& out);

// One RRset (records of one owner and type) against `keys`: some SIG covering the type, by
// `keys.zone`, with a key tag and algorithm among the keys, verifies and is in its window.
// A SIG whose labels are fewer than the owner's (wildcard expansion) is accepted here; the
// caller then proves the expansion (validate_denial with wildcard_answer): when
// `expanded_from` is given, it is set on success to the wildcard the SIG that verified was
// made over ("*.spot.provx.cn-north."), or to nullopt for an RRset signed as it is.
// SIGs in `sigs` at other owners or covering other types are ignored; TTLs are not compared
// (the signed data uses the SIG's original TTL; capping TTLs is the caller's).
// Bogus reasons name type and owner, the most telling one when several SIGs fail:
//   signature_expired "signature expired on DESC h100.pool1.provx.cn-north.";
//   signature_not_yet_valid "signature not yet valid on DESC ...";
//   dnssec_bogus "bad signature on STATE ..." (a key with the tag verifies nothing);
//   key_missing "no KEY of Z with tag N for the signature on EP ...";
//   dnssec_bogus "signer a. is not the zone b. (signature on ...)";
//   dnssec_bogus "a SIG at X does not decode: ...";
//   signatures_missing "no signature on EP ep.provx.cn-north.".
verdict validate_rrset(const zone_keys& keys, std::span<const record::rr> rrset,
                       std::span<const record::rr> sigs, std::uint64_t now_s,
                       std::optional<name::identifier>* expanded_from = nullptr);

// Which denial the authority section must prove.
enum class denial_kind : std::uint8_t {
  nxdomain,         // qname does not exist
  nodata,           // qname exists, qtype does not (includes empty non-terminals)
  wildcard_answer,  // the answer was synthesised from `wildcard_owner`: no closer match
  wildcard_nodata,  // qname does not exist, the wildcard exists without qtype
  no_ds,            // `qname` is an unsigned delegation: NSEC at the cut lists NS, not DS
};

// Checks the NSEC records in `authority` (each NSEC RRset inside keys.zone has its SIG
// verified with `keys`; others are ignored) prove `kind` for (qname, qtype). Secure when they
// do (for no_ds: the delegation at qname is proven unsigned). Bogus: any SIG failure on an
// NSEC (as validate_rrset, e.g. "no signature on NSEC b.example."), an NSEC signed as a
// wildcard expansion or that does not decode (dnssec_bogus), or nsec_missing when the proof
// fails: "no NSEC proves NXDOMAIN for Q (no NSEC covers Q)", "no NSEC proves NODATA for DESC Q
// (the NSEC of Q lists the type or a CNAME)", "... the wildcard answer for Q ...",
// "... wildcard NODATA for T Q ...", "... no DS at the delegation Q ...".
verdict validate_denial(const zone_keys& keys, denial_kind kind, const name::identifier& qname,
                        record::rtype qtype, std::span<const record::rr> authority,
                        std::uint64_t now_s, const name::identifier* wildcard_owner = nullptr);

// Groups: the SIGs in `records` covering `type` at `owner` (SIGs that do not decode are left
// out).
std::vector<record::rr> sigs_for(std::span<const record::rr> records, const name::identifier& owner,
                                 record::rtype type);

}  // namespace cidns::resolve
