// Zone verification (zone_verifier.hpp), in parallel runs of names like the signer.
#include "cidns/dnssec/zone_verifier.hpp"

#include <algorithm>
#include <atomic>
#include <map>

#include <fmt/format.h>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/nsec_chain.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/record/data.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;
using zone::name_role;

struct apex_key {
  std::string data;
  std::uint32_t algorithm = 0;
  public_key key;
};

class verifier {
 public:
  verifier(const zone::contents& z, const zone::layout& shape, const verify_options& o)
      : m_zone(z), m_shape(shape), m_opt(o) {}

  std::vector<problem> run() {
    std::vector<problem> out;
    load_keys(out);
    m_next = nsec_chain(m_zone, m_shape);
    const std::size_t n = m_shape.names.size();
    std::vector<std::vector<problem>> found(run_count(n, m_opt.jobs));
    for_each_run(n, m_opt.jobs, [&](std::size_t run, std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) check_name(i, found[run]);
    });
    if (m_anchored_key_sig_needed && !m_anchored_key_signed.load()) {
      out.push_back(
          {m_zone.origin.text(), "KEY", "KEY RRset is not signed by a trust-anchored key"});
    }
    for (auto& f : found) std::move(f.begin(), f.end(), std::back_inserter(out));
    return out;
  }

 private:
  void load_keys(std::vector<problem>& out) {
    const std::string& apex = m_zone.origin.text();
    for (const auto& e : m_shape.names) {
      if (e.role != name_role::apex) continue;
      for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
        const auto& r = m_zone.records[i];
        if (r.type != rtype::key) continue;
        auto k = record::key::decode(r.data);
        if (!k) {
          out.push_back({apex, "KEY", "KEY data does not decode: " + k.err().message});
          continue;
        }
        if ((k->flags & record::key_flag_zone) == 0) continue;  // not a zone key
        auto pk = public_key::from_wire(k->algorithm, k->public_key);
        if (!pk) {
          out.push_back(
              {apex, "KEY", fmt::format("KEY {} unusable: {}", key_tag(r.data), pk.err().message)});
          continue;
        }
        m_keys.emplace(key_tag(r.data), apex_key{r.data, k->algorithm, std::move(*pk)});
      }
    }
    if (m_keys.empty()) out.push_back({apex, "KEY", "no usable zone KEY at the apex"});
    if (m_opt.anchors.empty()) return;
    for (const auto& [tag, k] : m_keys) {
      for (const auto& a : m_opt.anchors) {
        if (a.owner != m_zone.origin) continue;
        if ((a.type == rtype::key && a.data == k.data) ||
            (a.type == rtype::ds && ds_matches(a.data, m_zone.origin, k.data))) {
          m_anchored.push_back(tag);
        }
      }
    }
    if (m_anchored.empty()) {
      out.push_back({apex, "KEY", "no apex KEY matches the trust anchor"});
    } else {
      m_anchored_key_sig_needed = true;
    }
  }

  static bool ds_matches(std::string_view ds_data, const name::identifier& owner,
                         std::string_view key_data) {
    auto d = record::ds::decode(ds_data);
    auto k = record::key::decode(key_data);
    if (!d || !k) return false;
    return d->key_tag == key_tag(key_data) && d->algorithm == k->algorithm &&
           d->digest_type == static_cast<std::uint32_t>(record::digest_type::sha256) &&
           d->digest == ds_digest(owner, key_data);
  }

  void check_name(std::size_t index, std::vector<problem>& out) {
    const auto& e = m_shape.names[index];
    if (e.empty_non_terminal()) return;
    const std::string& owner = e.name.text();
    std::map<rtype, std::vector<std::string_view>> sets;
    std::map<rtype, std::uint32_t> ttls;
    std::vector<std::pair<record::sig, std::uint32_t>> sigs;
    std::vector<std::string_view> nsecs;
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      const auto& r = m_zone.records[i];
      if (r.type == rtype::sig) {
        auto s = record::sig::decode(r.data);
        if (!s) {
          out.push_back({owner, "SIG", "SIG data does not decode: " + s.err().message});
        } else {
          sigs.emplace_back(std::move(*s), r.ttl);
        }
        continue;
      }
      if (r.type == rtype::nsec) nsecs.push_back(r.data);
      sets[r.type].push_back(r.data);
      ttls[r.type] = r.ttl;
    }
    for (const auto& [t, datas] : sets) {
      const bool want = e.authoritative_for(t);
      std::size_t good = 0, seen = 0;
      for (const auto& [s, sig_ttl] : sigs) {
        if (s.type_covered != t) continue;
        ++seen;
        if (!want) continue;
        if (auto r = check_sig(s, e.name, t, ttls[t], datas); !r) {
          out.push_back({owner, record::type_name(t), r.err().message});
        } else {
          ++good;
          if (t == rtype::key && e.role == name_role::apex &&
              std::find(m_anchored.begin(), m_anchored.end(), s.key_tag) != m_anchored.end()) {
            m_anchored_key_signed = true;
          }
        }
      }
      if (!want && seen > 0) {
        out.push_back({owner, record::type_name(t),
                       e.role == name_role::delegation
                           ? "SIG over delegation NS: the child is authoritative for it"
                           : "SIG over glue or occluded data, which the zone does not sign"});
      } else if (want && seen == 0) {
        out.push_back({owner, record::type_name(t), "not signed (no SIG)"});
      } else if (want && good == 0 && seen > 0) {
        out.push_back({owner, record::type_name(t), "no valid SIG by a zone key"});
      }
    }
    for (const auto& [s, sig_ttl] : sigs) {
      if (!sets.contains(s.type_covered)) {
        out.push_back({owner, "SIG",
                       fmt::format("SIG covers {}, which has no records here",
                                   record::type_name(s.type_covered))});
      }
    }
    check_nsec(index, e, sets, nsecs, out);
    if (e.role == name_role::delegation && sets.contains(rtype::ds)) check_ds(e, sets, out);
  }

  result<void> check_sig(const record::sig& s, const name::identifier& owner, rtype t,
                         std::uint32_t ttl, const std::vector<std::string_view>& datas) const {
    const std::string tag = fmt::format("SIG {} key tag {}", record::type_name(t), s.key_tag);
    if (s.signer != m_zone.origin) {
      return make_error(fmt::format("{}: signer {} is not the zone {}", tag, s.signer.text(),
                                    m_zone.origin.text()));
    }
    if (s.original_ttl != ttl) {
      return make_error(fmt::format("{}: original TTL {} differs from the RRset's TTL {}", tag,
                                    s.original_ttl, ttl));
    }
    auto [lo, hi] = m_keys.equal_range(static_cast<std::uint16_t>(s.key_tag));
    if (lo == hi) return make_error(fmt::format("{}: no zone KEY with this tag", tag));
    std::string why;
    for (auto it = lo; it != hi; ++it) {
      if (it->second.algorithm != s.algorithm) continue;
      auto v = verify_rrset(s, it->second.key, {owner, t, ttl, datas});
      if (v) {
        if (auto w = check_window(s, m_opt.now); !w) {
          return make_error(fmt::format("{}: {}", tag, w.err().message));
        }
        return {};
      }
      why = v.err().message;
    }
    if (why.empty()) why = "no zone KEY with this tag and algorithm";
    return make_error(fmt::format("{}: {}", tag, why));
  }

  void check_nsec(std::size_t index, const zone::name_entry& e,
                  const std::map<rtype, std::vector<std::string_view>>& sets,
                  const std::vector<std::string_view>& nsecs, std::vector<problem>& out) const {
    const std::string& owner = e.name.text();
    const name::identifier* next = m_next[index];
    if (next == nullptr) {
      if (!nsecs.empty()) {
        out.push_back(
            {owner, "NSEC", "NSEC at a name outside the chain (glue, occluded or empty)"});
      }
      return;
    }
    if (nsecs.empty()) {
      out.push_back({owner, "NSEC", "no NSEC: the chain skips this name"});
      return;
    }
    if (nsecs.size() > 1) out.push_back({owner, "NSEC", "more than one NSEC"});
    auto n = record::nsec::decode(nsecs.front());
    if (!n) {
      out.push_back({owner, "NSEC", "NSEC data does not decode: " + n.err().message});
      return;
    }
    if (n->next != *next) {
      out.push_back({owner, "NSEC",
                     fmt::format("next name is {}, expected {}", n->next.text(), next->text())});
    }
    std::vector<rtype> want;
    for (const auto& [t, d] : sets) {
      if (e.role != name_role::delegation || t == rtype::ns || t == rtype::ds || t == rtype::nsec) {
        want.push_back(t);
      }
    }
    want.push_back(rtype::sig);
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    if (n->types != want) {
      auto list = [](const std::vector<rtype>& ts) {
        std::string s;
        for (auto t : ts) s += (s.empty() ? "" : " ") + record::type_name(t);
        return s;
      };
      out.push_back(
          {owner, "NSEC",
           fmt::format("type list is [{}], the name has [{}]", list(n->types), list(want))});
    }
  }

  void check_ds(const zone::name_entry& e,
                const std::map<rtype, std::vector<std::string_view>>& sets,
                std::vector<problem>& out) const {
    for (const auto& child : m_opt.children) {
      if (child.apex != e.name) continue;
      for (auto ds : sets.at(rtype::ds)) {
        bool match = false;
        for (const auto& k : child.key_data) match = match || ds_matches(ds, e.name, k);
        if (!match) {
          auto d = record::ds::decode(ds);
          out.push_back(
              {e.name.text(), "DS",
               fmt::format("DS key tag {} matches no KEY of the child zone", d ? d->key_tag : 0)});
        }
      }
    }
  }

  const zone::contents& m_zone;
  const zone::layout& m_shape;
  const verify_options& m_opt;
  std::multimap<std::uint16_t, apex_key> m_keys;
  std::vector<std::uint32_t> m_anchored;
  bool m_anchored_key_sig_needed = false;
  std::atomic<bool> m_anchored_key_signed{false};
  std::vector<const name::identifier*> m_next;
};

}  // namespace

std::vector<problem> verify_zone(const zone::contents& zone, const zone::layout& shape,
                                 const verify_options& options) {
  verifier v(zone, shape, options);
  return v.run();
}

}  // namespace cidns::dnssec
