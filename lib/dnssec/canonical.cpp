// Signed data, key tags and DS digests (canonical.hpp).
#include "cidns/dnssec/canonical.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "cidns/record/rr.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::dnssec {

std::string sha256(std::string_view bytes) {
  std::string out(32, '\0');
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
                 EVP_sha256(), nullptr) != 1 ||
      size != out.size()) {
    throw std::runtime_error("SHA-256 failed in OpenSSL");
  }
  return out;
}

std::uint16_t key_tag(std::string_view key_data) noexcept {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(key_data.data(), key_data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return 0;
  }
  return static_cast<std::uint16_t>((digest[0] << 8) | digest[1]);
}

std::string ds_digest(const name::identifier& owner, std::string_view key_data) {
  std::string body;
  wire::encode_record_body(owner.text(), record::rtype::key, 0, key_data, body);
  return sha256(body);
}

result<record::ds> make_ds(const name::identifier& owner, std::string_view key_data) {
  auto k = record::key::decode(key_data);
  if (!k) return make_error("KEY data does not decode: " + k.err().message);
  record::ds d;
  d.key_tag = key_tag(key_data);
  d.algorithm = k->algorithm;
  d.digest_type = static_cast<std::uint32_t>(record::digest_type::sha256);
  d.digest = ds_digest(owner, key_data);
  return d;
}

std::uint32_t sig_labels(const name::identifier& owner) noexcept {
  auto n = static_cast<std::uint32_t>(owner.label_count());
  return owner.is_wildcard() ? n - 1 : n;
}

result<name::identifier> signed_owner(const name::identifier& owner, std::uint32_t labels) {
  const std::size_t count = owner.label_count();
  if (labels == count || (owner.is_wildcard() && labels + 1 == count)) return owner;
  if (labels > count) {
    return make_error("SIG labels " + std::to_string(labels) + " exceed the " +
                      std::to_string(count) + " labels of " + owner.text());
  }
  auto w = owner.strip_left(count - labels).wildcard_child();
  if (!w) return make_error("wildcard owner for " + owner.text() + ": " + w.err().message);
  return std::move(*w);
}

void signed_data(const record::sig& sig, const name::identifier& owner, record::rtype type,
                 std::span<const std::string_view> datas, std::string& out) {
  std::vector<std::string_view> sorted(datas.begin(), datas.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<record::rr> records;
  records.reserve(sorted.size());
  for (auto d : sorted)
    records.push_back(record::rr{owner, type, sig.original_ttl, std::string(d)});
  wire::encode_signed_data(sig.encode_unsigned(), records, out);
}

}  // namespace cidns::dnssec
