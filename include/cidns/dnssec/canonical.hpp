// The byte formats signatures and delegations are built on (DESIGN §4,
// "Signing"): the signed data of an RRset, the key tag of a KEY, the digest
// of a DS. docs/PROTOCOL.md has a worked example of each, checked by a test.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"

namespace cidns::dnssec {

// SHA-256 of `bytes` (32 bytes).
std::string sha256(std::string_view bytes);

// First two bytes, big-endian, of SHA-256 over the KEY's data.
std::uint16_t key_tag(std::string_view key_data) noexcept;

// SHA-256 over the encoding of Record{name: owner, type: KEY, data: key_data}.
std::string ds_digest(const name::identifier& owner, std::string_view key_data);

// The DS that pins the KEY with data `key_data` at `owner`. Fails if the
// KEY's data does not decode.
result<record::ds> make_ds(const name::identifier& owner, std::string_view key_data);

// The SIG labels field for an RRset at `owner`: its label count, not counting
// a leading "*".
std::uint32_t sig_labels(const name::identifier& owner) noexcept;

// The owner the signature covers for records at `owner` signed with `labels`:
// `owner` itself when labels equals its label count, "*." + its rightmost
// `labels` labels when fewer (a wildcard expansion); an error when more.
result<name::identifier> signed_owner(const name::identifier& owner, std::uint32_t labels);

// Appends SignedData{sig: `sig` without its signature, records: one Record per
// distinct data in `datas`, sorted by data bytes, owner `owner`, type `type`,
// TTL sig.original_ttl}.
void signed_data(const record::sig& sig, const name::identifier& owner, record::rtype type,
                 std::span<const std::string_view> datas, std::string& out);

}  // namespace cidns::dnssec
