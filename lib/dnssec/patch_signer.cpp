// Signing for a zone patched in service (patch_signer.hpp).
#include "cidns/dnssec/patch_signer.hpp"

#include <algorithm>
#include <string_view>

namespace cidns::dnssec {

std::vector<const zone_key*> signers_for(const std::vector<zone_key>& keys, record::rtype t) {
  bool any_sep = false;
  bool any_zsk = false;
  for (const auto& k : keys) (k.sep ? any_sep : any_zsk) = true;
  std::vector<const zone_key*> out;
  for (const auto& k : keys) {
    if (t == record::rtype::key || !(any_sep && any_zsk) || !k.sep) out.push_back(&k);
  }
  return out;
}

zone::rrset_signer patch_signer(const std::vector<zone_key>& keys, const name::identifier& zone,
                                std::uint64_t inception, std::uint64_t expiration) {
  return [&keys, zone, inception, expiration](const name::identifier& owner, record::rtype type,
                                              std::uint32_t ttl,
                                              const std::vector<std::string>& data) {
    std::vector<std::string_view> views(data.begin(), data.end());
    std::vector<std::string> sigs;
    for (const zone_key* k : signers_for(keys, type)) {
      sigs.push_back(
          sign_rrset(*k, zone, {owner, type, ttl, views}, inception, expiration).encode());
    }
    std::sort(sigs.begin(), sigs.end());  // canonical order, as the zone signer leaves them
    return sigs;
  };
}

bool keys_published(const std::vector<zone_key>& keys, const std::vector<std::string>& apex_keys) {
  if (keys.size() != apex_keys.size()) return false;
  return std::all_of(keys.begin(), keys.end(), [&](const zone_key& k) {
    return std::find(apex_keys.begin(), apex_keys.end(), k.key_data) != apex_keys.end();
  });
}

}  // namespace cidns::dnssec
