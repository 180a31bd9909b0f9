// Signing one RRset and verifying one SIG (DESIGN §4): the SIG fields, the
// signed data, the key; validity windows checked separately.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cidns/dnssec/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/result.hpp"

namespace cidns::dnssec {

// A zone's key as the signer uses it: the private key and its KEY record data.
struct zone_key {
  private_key key;
  std::string key_data;  // KEY data: flags, algorithm, public key
  std::uint16_t tag = 0;
  bool sep = false;  // a key-signing key (signs the apex KEY RRset)

  // flags: record::key_flag_zone, plus key_flag_sep when `ksk`.
  static zone_key from(private_key key, bool ksk);
};

// An RRset to sign or check: every record's data, one owner, type and TTL.
struct rrset_ref {
  const name::identifier& owner;
  record::rtype type;
  std::uint32_t ttl;
  std::span<const std::string_view> datas;
};

// The SIG (with its signature) by `key` of zone `signer` over `set`.
record::sig sign_rrset(const zone_key& key, const name::identifier& signer, const rrset_ref& set,
                       std::uint64_t inception, std::uint64_t expiration);

// Checks that `sig` covers `set` (type, labels, signer above the owner) and
// that its signature verifies with `key`. Time is not checked (check_window).
result<void> verify_rrset(const record::sig& sig, const public_key& key, const rrset_ref& set);

// "signature expired 2026-11-30T10:00:00Z" / "signature not valid before ..."
// when `now` (unix seconds) is outside [inception, expiration].
result<void> check_window(const record::sig& sig, std::uint64_t now);

}  // namespace cidns::dnssec
