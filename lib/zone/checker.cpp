// Semantic checks of zone contents (see checker.hpp).
#include "cidns/zone/checker.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"

namespace cidns::zone {
namespace {

using record::rtype;

class checker {
 public:
  checker(contents& zone, const check_options& options) : m_zone(zone), m_opt(options) {
    if (!origin().is_root()) m_origin_twice = origin().text() + origin().text();
  }

  void run(const layout& shape) {
    const auto& recs = m_zone.records;
    for (const auto& r : recs) {
      if (r.type == rtype::addr) m_addr_owners.insert(r.owner.text());
    }
    const name::identifier* cut = nullptr;
    for (const auto& e : shape.names) {
      if (e.role == name_role::outside) continue;
      m_names.insert(e.name.text());
      if (e.role == name_role::delegation) m_cuts.insert(e.name.text());
    }
    for (const auto& e : shape.names) {
      if (e.role == name_role::delegation) cut = &e.name;
      if (e.empty_non_terminal()) continue;
      check_name(e, cut);
      if (e.role != name_role::outside) names_and_prices(e);
    }
    check_duplicates_and_ttls();
    if (m_soa_count == 0) zone_wide(fmt::format("no SOA record at the apex {}", origin().text()));
    if (!m_apex_ns) zone_wide(fmt::format("no NS records at the apex {}", origin().text()));
  }

  check_summary finish(std::vector<diagnostic>& out) {
    std::stable_sort(m_found.begin(), m_found.end(),
                     [](const item& a, const item& b) { return a.order < b.order; });
    check_summary s;
    out.reserve(out.size() + m_found.size());
    for (auto& f : m_found) {
      (f.d.level == severity::error ? s.errors : s.warnings)++;
      out.push_back(std::move(f.d));
    }
    return s;
  }

 private:
  struct item {
    std::uint64_t order;  // 0: zone-wide; else reading ordinal + 1
    diagnostic d;
  };

  const name::identifier& origin() const { return m_zone.origin; }

  void at(std::size_t i, severity level, std::string message) {
    const auto& p = m_zone.positions[i];
    m_found.push_back(item{std::uint64_t{p.ordinal} + 1,
                           diagnostic{level, p.file, p.line, p.col, std::move(message)}});
  }
  void error_at(std::size_t i, std::string message) { at(i, severity::error, std::move(message)); }
  void zone_wide(std::string message) {
    m_found.push_back(item{0, diagnostic{severity::error, 0, 1, 1, std::move(message)}});
  }
  std::string where(std::size_t i) const {
    const auto& p = m_zone.positions[i];
    std::string_view file =
        p.file < m_zone.files.size() ? std::string_view(m_zone.files[p.file]) : "<zone>";
    return fmt::format("{}:{}", file, p.line);
  }
  std::uint32_t ordinal(std::size_t i) const { return m_zone.positions[i].ordinal; }
  // "line 3" when record `i` is in the same file as record `from`, else "file:3".
  std::string other_line(std::size_t i, std::size_t from) const {
    const auto& p = m_zone.positions[i];
    if (p.file == m_zone.positions[from].file) return fmt::format("line {}", p.line);
    return where(i);
  }

  // `cut`: the delegation point the layout put this name at or below.
  void check_name(const name_entry& e, const name::identifier* cut) {
    const auto& recs = m_zone.records;
    const record_range& range = e.records;
    const name::identifier& owner = e.name;
    if (e.role == name_role::outside) {
      for (std::size_t i = range.begin; i < range.end; ++i) {
        error_at(i, fmt::format("{} is outside the zone {}", owner.text(), origin().text()));
      }
      return;
    }
    const bool apex = e.role == name_role::apex;
    if (e.role == name_role::below_delegation) {
      for (std::size_t i = range.begin; i < range.end; ++i) {
        if (recs[i].type == rtype::addr) continue;  // glue
        at(i, severity::warning,
           fmt::format("{} {} is occluded by the delegation at {}", owner.text(),
                       record::type_name(recs[i].type), cut->text()));
      }
      validate(range);
      return;
    }

    bool has_ns = false;
    std::size_t cname_count = 0, first_cname = range.end, first_other = range.end;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      switch (recs[i].type) {
        case rtype::ns:
          has_ns = true;
          break;
        case rtype::cname:
          if (++cname_count > 1) {
            error_at(i, fmt::format("more than one CNAME at {} (the other CNAME is at {})",
                                    owner.text(), other_line(first_cname, i)));
          }
          if (first_cname == range.end || ordinal(i) < ordinal(first_cname)) first_cname = i;
          break;
        case rtype::sig:
        case rtype::nsec:
          break;
        default:
          if (first_other == range.end) first_other = i;
          break;
      }
      if (recs[i].type == rtype::soa) {
        if (!apex) {
          error_at(i, fmt::format("SOA record at {}, not at the apex {}", owner.text(),
                                  origin().text()));
        } else if (++m_soa_count == 1) {
          m_first_soa = i;
        } else {
          error_at(i, fmt::format("more than one SOA record at the apex (the other SOA is at {})",
                                  other_line(m_first_soa, i)));
        }
      }
    }
    if (cname_count > 0 && (first_other != range.end || has_ns)) {
      const std::size_t other = first_other != range.end ? first_other : first_ns(range);
      const auto other_type = record::type_name(recs[other].type);
      error_at(first_cname,
               fmt::format("CNAME beside other data ({}) at {} (the {} is at {})", other_type,
                           owner.text(), other_type, other_line(other, first_cname)));
    }
    if (apex) {
      m_apex_ns = has_ns;
    } else if (has_ns) {
      for (std::size_t i = range.begin; i < range.end; ++i) {
        switch (recs[i].type) {
          case rtype::ns:
          case rtype::ds:
          case rtype::sig:
          case rtype::nsec:
          case rtype::addr:
            break;
          default:
            at(i, severity::warning,
               fmt::format("{} {} at the delegation {} is not authoritative data", owner.text(),
                           record::type_name(recs[i].type), owner.text()));
        }
      }
    }
    if (has_ns) check_servers(range, apex);
    validate(range);
  }

