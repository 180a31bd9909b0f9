// Zone signing (zone_signer.hpp): each worker takes a run of names and writes
// their new records (old SIG/NSEC/KEY dropped, NSEC and SIGs added) into its
// own output; the runs are joined in order, so the zone stays sorted.
#include "cidns/dnssec/zone_signer.hpp"

#include <algorithm>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "cidns/record/data.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;
using zone::name_role;

struct run_output {
  std::vector<record::rr> records;
  std::vector<zone::source_pos> positions;
  std::size_t signatures = 0;
  std::size_t nsec = 0;
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
    chain();
    const std::size_t n = m_shape.names.size();
    unsigned jobs = m_opt.jobs != 0 ? m_opt.jobs : std::max(1U, std::thread::hardware_concurrency());
    const std::size_t runs = std::max<std::size_t>(1, std::min<std::size_t>(n, jobs * 64ULL));
    std::vector<run_output> out(runs);
    std::atomic<std::size_t> next_run{0};
    auto work = [&] {
      for (std::size_t r; (r = next_run.fetch_add(1)) < runs;) {
        for (std::size_t i = r * n / runs; i < (r + 1) * n / runs; ++i) sign_name(i, out[r]);
      }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < jobs && t < runs; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();

    sign_stats stats;
    stats.names = n;
    std::size_t total = 0;
    for (const auto& o : out) total += o.records.size();
    m_zone.records.clear();
    m_zone.positions.clear();
    m_zone.records.reserve(total);
    m_zone.positions.reserve(total);
    for (auto& o : out) {
      std::move(o.records.begin(), o.records.end(), std::back_inserter(m_zone.records));
      std::move(o.positions.begin(), o.positions.end(), std::back_inserter(m_zone.positions));
      stats.signatures += o.signatures;
      stats.nsec += o.nsec;
      o = run_output{};
    }
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
    bool any_sep = false, any_zsk = false;
    for (const auto& k : m_opt.keys) (k.sep ? any_sep : any_zsk) = true;
    for (const auto& k : m_opt.keys) {
      m_key_signers.push_back(&k);
      if (!(any_sep && any_zsk) || !k.sep) m_data_signers.push_back(&k);
    }
  }

  // A name's data without the records the signer owns.
  bool kept(const zone::name_entry& e, const record::rr& r) const {
    if (r.type == rtype::sig || r.type == rtype::nsec) return false;
    return !(r.type == rtype::key && e.role == name_role::apex);
  }

