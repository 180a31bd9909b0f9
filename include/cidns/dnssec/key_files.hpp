// Key files on disk, named as BIND and Knot users expect:
// K<zone>+<algorithm>+<tag>.private (PKCS#8 PEM, mode 0600) and .key (the
// public KEY record in presentation format); and files of records in
// presentation format (trust anchors: KEY or DS records, as `zone ds` prints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/util/result.hpp"

namespace cidns::dnssec {

struct key_file_pair {
  std::string private_path;
  std::string public_path;
};

// "Kprovx.cn-north.+ed25519+01234" (the root: "K.+ed25519+01234").
std::string key_file_base(const name::identifier& zone, const zone_key& key);

// Writes both files into `dir`; fails if either exists already.
result<key_file_pair> write_key_files(const name::identifier& zone, const zone_key& key,
                                      const std::string& dir, std::uint32_t ttl);

// Loads a signing key from a .private PEM file, or from the .key file's
// name (the .private beside it is read). The KEY flags (sep or not) come from
// the .key file beside the private key when there is one (its public key must
// match); without one the key is a zone-signing key.
result<zone_key> load_zone_key(const std::string& path);

// Reads records in presentation format with absolute owners (no $INCLUDE);
// errors as file:line:col. For .key files, DS sets and trust anchors.
result<std::vector<record::rr>> read_records(const std::string& path);

}  // namespace cidns::dnssec
