// The validation steps of the resolver (validator.hpp): a zone's KEY RRset against its DS
// set, one RRset against the zone's validated keys. Denial proofs are in validate_denial.cpp.
// Every input here is untrusted: data that does not decode makes a bogus verdict, never a
// crash.
#include "cidns/resolve/validator.hpp"

#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/rrset_signer.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;
using wire::error_code;

bool is_sha256(const record::ds& d) {
  return d.digest_type == static_cast<std::uint32_t>(record::digest_type::sha256);
}

bool usable(const record::ds& d) { return dnssec::is_supported(d.algorithm) && is_sha256(d); }

// The best reason found so far for a failed validation: a later one replaces it only when it
// says more (a signature that verified but is out of its window says more than one that does
// not verify, which says more than a key that is missing, and so on).
class failure {
 public:
  void note(int weight, error_code code, std::string why) {
    if (weight <= m_weight) return;
    m_weight = weight;
    m_verdict = verdict::bogus(code, std::move(why));
  }
  bool any() const noexcept { return m_weight >= 0; }
  verdict take() && { return std::move(m_verdict); }

 private:
  int m_weight = -1;
  verdict m_verdict;
};

// Weights of failure::note, lowest first.
enum : int {
  w_missing = 0,    // no SIG covers the RRset
  w_undecodable,    // a SIG whose data does not decode
  w_wrong_signer,   // a SIG by another zone
  w_unknown_key,    // a SIG by no key of the zone
  w_bad_signature,  // a SIG that does not verify
  w_window,         // a SIG that verifies but is outside its window
};

// "signature expired on DESC h.p.z." / "signature not yet valid on ...".
void note_window(failure& f, const record::sig& s, std::uint64_t now_s, std::string_view what) {
  if (now_s > s.expiration) {
    f.note(w_window, error_code::signature_expired, fmt::format("signature expired on {}", what));
  } else {
    f.note(w_window, error_code::signature_not_yet_valid,
           fmt::format("signature not yet valid on {}", what));
  }
}

// Checks the decoded `s` against the keys of `keys` with its tag and algorithm; true when one
// verifies it over `set` and it is in its window at `now_s`.
bool check_sig(const zone_keys& keys, const record::sig& s, const dnssec::rrset_ref& set,
               std::uint64_t now_s, std::string_view what, failure& f) {
  bool tried = false;
  for (const auto& k : keys.keys) {
    if (k.tag != s.key_tag || k.algorithm != s.algorithm) continue;
    tried = true;
    if (!dnssec::verify_rrset(s, k.key, set)) continue;
    if (dnssec::check_window(s, now_s)) return true;
    note_window(f, s, now_s, what);
  }
  if (!tried) {
    f.note(w_unknown_key, error_code::key_missing,
           fmt::format("no KEY of {} with tag {} for the signature on {}", keys.zone.text(),
                       s.key_tag, what));
  } else {
    f.note(w_bad_signature, error_code::dnssec_bogus, fmt::format("bad signature on {}", what));
  }
  return false;
}

// The data of every record in `rrset` (views into it).
std::vector<std::string_view> datas_of(std::span<const record::rr> rrset) {
  std::vector<std::string_view> out;
  out.reserve(rrset.size());
  for (const auto& r : rrset) out.emplace_back(r.data);
  return out;
}

}  // namespace

std::vector<record::rr> sigs_for(std::span<const record::rr> records, const name::identifier& owner,
                                 record::rtype type) {
  std::vector<record::rr> out;
  for (const auto& r : records) {
    if (r.type != rtype::sig || r.owner != owner) continue;
    auto s = record::sig::decode(r.data);
    if (s && s->type_covered == type) out.push_back(r);
  }
  return out;
}

