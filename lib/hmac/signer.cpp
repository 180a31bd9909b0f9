// Signing and verifying a message's auth field (signer.hpp) with HMAC-SHA256 (OpenSSL 3).
#include "cidns/hmac/signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "cidns/name/identifier.hpp"

namespace cidns::hmac {
namespace {

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_counted(std::string& out, std::string_view bytes) {
  put_be(out, bytes.size(), 2);
  out.append(bytes);
}

// HMAC-SHA256 of `input` with the key's secret; nullopt when OpenSSL fails.
std::optional<std::array<unsigned char, mac_size>> compute(const key& k, std::string_view input) {
  std::array<unsigned char, mac_size> out{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, k.secret.data(), k.secret.size(),
                reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(),
                out.size(), &len) == nullptr ||
      len != mac_size) {
    return std::nullopt;
  }
  return out;
}

verification failed(status s, const key* used, std::string reason) {
  return verification{s, used, std::move(reason)};
}

}  // namespace

std::string mac_input(const wire::message& m, std::string_view key_name, std::uint64_t time,
                      std::uint32_t fudge, std::string_view request_mac) {
  std::string out;
  if (!request_mac.empty()) put_counted(out, request_mac);
  if (m.auth) {
    wire::message copy = m;
    copy.auth.reset();
    wire::encode(copy, out);
  } else {
    wire::encode(m, out);
  }
  put_counted(out, key_name);
  put_be(out, time, 8);
  put_be(out, fudge, 4);
  return out;
}

void sign(wire::message& m, const key& k, std::uint64_t now, std::string_view request_mac,
          std::uint32_t fudge) {
  m.auth.reset();
  auto mac = compute(k, mac_input(m, k.name, now, fudge, request_mac));
  if (!mac) throw std::runtime_error(fmt::format("cannot compute the MAC with key {}", k.name));
  m.auth = wire::auth{k.name, now, fudge, std::string(mac->begin(), mac->end())};
}

verification verify(const wire::message& m, const keyring& ring, std::uint64_t now,
                    std::string_view request_mac) {
  if (!m.auth) return failed(status::unsigned_message, nullptr, "unsigned message");
  const wire::auth& a = *m.auth;
  auto name = name::identifier::parse(a.key);
  const key* k = name ? ring.find(name->text()) : nullptr;
  if (k == nullptr) return failed(status::bad_key, nullptr, fmt::format("unknown key '{}'", a.key));
  if (a.mac.size() != mac_size) {
    return failed(
        status::bad_sig, k,
        fmt::format("MAC of {} bytes (not {}) with key {}", a.mac.size(), mac_size, k->name));
  }
  auto expected = compute(*k, mac_input(m, k->name, a.time, a.fudge, request_mac));
  if (!expected || CRYPTO_memcmp(expected->data(), a.mac.data(), mac_size) != 0) {
    return failed(status::bad_sig, k, fmt::format("bad MAC with key {}", k->name));
  }
  const std::uint32_t fudge = std::min(a.fudge, default_fudge);
  const std::uint64_t skew = now >= a.time ? now - a.time : a.time - now;
  if (skew > fudge) {
    return failed(status::bad_time, k,
                  fmt::format("time {} is {} s from now ({}), beyond the fudge of {} s with key {}",
                              a.time, skew, now, fudge, k->name));
  }
  return verification{status::ok, k, {}};
}

wire::rcode to_rcode(status s) noexcept {
  switch (s) {
    case status::ok:
      return wire::rcode::noerror;
    case status::bad_sig:
      return wire::rcode::badsig;
    case status::bad_time:
      return wire::rcode::badtime;
    case status::unsigned_message:
    case status::bad_key:
      break;
  }
  return wire::rcode::notauth;
}

}  // namespace cidns::hmac
