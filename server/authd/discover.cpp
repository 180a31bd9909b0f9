// Authoritative DISCOVER (discover.hpp).
#include "discover.hpp"

#include <array>
#include <string>

#include "answer_context.hpp"
#include "cidns/select/selector.hpp"

namespace cidns::authd {

using record::rtype;
using wire::section;
using zone::compiled_zone;
using zone::node;

namespace {

// The delegation point at or above `scope` inside `z` (below its apex), if any.
const node* cut_above(const compiled_zone& z, std::string_view scope) {
  const std::size_t apex_len = z.apex().name.size();
  std::size_t start = 0;
  while (scope.size() - start > apex_len) {
    const std::string_view suffix = scope.substr(start);
    if (const node* n = z.find(suffix); n != nullptr && n->cut) return n;
    const auto dot = scope.find('.', start);
    if (dot == std::string_view::npos || dot + 1 >= scope.size()) break;
    start = dot + 1;
  }
  return nullptr;
}

void add_resource(context& c, const node& n) {
  for (rtype t : {rtype::desc, rtype::state, rtype::ep}) {
    if (const zone::rrset* s = n.find(t)) add_set(c, section::answer, *s);
  }
}

}  // namespace

void answer_discover(const zone_set& zones, const wire::message& query, wire::reply_builder& rb) {
  const auto other = static_cast<std::uint32_t>(wire::error_code::other);
  if (query.selector.empty()) {
    rb.set_rcode(wire::rcode::formerr);
    rb.set_error(other, "DISCOVER without a selector");
    return;
  }
  auto sel = select::parse(query.selector);
  if (!sel) {
    rb.set_rcode(wire::rcode::formerr);
    rb.set_error(other, "selector: " + sel.err().message);
    return;
  }
  const std::string& scope = query.question->name.text();
  const compiled_zone* z = zones.find_zone(scope);
  if (z == nullptr) {
    rb.set_rcode(wire::rcode::refused);
    return;
  }
  context c{zones, rb, rtype::resource, query.has_flag(wire::flag::do_)};
  if (const node* cut = cut_above(*z, scope)) {  // the scope is the child's: refer there
    refer(c, *cut);
    return;
  }
  rb.set_flags(rb.flags() | wire::flag::aa);
  const auto [first, last] = z->subtree(scope);
  for (std::uint32_t id : z->discover(*sel, first, last)) add_resource(c, z->at(id));
  const auto& cuts = z->cuts();
  for (auto it = std::lower_bound(cuts.begin(), cuts.end(), first); it != cuts.end() && *it < last;
       ++it) {
    if (rb.count(section::authority) >= wire::max_records_per_section) break;
    refer(c, z->at(*it));
  }
  if (rb.count(section::answer) == 0) add_negative_soa(c, *z);
}

}  // namespace cidns::authd
