// Server cookies (cookies.hpp).
#include "cidns/serve/cookies.hpp"

#include <cstring>
#include <initializer_list>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace cidns::serve {
namespace {

constexpr std::size_t hmac_part = 8;  // bytes of the HMAC kept in the cookie
constexpr std::size_t head_part = server_cookies::server_size - hmac_part;

// One HMAC-SHA256 context per thread, keyed once per secret: answering a
// cookie re-initialises it with the key kept (no allocation, no key schedule).
class hmac_context {
 public:
  hmac_context() {
    if (EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
      m_ctx = EVP_MAC_CTX_new(mac);
      EVP_MAC_free(mac);  // the context holds its own reference
    }
  }
  ~hmac_context() { EVP_MAC_CTX_free(m_ctx); }
  hmac_context(const hmac_context&) = delete;
  hmac_context& operator=(const hmac_context&) = delete;

  // HMAC-SHA256(key, parts...) into `out` (32 bytes). False when OpenSSL fails.
  bool compute(const server_cookies::secret_type& key,
               std::initializer_list<std::span<const std::uint8_t>> parts,
               std::array<std::uint8_t, 32>& out) {
    if (m_ctx == nullptr) return false;
    int ok = 0;
    if (m_keyed && key == m_key) {
      ok = EVP_MAC_init(m_ctx, nullptr, 0, nullptr);
    } else {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_end()};
      ok = EVP_MAC_init(m_ctx, key.data(), key.size(), params);
      m_keyed = ok == 1;
      m_key = key;
    }
    if (ok != 1) return false;
    for (auto p : parts) {
      if (EVP_MAC_update(m_ctx, p.data(), p.size()) != 1) return false;
    }
    std::size_t n = 0;
    return EVP_MAC_final(m_ctx, out.data(), &n, out.size()) == 1 && n == out.size();
  }

 private:
  EVP_MAC_CTX* m_ctx = nullptr;
  server_cookies::secret_type m_key{};
  bool m_keyed = false;
};

std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

server_cookies server_cookies::with_random_secret() {
  secret_type secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error("cannot draw a random cookie secret (RAND_bytes failed)");
  }
  return server_cookies(secret);
}

void server_cookies::make(std::string_view client_cookie, const client_address& from,
                          std::int64_t now_s, std::span<std::uint8_t, server_size> out) const {
  const auto ts = static_cast<std::uint32_t>(now_s);
  out[0] = version;
  out[1] = out[2] = out[3] = 0;
  out[4] = static_cast<std::uint8_t>(ts >> 24);
  out[5] = static_cast<std::uint8_t>(ts >> 16);
  out[6] = static_cast<std::uint8_t>(ts >> 8);
  out[7] = static_cast<std::uint8_t>(ts);
  thread_local hmac_context hmac;
  std::array<std::uint8_t, 32> digest{};
  if (!hmac.compute(m_secret, {as_bytes(client_cookie), out.first<head_part>(), from.view()},
                    digest)) {
    // Never issue a guessable cookie: a failed HMAC yields one that cannot verify.
    out[0] = 0;
    std::memset(out.data() + head_part, 0, hmac_part);
    return;
  }
  std::memcpy(out.data() + head_part, digest.data(), hmac_part);
}

bool server_cookies::verify(std::string_view cookie, const client_address& from,
                            std::int64_t now_s) const {
  if (cookie.size() != client_size + server_size) return false;
  const auto* server = reinterpret_cast<const std::uint8_t*>(cookie.data()) + client_size;
  if (server[0] != version || server[1] != 0 || server[2] != 0 || server[3] != 0) return false;
  const std::int64_t ts = (std::int64_t{server[4]} << 24) | (std::int64_t{server[5]} << 16) |
                          (std::int64_t{server[6]} << 8) | std::int64_t{server[7]};
  // The timestamp is 32 bits of unix time: compare in the window around now,
  // modulo 2^32 (correct past 2106 as long as the window is small).
  const auto delta =
      static_cast<std::int32_t>(static_cast<std::uint32_t>(ts) - static_cast<std::uint32_t>(now_s));
  if (delta > max_future_s || delta < -max_age_s) return false;
  std::array<std::uint8_t, server_size> expected{};
  make(cookie.substr(0, client_size), from, ts, expected);
  if (expected[0] != version) return false;  // the HMAC could not be computed
  return CRYPTO_memcmp(expected.data() + head_part, server + head_part, hmac_part) == 0;
}

cookie_result server_cookies::answer(std::string_view query_cookie, const client_address& from,
                                     std::int64_t now_s, std::string& reply_cookie) const {
  reply_cookie.clear();
  if (query_cookie.size() < client_size) return cookie_result::none;
  const std::string_view client = query_cookie.substr(0, client_size);
  cookie_result result = cookie_result::client_only;
  if (query_cookie.size() > client_size) {
    if (!verify(query_cookie, from, now_s)) {
      result = cookie_result::invalid;
    } else {
      // As RFC 9018 §4.3: a valid cookie less than half an hour old is sent
      // back as it is (one HMAC per verified query, not two).
      const auto* ts = reinterpret_cast<const std::uint8_t*>(query_cookie.data()) + 12;
      const auto issued = (std::uint32_t{ts[0]} << 24) | (std::uint32_t{ts[1]} << 16) |
                          (std::uint32_t{ts[2]} << 8) | std::uint32_t{ts[3]};
      const auto age = static_cast<std::int32_t>(static_cast<std::uint32_t>(now_s) - issued);
      if (age >= 0 && age < reuse_age_s) {
        reply_cookie.assign(query_cookie);
        return cookie_result::valid;
      }
      result = cookie_result::valid;
    }
  }
  std::array<std::uint8_t, server_size> server{};
  make(client, from, now_s, server);
  reply_cookie.append(client);
  reply_cookie.append(reinterpret_cast<const char*>(server.data()), server.size());
  return result;
}

}  // namespace cidns::serve
