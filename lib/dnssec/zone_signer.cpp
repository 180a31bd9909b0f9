// Zone signing (zone_signer.hpp). Every name's output records (its data
// without old SIG/NSEC/KEY, then KEYs, NSEC and SIGs) are counted first, so
// the signed zone is allocated once at its final size; the workers then take
// runs of names and move each name's records, sorted, straight into their
// final places. Nothing is merged or copied afterwards, and the zone stays in
// canonical order.
#include "cidns/dnssec/zone_signer.hpp"

#include "cidns/dnssec/patch_signer.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

#include "cidns/dnssec/nsec_chain.hpp"
#include "cidns/record/data.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;
using zone::name_role;

// One worker's reusable buffers: a name's records before they go to their
// final places, and what ordering and signing them needs.
struct scratch {
  std::vector<record::rr> records;
  std::vector<zone::source_pos> positions;
  std::vector<std::uint32_t> order;
  std::vector<record::rr> sorted;
  std::vector<zone::source_pos> sorted_positions;
  std::vector<rtype> types;
  std::vector<std::string_view> datas;
  std::size_t signatures = 0;
  std::size_t nsec = 0;
  std::size_t reused = 0;
  // The name's records the signer replaces, kept for reuse (sign_options::reuse_until).
  std::vector<std::pair<record::sig, std::string>> old_sigs;
  std::vector<std::string> old_nsec, old_keys;
};

class signer {
 public:
  signer(zone::contents& z, const zone::layout& shape, const sign_options& o)
      : m_zone(z), m_shape(shape), m_opt(o) {}

  result<sign_stats> run() {
    if (m_opt.keys.empty()) return make_error("no signing key");
    if (m_opt.expiration <= m_opt.inception) {
      return make_error("the signature expiration is not after the inception");
    }
    if (auto r = find_apex(); !r) return r.err();
    split_keys();
    m_next = nsec_chain(m_zone, m_shape);
    const std::size_t n = m_shape.names.size();
    // Where each name's records go in the signed zone.
    std::vector<std::size_t> offset(n + 1, 0);
    {
      std::vector<rtype> types;
      for (std::size_t i = 0; i < n; ++i) offset[i + 1] = offset[i] + output_size(i, types);
    }
    m_records.resize(offset[n]);
    m_positions.resize(offset[n]);

    std::atomic<std::size_t> signatures{0}, nsec{0}, reused{0};
    for_each_run(n, m_opt.jobs, [&](std::size_t, std::size_t begin, std::size_t end) {
      scratch s;
      for (std::size_t i = begin; i < end; ++i) sign_name(i, s, offset[i], offset[i + 1]);
      signatures.fetch_add(s.signatures);
      nsec.fetch_add(s.nsec);
      reused.fetch_add(s.reused);
    });

    sign_stats stats;
    stats.names = n;
    stats.signatures = signatures.load();
    stats.nsec = nsec.load();
    stats.reused = reused.load();
    m_zone.records = std::move(m_records);
    m_zone.positions = std::move(m_positions);
    m_zone.sort_canonical();  // already in order: this only confirms it
    return stats;
  }