  // The names that carry an NSEC, and for each the next one (wrapping to the apex).
  void chain() {
    m_next.assign(m_shape.names.size(), nullptr);
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < m_shape.names.size(); ++i) {
      const auto& e = m_shape.names[i];
      if (!e.in_nsec_chain()) continue;
      bool data = e.role == name_role::apex;
      for (std::size_t k = e.records.begin; k < e.records.end && !data; ++k) {
        data = kept(e, m_zone.records[k]);
      }
      if (data) members.push_back(i);
    }
    for (std::size_t k = 0; k < members.size(); ++k) {
      m_next[members[k]] = &m_shape.names[members[(k + 1) % members.size()]].name;
    }
  }

  bool signs(const zone::name_entry& e, rtype t) const {
    switch (e.role) {
      case name_role::apex:
      case name_role::authoritative:
        return true;
      case name_role::delegation:
        return t == rtype::ds || t == rtype::nsec;
      default:
        return false;
    }
  }

  void sign_name(std::size_t index, run_output& out) {
    const auto& e = m_shape.names[index];
    if (m_opt.progress != nullptr) m_opt.progress->fetch_add(1, std::memory_order_relaxed);
    if (e.empty_non_terminal()) return;
    const std::size_t first = out.records.size();
    const zone::source_pos at{m_zone.positions[e.records.begin].ordinal,
                              m_zone.positions[e.records.begin].file,
                              m_zone.positions[e.records.begin].line,
                              m_zone.positions[e.records.begin].col, true};
    std::vector<rtype> types;
    for (std::size_t i = e.records.begin; i < e.records.end; ++i) {
      auto& r = m_zone.records[i];
      if (!kept(e, r)) continue;
      if (types.empty() || types.back() != r.type) types.push_back(r.type);
      out.records.push_back(std::move(r));
      out.positions.push_back(m_zone.positions[i]);
    }
    auto add = [&](rtype t, std::uint32_t ttl, std::string data) {
      out.records.push_back(record::rr{e.name, t, ttl, std::move(data)});
      out.positions.push_back(at);
    };
    if (e.role == name_role::apex) {
      for (const auto& k : m_opt.keys) add(rtype::key, m_soa_ttl, k.key_data);
      types.push_back(rtype::key);
    }
    if (m_next[index] != nullptr) {
      record::nsec n;
      n.next = *m_next[index];
      for (rtype t : types) {
        if (e.role != name_role::delegation || t == rtype::ns || t == rtype::ds) n.types.push_back(t);
      }
      n.types.push_back(rtype::sig);
      n.types.push_back(rtype::nsec);
      std::sort(n.types.begin(), n.types.end());
      n.types.erase(std::unique(n.types.begin(), n.types.end()), n.types.end());
      add(rtype::nsec, m_nsec_ttl, n.encode());
      ++out.nsec;
    }
    sort_run(out, first);
    // Sign each RRset of the name (SIGs are appended after; sorted in at the end).
    const std::size_t end = out.records.size();
    std::vector<std::string_view> datas;
    for (std::size_t i = first; i < end;) {
      std::size_t j = i;
      datas.clear();
      while (j < end && out.records[j].type == out.records[i].type) {
        datas.push_back(out.records[j].data);
        ++j;
      }
      const rtype t = out.records[i].type;
      if (signs(e, t)) {
        const auto& signers = t == rtype::key ? m_key_signers : m_data_signers;
        const std::uint32_t ttl = out.records[i].ttl;
        for (const zone_key* k : signers) {
          record::sig s = sign_rrset(*k, m_zone.origin, {e.name, t, ttl, datas}, m_opt.inception,
                                     m_opt.expiration);
          add(rtype::sig, ttl, s.encode());
          ++out.signatures;
        }
      }
      i = j;
    }
    sort_run(out, first);
  }

  // Sorts the records of one name from `first` on by (type, data), as
  // contents::sort_canonical orders them.
  static void sort_run(run_output& out, std::size_t first) {
    const std::size_t n = out.records.size() - first;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = first + i;
    auto less = [&](std::size_t a, std::size_t b) {
      const auto& x = out.records[a];
      const auto& y = out.records[b];
      return std::tie(x.type, x.data, out.positions[a].ordinal) <
             std::tie(y.type, y.data, out.positions[b].ordinal);
    };
    if (std::is_sorted(order.begin(), order.end(), less)) return;
    std::stable_sort(order.begin(), order.end(), less);
    std::vector<record::rr> records;
    std::vector<zone::source_pos> positions;
    records.reserve(n);
    positions.reserve(n);
    for (std::size_t i : order) {
      records.push_back(std::move(out.records[i]));
      positions.push_back(out.positions[i]);
    }
    std::move(records.begin(), records.end(), out.records.begin() + static_cast<std::ptrdiff_t>(first));
    std::copy(positions.begin(), positions.end(),
              out.positions.begin() + static_cast<std::ptrdiff_t>(first));
  }

  zone::contents& m_zone;
  const zone::layout& m_shape;
  const sign_options& m_opt;
  std::uint32_t m_soa_ttl = 0;
  std::uint32_t m_nsec_ttl = 0;
  std::vector<const zone_key*> m_key_signers, m_data_signers;
  std::vector<const name::identifier*> m_next;  // per name: the next NSEC owner, or null
};

}  // namespace

result<sign_stats> sign_zone(zone::contents& zone, const zone::layout& shape,
                             const sign_options& options) {
  signer s(zone, shape, options);
  return s.run();
}

}  // namespace cidns::dnssec
