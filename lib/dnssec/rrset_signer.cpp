// One RRset's SIG: make and check (rrset_signer.hpp).
#include "cidns/dnssec/rrset_signer.hpp"

#include <vector>

#include <fmt/format.h>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/record/time.hpp"

namespace cidns::dnssec {

zone_key zone_key::from(private_key key, bool ksk) {
  record::key k;
  k.flags = record::key_flag_zone | (ksk ? record::key_flag_sep : 0);
  k.algorithm = static_cast<std::uint32_t>(key.algorithm());
  k.public_key = key.public_key_bytes();
  zone_key z{std::move(key), k.encode(), 0, ksk};
  z.tag = key_tag(z.key_data);
  return z;
}

record::sig sign_rrset(const zone_key& key, const name::identifier& signer, const rrset_ref& set,
                       std::uint64_t inception, std::uint64_t expiration) {
  record::sig s;
  s.type_covered = set.type;
  s.algorithm = static_cast<std::uint32_t>(key.key.algorithm());
  s.labels = sig_labels(set.owner);
  s.original_ttl = set.ttl;
  s.expiration = expiration;
  s.inception = inception;
  s.key_tag = key.tag;
  s.signer = signer;
  thread_local std::string data;
  data.clear();
  signed_data(s, set.owner, set.type, set.datas, data);
  s.signature = key.key.sign(data);
  return s;
}

result<void> verify_rrset(const record::sig& sig, const public_key& key, const rrset_ref& set) {
  if (sig.type_covered != set.type) {
    return make_error(fmt::format("SIG covers {}, not {}", record::type_name(sig.type_covered),
                                  record::type_name(set.type)));
  }
  if (!set.owner.is_part_of(sig.signer)) {
    return make_error(
        fmt::format("signer {} is not above the owner {}", sig.signer.text(), set.owner.text()));
  }
  if (sig.algorithm != static_cast<std::uint32_t>(key.algorithm())) {
    return make_error(fmt::format("SIG algorithm {} differs from the key's {}",
                                  algorithm_name(sig.algorithm),
                                  algorithm_name(static_cast<std::uint32_t>(key.algorithm()))));
  }
  auto owner = signed_owner(set.owner, sig.labels);
  if (!owner) return std::move(owner).err();
  thread_local std::string data;
  data.clear();
  signed_data(sig, *owner, set.type, set.datas, data);
  return key.verify(data, sig.signature);
}

result<void> check_window(const record::sig& sig, std::uint64_t now) {
  if (now > sig.expiration) {
    return make_error("signature expired " + record::format_sig_time(sig.expiration));
  }
  if (now < sig.inception) {
    return make_error("signature not valid before " + record::format_sig_time(sig.inception));
  }
  return {};
}

}  // namespace cidns::dnssec
