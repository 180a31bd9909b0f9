// Generating shared keys and the keyring (key.hpp); the key file is in key_file.cpp.
#include <openssl/rand.h>

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"

namespace cidns::hmac {

key generate(std::string_view name) {
  auto n = name::identifier::parse(name);
  if (!n) {
    throw std::invalid_argument(fmt::format("bad key name '{}': {}", name, n.err().message));
  }
  key k{n->text(), std::string(secret_size, '\0')};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(k.secret.data()),
                 static_cast<int>(k.secret.size())) != 1) {
    throw std::runtime_error("cannot generate an HMAC key: the random source failed");
  }
  return k;
}

bool keyring::add(key k) {
  // Names are looked up as canonical text: "Agent" and "agent." are one key.
  auto n = name::identifier::parse(k.name);
  if (!n) return false;
  k.name = n->text();
  if (m_keys.contains(k.name)) return false;
  std::string name = k.name;
  m_keys.emplace(std::move(name), std::move(k));
  return true;
}

const key* keyring::find(std::string_view name) const noexcept {
  auto it = m_keys.find(name);
  return it == m_keys.end() ? nullptr : &it->second;
}

}  // namespace cidns::hmac