verdict validate_rrset(const zone_keys& keys, std::span<const record::rr> rrset,
                       std::span<const record::rr> sigs, std::uint64_t now_s,
                       std::optional<name::identifier>* expanded_from) {
  if (rrset.empty()) return verdict::bogus(error_code::other, "no records to validate");
  const name::identifier& owner = rrset.front().owner;
  const rtype type = rrset.front().type;
  const std::string what = fmt::format("{} {}", record::type_name(type), owner.text());
  for (const auto& r : rrset) {
    if (r.owner != owner || r.type != type) {
      return verdict::bogus(error_code::other,
                            fmt::format("records of another owner or type in the RRset {}", what));
    }
  }
  const auto datas = datas_of(rrset);
  const dnssec::rrset_ref set{owner, type, rrset.front().ttl, datas};
  failure f;
  for (const auto& r : sigs) {
    if (r.type != rtype::sig || r.owner != owner) continue;
    auto s = record::sig::decode(r.data);
    if (!s) {
      f.note(w_undecodable, error_code::dnssec_bogus,
             fmt::format("a SIG at {} does not decode: {}", owner.text(), s.err().message));
      continue;
    }
    if (s->type_covered != type) continue;
    if (s->signer != keys.zone) {
      f.note(w_wrong_signer, error_code::dnssec_bogus,
             fmt::format("signer {} is not the zone {} (signature on {})", s->signer.text(),
                         keys.zone.text(), what));
      continue;
    }
    if (!check_sig(keys, *s, set, now_s, what, f)) continue;
    if (expanded_from != nullptr) {
      auto signed_as = dnssec::signed_owner(owner, s->labels);
      expanded_from->reset();
      if (signed_as && *signed_as != owner) *expanded_from = std::move(*signed_as);
    }
    return verdict::secure();
  }
  if (!f.any()) {
    return verdict::bogus(error_code::signatures_missing, fmt::format("no signature on {}", what));
  }
  return std::move(f).take();
}

verdict validate_keys(const name::identifier& zone, std::span<const record::rr> key_rrset,
                      std::span<const record::rr> sigs, std::span<const record::ds> ds,
                      std::uint64_t now_s, zone_keys& out) {
  out = zone_keys{zone, {}};
  if (ds.empty()) {
    return verdict::bogus(error_code::key_missing,
                          fmt::format("no DS to check the KEY of {} against", zone.text()));
  }
  bool any_usable = false;
  for (const auto& d : ds) any_usable = any_usable || usable(d);
  if (!any_usable) {
    return verdict::insecure(fmt::format(
        "every DS of {} has an unsupported algorithm or digest type: the zone is treated as "
        "unsigned (RFC 4035 §5.2)",
        zone.text()));
  }
  // The KEY records of the RRset, and among the zone keys those a DS pins.
  std::vector<record::rr> rrset;
  zone_keys pinned{zone, {}};
  bool digest_mismatch = false;
  for (const auto& r : key_rrset) {
    if (r.type != rtype::key || r.owner != zone) continue;
    rrset.push_back(r);
    auto k = record::key::decode(r.data);
    if (!k || (k->flags & record::key_flag_zone) == 0) continue;
    const std::uint16_t tag = dnssec::key_tag(r.data);
    auto pk = dnssec::public_key::from_wire(k->algorithm, k->public_key);
    if (pk) out.keys.push_back({tag, k->algorithm, *pk});
    for (const auto& d : ds) {
      if (!usable(d) || d.key_tag != tag || d.algorithm != k->algorithm) continue;
      if (d.digest != dnssec::ds_digest(zone, r.data)) {
        digest_mismatch = true;
      } else if (pk) {
        pinned.keys.push_back({tag, k->algorithm, *pk});
        break;
      }
    }
  }
  if (pinned.keys.empty()) {
    out.keys.clear();
    if (digest_mismatch) {
      return verdict::bogus(error_code::ds_digest_mismatch,
                            fmt::format("DS digest mismatch for {}", zone.text()));
    }
    return verdict::bogus(error_code::key_missing,
                          fmt::format("no KEY matches the DS of {}", zone.text()));
  }
  verdict v = validate_rrset(pinned, rrset, sigs, now_s);
  if (!v.is_secure()) {
    out.keys.clear();
    // A SIG by a zone key no DS pins: the KEY RRset is not signed by a trusted key.
    if (v.code == error_code::key_missing) {
      v = verdict::bogus(error_code::signatures_missing,
                         fmt::format("no signature on KEY {} by a key its DS pins", zone.text()));
    }
  }
  return v;
}

}  // namespace cidns::resolve
