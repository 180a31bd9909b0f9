// Signed zones and replies as a validator sees them, for the cidns-authd tests
// (tests/unit/authd and tests/integration): signing zonefile text with given
// keys, grouping a reply section into RRsets, checking every SIG against
// trusted keys and collecting the NSEC records that denial proofs run over.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cidns/dnssec/denial.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::authd::test {

inline std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Reads, checks, signs (SIGs valid from `inception` to `expiration`) and
// compiles zonefile text for `origin`.
inline zone::loaded_zone load_signed_text(std::string_view text, const name::identifier& origin,
                                          const std::vector<dnssec::zone_key>& keys,
                                          std::uint64_t inception, std::uint64_t expiration) {
  zone::load_options options;
  options.read.origin = origin;
  options.compile = true;
  options.sign = [&](zone::contents& z, const zone::layout& shape) -> result<void> {
    dnssec::sign_options so;
    so.keys = keys;
    so.inception = inception;
    so.expiration = expiration;
    so.jobs = 1;
    auto r = dnssec::sign_zone(z, shape, so);
    if (!r) return std::move(r).err();
    return {};
  };
  return zone::load_text(text, origin.text() + "zone", options);
}

// A zone key a validator trusts (from the zone's KEY data or a DS it checked).
struct trusted_key {
  name::identifier zone;
  std::uint16_t tag = 0;
  std::string key_data;
  dnssec::public_key key;
};

inline result<trusted_key> trust(const name::identifier& zone, std::string_view key_data) {
  auto k = record::key::decode(key_data);
  if (!k) return make_error("KEY data does not decode: " + k.err().message);
  auto pk = dnssec::public_key::from_wire(k->algorithm, k->public_key);
  if (!pk) return std::move(pk).err();
  return trusted_key{zone, dnssec::key_tag(key_data), std::string(key_data), std::move(*pk)};
}

// One RRset of a reply section: the records of one owner and type, SIGs apart.
struct rrset_group {
  name::identifier owner;
  record::rtype type = record::rtype::none;
  std::uint32_t ttl = 0;
  bool ttls_differ = false;
  std::vector<std::string> datas;
};

// The RRsets of `section` (SIG records left out), in order of first appearance.
inline std::vector<rrset_group> group_rrsets(std::span<const record::rr> section) {
  std::vector<rrset_group> out;
  for (const auto& r : section) {
    if (r.type == record::rtype::sig) continue;
    rrset_group* g = nullptr;
    for (auto& x : out) {
      if (x.owner == r.owner && x.type == r.type) g = &x;
    }
    if (g == nullptr) {
      out.push_back(rrset_group{r.owner, r.type, r.ttl, false, {}});
      g = &out.back();
    }
    g->ttls_differ = g->ttls_differ || g->ttl != r.ttl;
    g->datas.push_back(r.data);
  }
  return out;
}

// A signed RRset that is a wildcard expansion: the SIG's labels say the
// records were synthesised from `wildcard` for `owner`.
struct expansion {
  name::identifier owner;
  record::rtype type = record::rtype::none;
  name::identifier wildcard;
};

struct section_rules {
  std::uint64_t now = 0;  // the validity windows are checked at this time
  // Every RRset must carry a SIG, except those listed here (delegation NS,
  // glue). False for the additional section, where SIGs are optional.
  bool require_sigs = true;
  std::vector<std::pair<name::identifier, record::rtype>> may_be_unsigned;
};

struct section_check {
  std::vector<std::string> problems;  // empty: the section validates
  std::size_t verified = 0;           // SIGs that verified
  std::vector<expansion> expansions;
};

