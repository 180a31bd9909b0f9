// Authoritative answering (answer.hpp).
#include "answer.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "answer_context.hpp"

namespace cidns::authd {

using record::rtype;
using wire::section;
using zone::compiled_zone;
using zone::node;
using zone::rrset;

void add_set(context& c, section s, const rrset& set) {
  for (const rrset::entry e : set.records()) c.rb.add_encoded(s, e.body);
  if (c.dnssec) {
    for (const rrset::entry e : set.sigs()) c.rb.add_encoded(s, e.body);
  }
}

void add_proof(context& c, const rrset* nsec) {
  if (nsec == nullptr || !c.dnssec) return;
  auto end = c.proofs.begin() + static_cast<std::ptrdiff_t>(c.proof_count);
  if (std::find(c.proofs.begin(), end, nsec) != end) return;
  if (c.proof_count < c.proofs.size()) c.proofs[c.proof_count++] = nsec;
  add_set(c, section::authority, *nsec);
}

void add_glue(context& c, const rrset& ns_set) {
  for (const rrset* a : ns_set.glue()) add_set(c, section::additional, *a);
}

void add_negative_soa(context& c, const compiled_zone& z) {
  c.rb.add_encoded(section::authority, z.negative_soa());
  if (!c.dnssec) return;
  for (const auto& b : z.negative_soa_sigs()) c.rb.add_encoded(section::authority, b);
}

void refer(context& c, const node& cut) {
  const rrset* ns = cut.find(rtype::ns);
  add_set(c, section::authority, *ns);
  if (c.dnssec) {
    if (const rrset* ds = cut.find(rtype::ds)) {
      add_set(c, section::authority, *ds);
    } else {
      add_proof(c, cut.find(rtype::nsec));  // no DS: the child is unsigned
    }
  }
  add_glue(c, *ns);
}

namespace {

// For wildcard answers: the records re-owned by the query name.
void add_set_as(context& c, section s, std::string_view owner, const rrset& set) {
  for (const rrset::entry e : set.records()) c.rb.add(s, owner, set.type, set.ttl, e.data);
  if (c.dnssec) {
    for (const rrset::entry e : set.sigs()) c.rb.add(s, owner, rtype::sig, e.ttl, e.data);
  }
}

// The NSEC at a node, or for an empty non-terminal the one covering it.
const rrset* nsec_of(const compiled_zone& z, const node& n) {
  if (const rrset* own = n.find(rtype::nsec)) return own;
  return z.covering_nsec(n.name);
}

bool is_wildcard_match(std::string_view owner, const node& n) {
  // Compare the names, not their lengths: "x.spot." is as long as "*.spot.".
  return owner != n.name;
}

void add_answer_set(context& c, std::string_view owner, const node& n, const rrset& set) {
  if (!is_wildcard_match(owner, n)) {
    add_set(c, section::answer, set);
  } else {
    add_set_as(c, section::answer, owner, set);
  }
}

// A query for SIG: every SIG at the name (RFC 4035 §3.1.5), folded as they are
// into the RRsets they cover. False when the name has none.
bool answer_sigs(context& c, std::string_view owner, const node& n) {
  bool any = false;
  for (const auto& set : n.rrsets) {
    for (const rrset::entry e : set.sigs()) {
      if (is_wildcard_match(owner, n)) {
        c.rb.add(section::answer, owner, rtype::sig, e.ttl, e.data);
      } else {
        c.rb.add_encoded(section::answer, e.body);
      }
      any = true;
    }
  }
  return any;
}

// NODATA at `n` for `owner`: the NSEC of the name proves the type is absent;
// from a wildcard, also the NSEC proving the query name itself does not exist.
void deny_type(context& c, const compiled_zone& z, const node& n, std::string_view owner) {
  add_negative_soa(c, z);
  if (!c.dnssec) return;
  if (is_wildcard_match(owner, n)) add_proof(c, z.covering_nsec(owner));
  add_proof(c, nsec_of(z, n));
}

// NXDOMAIN: the NSEC covering the name and the one covering the wildcard at
// the closest encloser (RFC 4035 §3.1.3.2).
void deny_name(context& c, const compiled_zone& z, std::string_view qname, const node& encloser) {
  c.rb.set_rcode(wire::rcode::nxdomain);
  add_negative_soa(c, z);
  if (!c.dnssec) return;
  add_proof(c, z.covering_nsec(qname));
  thread_local std::string wildcard;
  wildcard.assign("*.");
  if (encloser.name != ".") wildcard += encloser.name;
  add_proof(c, z.covering_nsec(wildcard));
}

void answer_name(context& c, const compiled_zone& z, std::string_view qname, int links);

// Answers at node `n` for `owner` (the query name; differs from n.name for a wildcard).
void answer_at(context& c, const compiled_zone& z, const node& n, std::string_view owner,
               int links) {
  // A wildcard answer proves that the query name itself does not exist.
  if (c.dnssec && is_wildcard_match(owner, n)) add_proof(c, z.covering_nsec(owner));
  if (const rrset* cn = n.find(rtype::cname); cn != nullptr && c.qtype != rtype::cname) {
    add_answer_set(c, owner, n, *cn);
    if (c.chain_size < c.chain.size()) c.chain[c.chain_size++] = owner;
    if (links >= max_cname_links || cn->target().empty()) return;
    if (c.seen(cn->target())) return;  // a loop: already answered
    const compiled_zone* tz = c.zones.find_zone(cn->target());
    if (tz == nullptr) return;  // outside our zones: the resolver follows it
    answer_name(c, *tz, cn->target(), links + 1);
    return;
  }
  if (c.qtype == rtype::resource) {
    bool any = false;
    for (rtype t : {rtype::desc, rtype::state, rtype::ep}) {
      if (const rrset* s = n.find(t)) {
        add_answer_set(c, owner, n, *s);
        any = true;
      }
    }
    if (!any) deny_type(c, z, n, owner);
    return;
  }
  if (c.qtype == rtype::sig) {
    if (!answer_sigs(c, owner, n)) deny_type(c, z, n, owner);
    return;
  }
  const rrset* set = n.find(c.qtype);
  if (set == nullptr) {
    deny_type(c, z, n, owner);
    return;
  }
  add_answer_set(c, owner, n, *set);
  if (c.qtype == rtype::ns) add_glue(c, *set);
}

void answer_name(context& c, const compiled_zone& z, std::string_view qname, int links) {
  // Walk from the apex towards the query name: the first delegation point on
  // the way refers; the deepest existing name is the closest encloser.
  const node* encloser = &z.apex();
  const node* exact = qname.size() == z.apex().name.size() ? encloser : nullptr;
  if (exact == nullptr) {
    std::array<std::size_t, name::max_labels + 1> starts{};
    std::size_t count = 0;
    starts[count++] = 0;
    for (std::size_t i = 0; i + 1 < qname.size() && count < starts.size(); ++i) {
      if (qname[i] == '.') starts[count++] = i + 1;
    }
    const std::size_t apex_len = z.apex().name.size();
    for (std::size_t k = count; k-- > 0;) {
      std::string_view suffix = qname.substr(starts[k]);
      if (suffix.size() <= apex_len) continue;  // the apex or above it
      const node* n = z.find(suffix);
      if (n == nullptr) break;
      encloser = n;
      const bool full = starts[k] == 0;
      if (n->cut && !(full && c.qtype == rtype::ds)) {
        if (links == 0) c.rb.set_flags(c.rb.flags() & ~wire::flag::aa);
        refer(c, *n);
        return;
      }
      if (full) exact = n;
    }
  }
  if (exact != nullptr) {
    answer_at(c, z, *exact, qname, links);
    return;
  }
  thread_local std::string wildcard;  // no allocation per miss once warm
  wildcard.assign("*.");
  if (encloser->name != ".") wildcard += encloser->name;
  if (const node* w = z.find(wildcard)) {
    answer_at(c, z, *w, qname, links);
    return;
  }
  deny_name(c, z, qname, *encloser);
}

}  // namespace

void answer_query(const zone_set& zones, const wire::message& query, wire::reply_builder& rb) {
  const auto& q = *query.question;
  const std::string& qname = q.name.text();
  const compiled_zone* z = zones.find_zone(qname);
  // DS lives in the parent: at a zone apex we also serve the parent of, ask the parent.
  if (z != nullptr && q.type == rtype::ds && z->origin().text() == qname &&
      !z->origin().is_root()) {
    if (const compiled_zone* parent = zones.find_zone(q.name.parent().text())) z = parent;
  }
  if (z == nullptr) {
    rb.set_rcode(wire::rcode::refused);
    return;
  }
  rb.set_flags(rb.flags() | wire::flag::aa);
  context c{zones, rb, q.type, query.has_flag(wire::flag::do_)};
  answer_name(c, *z, qname, 0);
}

}  // namespace cidns::authd