 private:
  result<void> find_apex() {
    for (const auto& e : m_shape.names) {
      if (e.role != name_role::apex) continue;
      for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
        const auto& r = m_zone.records[i];
        if (r.type != rtype::soa) continue;
        auto soa = record::soa::decode(r.data);
        if (!soa) return make_error("the SOA does not decode");
        m_soa_ttl = r.ttl;
        m_nsec_ttl = std::min(r.ttl, soa->negative_ttl);
        return {};
      }
    }
    return make_error("no SOA at the apex " + m_zone.origin.text());
  }

  void split_keys() {
    m_key_signers = signers_for(m_opt.keys, rtype::key);
    m_data_signers = signers_for(m_opt.keys, rtype::desc);
  }

  // A name's data without the records the signer owns.
  bool kept(const zone::name_entry& e, const record::rr& r) const {
    if (r.type == rtype::sig || r.type == rtype::nsec) return false;
    return !(r.type == rtype::key && e.role == name_role::apex);
  }

  const std::vector<const zone_key*>& signers_of(rtype t) const {
    return t == rtype::key ? m_key_signers : m_data_signers;
  }

  // How many records sign_name(index) writes: the kept data, the apex KEYs, the NSEC and
  // one SIG per signer of each signed RRset. `types` is a buffer.
  std::size_t output_size(std::size_t index, std::vector<rtype>& types) const {
    const auto& e = m_shape.names[index];
    if (e.empty_non_terminal()) return 0;
    types.clear();
    std::size_t count = 0;
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      const auto& r = m_zone.records[i];
      if (!kept(e, r)) continue;
      ++count;
      types.push_back(r.type);
    }
    if (e.role == name_role::apex) {
      count += m_opt.keys.size();
      types.push_back(rtype::key);
    }
    if (m_next[index] != nullptr) {
      ++count;
      types.push_back(rtype::nsec);
    }
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    for (rtype t : types) {
      if (e.authoritative_for(t)) count += signers_of(t).size();
    }
    return count;
  }

  // Writes name `index`'s output records, in canonical order, to [begin, end) of the
  // signed zone.
  void sign_name(std::size_t index, scratch& s, std::size_t begin, std::size_t end) {
    const auto& e = m_shape.names[index];
    if (m_opt.progress != nullptr) m_opt.progress->fetch_add(1, std::memory_order_relaxed);
    if (e.empty_non_terminal()) return;
    s.records.clear();
    s.positions.clear();
    s.types.clear();
    const zone::source_pos at{
        m_zone.positions[e.records.begin].ordinal, m_zone.positions[e.records.begin].file,
        m_zone.positions[e.records.begin].line, m_zone.positions[e.records.begin].col, true};
    keep_old(e, s);
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      auto& r = m_zone.records[i];
      if (!kept(e, r)) continue;
      if (s.types.empty() || s.types.back() != r.type) s.types.push_back(r.type);
      s.records.push_back(std::move(r));
      s.positions.push_back(m_zone.positions[i]);
    }
    auto add = [&](rtype t, std::uint32_t ttl, std::string data) {
      s.records.push_back(record::rr{e.name, t, ttl, std::move(data)});
      s.positions.push_back(at);
    };
    if (e.role == name_role::apex) {
      for (const auto& k : m_opt.keys) add(rtype::key, m_soa_ttl, k.key_data);
      s.types.push_back(rtype::key);
    }
    if (m_next[index] != nullptr) {
      record::nsec n;
      n.next = *m_next[index];
      for (rtype t : s.types) {
        if (e.role != name_role::delegation || t == rtype::ns || t == rtype::ds)
          n.types.push_back(t);
      }
      n.types.push_back(rtype::sig);
      n.types.push_back(rtype::nsec);
      std::sort(n.types.begin(), n.types.end());
      n.types.erase(std::unique(n.types.begin(), n.types.end()), n.types.end());
      add(rtype::nsec, m_nsec_ttl, n.encode());
      ++s.nsec;
    }
    sort_name(s);
    // Sign each RRset of the name (SIGs are appended after; sorted in when written out).
    const std::size_t data_end = s.records.size();
    for (std::size_t i = 0; i < data_end;) {
      std::size_t j = i;
      s.datas.clear();
      while (j < data_end && s.records[j].type == s.records[i].type) {
        s.datas.push_back(s.records[j].data);
        ++j;
      }
      const rtype t = s.records[i].type;
      if (e.authoritative_for(t)) {
        const std::uint32_t ttl = s.records[i].ttl;
        const bool same = unchanged(e, t, s);
        for (const zone_key* k : signers_of(t)) {
          if (const std::string* old = same ? reusable(s, t, ttl, *k) : nullptr) {
            add(rtype::sig, ttl, *old);
            ++s.reused;
            continue;
          }
          record::sig sg = sign_rrset(*k, m_zone.origin, {e.name, t, ttl, s.datas}, m_opt.inception,
                                      m_opt.expiration);
          add(rtype::sig, ttl, sg.encode());
          ++s.signatures;
        }
      }
      i = j;
    }
    if (s.records.size() != end - begin) {
      throw std::logic_error(fmt::format("signer: {} records for {}, {} counted", s.records.size(),
                                         e.name.text(), end - begin));
    }
    order_name(s);
    for (std::size_t k = 0; k < s.order.size(); ++k) {
      m_records[begin + k] = std::move(s.records[s.order[k]]);
      m_positions[begin + k] = s.positions[s.order[k]];
    }
  }

  // The name's old SIGs (decoded), NSEC and apex KEYs, when signatures may be reused.
  void keep_old(const zone::name_entry& e, scratch& s) const {
    s.old_sigs.clear();
    s.old_nsec.clear();
    s.old_keys.clear();
    if (m_opt.reuse_until == 0) return;
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      const auto& r = m_zone.records[i];
      if (r.type == rtype::sig) {
        if (auto sg = record::sig::decode(r.data)) s.old_sigs.emplace_back(std::move(*sg), r.data);
      } else if (r.type == rtype::nsec) {
        s.old_nsec.push_back(r.data);
      } else if (r.type == rtype::key && e.role == name_role::apex) {
        s.old_keys.push_back(r.data);
      }
    }
  }

  // Whether the RRset (e.name, t), as just built in s.datas, is the one the zone had.
  bool unchanged(const zone::name_entry& e, rtype t, const scratch& s) const {
    if (m_opt.reuse_until == 0 || !m_opt.changed || m_opt.changed(e.name, t)) return false;
    auto same_as = [&s](std::vector<std::string> old) {
      std::vector<std::string> now(s.datas.begin(), s.datas.end());
      std::sort(old.begin(), old.end());
      std::sort(now.begin(), now.end());
      return old == now;
    };
    if (t == rtype::nsec) return same_as(s.old_nsec);
    if (t == rtype::key && e.role == name_role::apex) return same_as(s.old_keys);
    return true;
  }

  // The old SIG over type `t` by key `k` that may stand, or null.
  const std::string* reusable(const scratch& s, rtype t, std::uint32_t ttl,
                              const zone_key& k) const {
    for (const auto& [sg, data] : s.old_sigs) {
      if (sg.type_covered == t && sg.key_tag == k.tag &&
          sg.algorithm == static_cast<std::uint32_t>(k.key.algorithm()) && sg.original_ttl == ttl &&
          sg.signer == m_zone.origin && sg.expiration >= m_opt.reuse_until &&
          sg.inception <= m_opt.expiration) {
        return &data;
      }
    }
    return nullptr;
  }

  // s.order: the indices of s.records by (type, data, reading order), as
  // contents::sort_canonical orders a name's records.
  static void order_name(scratch& s) {
    const std::size_t n = s.records.size();
    s.order.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.order[i] = static_cast<std::uint32_t>(i);
    auto less = [&](std::uint32_t a, std::uint32_t b) {
      const auto& x = s.records[a];
      const auto& y = s.records[b];
      return std::tie(x.type, x.data, s.positions[a].ordinal) <
             std::tie(y.type, y.data, s.positions[b].ordinal);
    };
    if (!std::is_sorted(s.order.begin(), s.order.end(), less)) {
      std::stable_sort(s.order.begin(), s.order.end(), less);
    }
  }

  // Puts s.records (and s.positions) in that order.
  static void sort_name(scratch& s) {
    order_name(s);
    const std::size_t n = s.order.size();
    bool identity = true;
    for (std::size_t i = 0; i < n && identity; ++i) identity = s.order[i] == i;
    if (identity) return;
    s.sorted.clear();
    s.sorted_positions.clear();
    for (std::uint32_t i : s.order) {
      s.sorted.push_back(std::move(s.records[i]));
      s.sorted_positions.push_back(s.positions[i]);
    }
    std::swap(s.records, s.sorted);
    std::swap(s.positions, s.sorted_positions);
  }

  zone::contents& m_zone;
  const zone::layout& m_shape;
  const sign_options& m_opt;
  std::uint32_t m_soa_ttl = 0;
  std::uint32_t m_nsec_ttl = 0;
  std::vector<const zone_key*> m_key_signers, m_data_signers;
  std::vector<const name::identifier*> m_next;  // per name: the next NSEC owner, or null
  std::vector<record::rr> m_records;            // the signed zone, filled by the workers
  std::vector<zone::source_pos> m_positions;
};

}  // namespace

result<sign_stats> sign_zone(zone::contents& zone, const zone::layout& shape,
                             const sign_options& options) {
  signer s(zone, shape, options);
  return s.run();
}

}  // namespace cidns::dnssec
