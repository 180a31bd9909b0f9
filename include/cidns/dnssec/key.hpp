// Signing keys over OpenSSL 3 EVP (DESIGN §3 algorithms): generation, PEM
// files, the public key's wire form carried in KEY records, signing and
// verification. No I/O beyond the PEM file functions; thread-safe for
// concurrent sign()/verify() calls on one key object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/record/time.hpp"
#include "cidns/util/result.hpp"

namespace cidns::dnssec {

// The mnemonics, from the record module's one table (record/time.hpp).
using record::algorithm_name;
using record::parse_algorithm;
// True for the algorithms cidns can sign and verify with.
bool is_supported(std::uint32_t alg) noexcept;

// Public key wire forms (KEY.public_key) and signature wire forms (SIG.signature):
//   ed25519: 32-byte public key (RFC 8032); 64-byte signature (pure Ed25519 over the message).
//   p256:    64 bytes X||Y (uncompressed point without the 0x04 prefix, as RFC 6605);
//            signature r||s, 32 bytes each, over SHA-256 of the message.
//   sm2:     64 bytes X||Y on the SM2 curve; signature r||s, 32 bytes each, SM2 with
//            SM3 and the default distinguishing ID "1234567812345678" (GB/T 32918.2).

// A public key for verification, built from its wire form.
class public_key {
 public:
  // Fails on an unsupported algorithm or bytes that are not a valid key
  // (wrong length, a point not on the curve).
  static result<public_key> from_wire(std::uint32_t alg, std::string_view key_bytes);

  record::algorithm algorithm() const noexcept { return m_alg; }
  // Ok when `signature` is a valid signature of `message`; else an error saying
  // why ("signature does not verify", "signature has 63 bytes, expected 64").
  result<void> verify(std::string_view message, std::string_view signature) const;

  struct impl;  // the EVP_PKEY holder (key.cpp)

 private:
  record::algorithm m_alg = record::algorithm::unspecified;
  std::shared_ptr<const impl> m_impl;
};

// A private key. Copies share the same OpenSSL key.
class private_key {
 public:
  // A fresh key from OpenSSL's CSPRNG. Throws std::runtime_error if OpenSSL fails.
  static private_key generate(record::algorithm alg);
  // An Ed25519 key from its 32-byte seed (RFC 8032 §5.1.5); tests use the RFC's vectors.
  static result<private_key> from_ed25519_seed(std::string_view seed);
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); the algorithm comes from the key.
  static result<private_key> from_pem(std::string_view pem);
  // Reads a PEM file; errors name the file.
  static result<private_key> load(const std::string& path);

  std::string to_pem() const;
  // Writes the PEM to `path`, created with mode 0600 (an existing file is
  // replaced through a temporary file in the same folder and rename).
  result<void> save(const std::string& path) const;

  record::algorithm algorithm() const noexcept { return m_alg; }
  // The public key's wire form (see above).
  const std::string& public_key_bytes() const noexcept { return m_public; }
  dnssec::public_key public_key() const;

  // The signature's wire form. Throws std::runtime_error if OpenSSL fails
  // (an internal error, not bad input).
  std::string sign(std::string_view message) const;

  struct impl;  // the EVP_PKEY holder (key.cpp)

 private:
  record::algorithm m_alg = record::algorithm::unspecified;
  std::string m_public;
  std::shared_ptr<const impl> m_impl;
};

}  // namespace cidns::dnssec