// Checks `section` as a validator does: every SIG decodes, covers an RRset of
// the section (same owner, type covered), was made by a trusted key of its
// signer zone (tag and algorithm), verifies (wildcard owners rebuilt from the
// labels field), and is inside its validity window at `rules.now`; each RRset
// has one TTL, no more than the SIG's original TTL and equal to its SIGs' TTL
// (RFC 4034 §3); and every RRset not exempted has at least one SIG.
inline section_check check_section(std::span<const record::rr> section,
                                   std::span<const trusted_key> keys, const section_rules& rules) {
  section_check out;
  const auto sets = group_rrsets(section);
  std::vector<bool> signed_set(sets.size(), false);
  for (const auto& r : section) {
    if (r.type != record::rtype::sig) continue;
    const std::string where = r.owner.text() + " SIG";
    auto sig = record::sig::decode(r.data);
    if (!sig) {
      out.problems.push_back(where + ": data does not decode: " + sig.err().message);
      continue;
    }
    const std::string what = r.owner.text() + " SIG(" + record::type_name(sig->type_covered) + ")";
    std::size_t i = 0;
    while (i < sets.size() && !(sets[i].owner == r.owner && sets[i].type == sig->type_covered)) {
      ++i;
    }
    if (i == sets.size()) {
      out.problems.push_back(what + ": covers no RRset of the section");
      continue;
    }
    const trusted_key* key = nullptr;
    for (const auto& k : keys) {
      if (k.zone == sig->signer && k.tag == sig->key_tag &&
          static_cast<std::uint32_t>(k.key.algorithm()) == sig->algorithm) {
        key = &k;
      }
    }
    if (key == nullptr) {
      out.problems.push_back(what + ": no trusted key of " + sig->signer.text() + " with tag " +
                             std::to_string(sig->key_tag));
      continue;
    }
    const auto& set = sets[i];
    std::vector<std::string_view> datas(set.datas.begin(), set.datas.end());
    if (auto v = dnssec::verify_rrset(*sig, key->key, {set.owner, set.type, set.ttl, datas}); !v) {
      out.problems.push_back(what + ": " + v.err().message);
      continue;
    }
    if (auto w = dnssec::check_window(*sig, rules.now); !w) {
      out.problems.push_back(what + ": " + w.err().message);
      continue;
    }
    if (set.ttl > sig->original_ttl || r.ttl > sig->original_ttl) {
      out.problems.push_back(what + ": TTL above the original TTL " +
                             std::to_string(sig->original_ttl));
    }
    if (r.ttl != set.ttl) {
      out.problems.push_back(what + ": TTL " + std::to_string(r.ttl) +
                             " differs from the RRset's " + std::to_string(set.ttl));
    }
    if (sig->labels < set.owner.label_count() &&
        !(set.owner.is_wildcard() && sig->labels + 1 == set.owner.label_count())) {
      auto w = dnssec::signed_owner(set.owner, sig->labels);
      if (w) out.expansions.push_back(expansion{set.owner, set.type, *w});
    }
    signed_set[i] = true;
    ++out.verified;
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const auto& set = sets[i];
    const std::string what = set.owner.text() + " " + record::type_name(set.type);
    if (set.ttls_differ) out.problems.push_back(what + ": records with different TTLs");
    if (signed_set[i] || !rules.require_sigs) continue;
    bool exempt = false;
    for (const auto& [owner, type] : rules.may_be_unsigned) {
      exempt = exempt || (owner == set.owner && type == set.type);
    }
    if (!exempt) out.problems.push_back(what + ": no SIG that verifies");
  }
  return out;
}

// The NSEC records of a section, decoded; undecodable ones are reported.
inline std::vector<dnssec::nsec_record> nsecs_of(std::span<const record::rr> section,
                                                 std::vector<std::string>* problems = nullptr) {
  std::vector<dnssec::nsec_record> out;
  for (const auto& r : section) {
    if (r.type != record::rtype::nsec) continue;
    auto n = record::nsec::decode(r.data);
    if (n) {
      out.push_back(dnssec::nsec_record{r.owner, std::move(*n)});
    } else if (problems != nullptr) {
      problems->push_back(r.owner.text() + " NSEC: " + n.err().message);
    }
  }
  return out;
}

// SIG and NSEC records in any section of `m`.
inline std::size_t dnssec_record_count(const wire::message& m) {
  std::size_t n = 0;
  for (const auto* s : {&m.answer, &m.authority, &m.additional}) {
    for (const auto& r : *s) {
      n += (r.type == record::rtype::sig || r.type == record::rtype::nsec) ? 1 : 0;
    }
  }
  return n;
}

// `section` without its SIG and NSEC records.
inline std::vector<record::rr> without_dnssec(std::span<const record::rr> section) {
  std::vector<record::rr> out;
  for (const auto& r : section) {
    if (r.type != record::rtype::sig && r.type != record::rtype::nsec) out.push_back(r);
  }
  return out;
}

}  // namespace cidns::authd::test
