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
    m_shape = &shape;
    const auto& recs = m_zone.records;
    for (const auto& r : recs) {
      if (r.type == rtype::addr) m_addr_owners.insert(r.owner.text());
    }
    const name::identifier* cut = nullptr;
    for (const auto& e : shape.names) {
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
          ++cname_count;
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
    for (std::size_t i = range.begin; cname_count > 1 && i < range.end; ++i) {
      if (recs[i].type != rtype::cname || i == first_cname) continue;
      error_at(i, fmt::format("more than one CNAME at {} (the first CNAME is at {})", owner.text(),
                              other_line(first_cname, i)));
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

  // Warnings for names that are likely typos (a forgotten trailing dot makes
  // "x.z.z."; a target that does not exist) and for incomplete prices.
  void names_and_prices(const name_entry& e) {
    const auto& recs = m_zone.records;
    const record_range& range = e.records;
    if (ends_in_origin_twice(e.name)) {
      std::size_t first = range.begin;
      for (std::size_t i = range.begin; i < range.end; ++i) {
        if (ordinal(i) < ordinal(first)) first = i;
      }
      at(first, severity::warning,
         fmt::format("{} ends in the origin {} twice{}", e.name.text(), origin().text(),
                     trailing_dot_hint));
    }
    if (e.role == name_role::below_delegation) return;  // occluded or glue: warned above
    for (std::size_t i = range.begin; i < range.end; ++i) {
      switch (recs[i].type) {
        case rtype::cname:
          if (auto c = record::cname::decode(recs[i].data)) check_target(i, "CNAME", c->target);
          break;
        case rtype::ns:  // a missing server is an error (check_servers)
          if (auto n = record::ns::decode(recs[i].data)) check_twice(i, "NS", n->server);
          break;
        case rtype::soa:
          if (auto soa = record::soa::decode(recs[i].data)) {
            check_twice(i, "SOA primary", soa->primary);
            check_twice(i, "SOA admin", soa->admin);
          }
          break;
        case rtype::ep:
          if (auto ep = record::ep::decode(recs[i].data)) check_ep_host(i, ep->host);
          break;
        case rtype::desc:
          if (auto d = record::desc::decode(recs[i].data)) check_price(i, *d);
          break;
        default:
          break;
      }
    }
  }

  static constexpr std::string_view trailing_dot_hint = " (a forgotten trailing dot?)";

  bool ends_in_origin_twice(const name::identifier& n) const {
    if (m_origin_twice.empty()) return false;
    const std::string& t = n.text();
    return t == m_origin_twice ||
           (t.size() > m_origin_twice.size() && t.ends_with(m_origin_twice) &&
            t[t.size() - m_origin_twice.size() - 1] == '.');
  }

  bool check_twice(std::size_t i, std::string_view what, const name::identifier& target) {
    if (!ends_in_origin_twice(target)) return false;
    at(i, severity::warning,
       fmt::format("{} {} ends in the origin {} twice{}", what, target.text(), origin().text(),
                   trailing_dot_hint));
    return true;
  }

  // Whether a query for `n` (inside the zone) gets an answer or a referral:
  // the name exists, a wildcard at its closest encloser covers it, or it is
  // at or below a delegation.
  bool resolves(const name::identifier& n) const {
    for (name::identifier at = n;; at = at.parent()) {
      if (m_cuts.contains(at.text())) return true;
      if (has_name(at.text())) {
        if (at == n) return true;
        auto w = at.wildcard_child();
        return w && has_name(w->text());
      }
      if (at.is_root() || at == origin()) return false;
    }
  }

  // Whether `text` names a name of the zone, empty non-terminals included. The layout is in
  // canonical order: a binary search, not a set of every name (some 50 MiB at a million).
  bool has_name(std::string_view text) const {
    const auto& names = m_shape->names;
    const auto it = std::lower_bound(
        names.begin(), names.end(), text, [](const name_entry& e, std::string_view t) {
          return name::canonical_compare(std::string_view(e.name.text()), t) < 0;
        });
    return it != names.end() && it->name.text() == text && it->role != name_role::outside;
  }

  void check_target(std::size_t i, std::string_view what, const name::identifier& target) {
    if (check_twice(i, what, target) || !target.is_part_of(origin()) || resolves(target)) return;
    at(i, severity::warning,
       fmt::format("{} target {} does not exist in the zone", what, target.text()));
  }

  // An EP host is an internet host name, opaque (never expanded): only a host
  // that names something inside this zone, a zone other than the root, is
  // checked.
  void check_ep_host(std::size_t i, std::string_view host) {
    if (origin().is_root()) return;
    auto n = name::identifier::parse(host);
    if (!n || !n->is_part_of(origin())) return;
    if (check_twice(i, "EP host", *n) || resolves(*n)) return;
    at(i, severity::warning, fmt::format("EP host {} does not exist in the zone", host));
  }

  void check_price(std::size_t i, const record::desc& d) {
    if (d.price && !d.price_currency) {
      at(i, severity::warning,
         "DESC price without a currency (write price=2.5CNY or add price.currency=CNY)");
    }
    if (d.price && !d.price_unit) {
      at(i, severity::warning, "DESC price without price.unit (accel-hour, node-hour or ktoken)");
    }
    if (d.price_currency && !d.price) {
      at(i, severity::warning, "DESC price.currency without a price");
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
    for (record_range set{0, 0}; set.end < recs.size();) {
      set = {set.end, m_zone.rrset_end(set.end)};
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
  const layout* m_shape = nullptr;
  std::unordered_set<std::string_view> m_cuts;  // delegation points
  std::string m_origin_twice;                   // "z.z."; empty for the root zone
  std::size_t m_first_soa = 0;
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
