// Shared keys for transaction authentication (UPDATE, XFR, NOTIFY; PROTOCOL §4 Auth):
// a named secret, its key file, and the keyring a server looks keys up in.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::hmac {

inline constexpr std::size_t secret_size = 32;  // bytes of a generated HMAC-SHA256 secret
inline constexpr std::size_t min_secret_size = 16;
inline constexpr std::size_t max_secret_size = 64;

struct key {
  std::string name;    // canonical identifier text with trailing dot: "provx-agent."
  std::string secret;  // raw bytes

  friend bool operator==(const key&, const key&) = default;
};

// A new key named `name` (any identifier text; stored canonical) with secret_size random
// bytes from OpenSSL. Throws std::invalid_argument on a bad name, std::runtime_error when the
// random source fails.
key generate(std::string_view name);

// The key file, one "field: value" per line ('#' comments and blank lines ignored):
//   name: provx-agent.
//   algorithm: hmac-sha256
//   secret: <base64 of the secret>
// parse never throws: errors name the file and line ("FILE:LINE: ...").
result<key> parse_key_file(std::string_view text, std::string_view file_name);
std::string format_key_file(const key& k);
result<key> read_key_file(const std::filesystem::path& path);
// Writes atomically (temporary file in the same folder, fsync, rename) with mode 0600.
// Throws std::runtime_error on failure.
void write_key_file(const std::filesystem::path& path, const key& k);
// The same, but never replaces a file: false (and nothing written) when `path` exists.
bool create_key_file(const std::filesystem::path& path, const key& k);

// Keys by name (canonical text). A server's keyring is built at startup and then only read.
class keyring {
 public:
  // Stores the key under its canonical name. False (and nothing changed) when a key of that
  // name is already there, or the name is not valid identifier text.
  bool add(key k);
  // `name` as canonical text (verify() normalises the name a message carries).
  const key* find(std::string_view name) const noexcept;
  std::size_t size() const noexcept { return m_keys.size(); }

 private:
  std::map<std::string, key, std::less<>> m_keys;
};

}  // namespace cidns::hmac