  std::size_t first_ns(const record_range& range) const {
    for (std::size_t i = range.begin; i < range.end; ++i) {
      if (m_zone.records[i].type == rtype::ns) return i;
    }
    return range.begin;
  }

  // In-zone server names need an ADDR record (glue when below a delegation).
  void check_servers(const record_range& range, bool apex) {
    const auto& recs = m_zone.records;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      if (recs[i].type != rtype::ns) continue;
      auto ns = record::ns::decode(recs[i].data);
      if (!ns) continue;  // reported by validate()
      const auto& server = ns->server;
      if (!server.is_part_of(origin()) || m_addr_owners.contains(server.text())) continue;
      if (!apex && server.is_part_of(recs[i].owner)) {
        error_at(i, fmt::format("no ADDR glue for {}, a server of the delegation {}", server.text(),
                                recs[i].owner.text()));
      } else {
        error_at(i, fmt::format("no ADDR record for {}, an in-zone server of {}", server.text(),
                                recs[i].owner.text()));
      }
    }
  }

  void validate(const record_range& range) {
    if (!m_opt.validate_data) return;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      if (m_zone.positions[i].validated) continue;
      const auto& r = m_zone.records[i];
      if (auto v = record::validate_data(r.type, r.data); !v) {
        error_at(i, fmt::format("invalid {} data: {}", record::type_name(r.type), v.err().message));
      }
    }
  }

  void check_duplicates_and_ttls() {
    const auto& recs = m_zone.records;
    for (const auto& set : m_zone.rrsets()) {
      // Sorted by data then reading order: a duplicate follows its first copy.
      std::size_t first = set.begin;
      for (std::size_t i = set.begin + 1; i < set.end; ++i) {
        if (recs[i].data == recs[i - 1].data) {
          error_at(
              i, fmt::format("duplicate {} record at {} (first at {})",
                             record::type_name(recs[i].type), recs[i].owner.text(), where(i - 1)));
        }
        if (ordinal(i) < ordinal(first)) first = i;
      }
      if (recs[set.begin].type == rtype::sig) continue;  // SIGs may differ (RFC 4034 §3)
      for (std::size_t i = set.begin; i < set.end; ++i) {
        if (recs[i].ttl != recs[first].ttl) {
          error_at(i, fmt::format("TTL {} differs from the TTL {} of the {} RRset at {} ({})",
                                  recs[i].ttl, recs[first].ttl, record::type_name(recs[i].type),
                                  recs[i].owner.text(), where(first)));
        }
      }
    }
  }

  contents& m_zone;
  const check_options& m_opt;
  std::unordered_set<std::string_view> m_addr_owners;
  std::vector<item> m_found;
  std::size_t m_soa_count = 0;
  bool m_apex_ns = false;
};

}  // namespace

check_summary check(contents& zone, const layout& shape, std::vector<diagnostic>& out,
                    const check_options& options) {
  checker c(zone, options);
  c.run(shape);
  return c.finish(out);
}

check_summary check(contents& zone, std::vector<diagnostic>& out, const check_options& options) {
  const layout shape = adjust(zone);
  return check(zone, shape, out, options);
}

}  // namespace cidns::zone
