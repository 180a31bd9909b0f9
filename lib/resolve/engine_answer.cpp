// The client's answer (engine.hpp client_answer): flags as the client set them plus QR and RA,
// AD only on secure answers the client asked to see as such, SIGs and NSEC proofs only for
// DO, the extended error of a failure, and the "not validated" note with no trust anchor.
#include <algorithm>

#include "engine_state.hpp"

namespace cidns::resolve {

using record::rtype;

namespace {

std::vector<record::rr> for_client(std::vector<record::rr> records, bool dnssec_ok) {
  if (!dnssec_ok) {
    std::erase_if(
        records, [](const record::rr& r) { return r.type == rtype::sig || r.type == rtype::nsec; });
  }
  return records;
}

}  // namespace

void engine::impl::answer_client(const client_state& c, outcome o) {
  client_answer a;
  a.client = c.id;
  auto& m = a.reply;
  m.opcode = c.discover ? wire::opcode::discover : wire::opcode::query;
  m.question = c.q;
  m.rcode = o.rcode;
  m.flags = wire::flag::qr | wire::flag::ra |
            (c.flags & (wire::flag::rd | wire::flag::cd | wire::flag::do_));
  const bool dnssec_ok = (c.flags & wire::flag::do_) != 0;
  m.answer = for_client(std::move(o.answer), dnssec_ok);
  m.authority = for_client(std::move(o.authority), dnssec_ok);
  m.error = std::move(o.error);
  a.state = o.state;
  if (!options.anchor) {
    a.state = o.rcode == wire::rcode::servfail ? security::indeterminate : security::insecure;
    if (!m.error) {
      m.error = wire::extended_error{static_cast<std::uint32_t>(wire::error_code::other),
                                     "not validated: no trust anchor configured"};
    }
  } else if ((c.flags & wire::flag::cd) != 0) {
    a.state = security::indeterminate;
  }
  if (a.state == security::secure && (c.flags & (wire::flag::ad | wire::flag::do_)) != 0) {
    m.set_flag(wire::flag::ad);
  }
  switch (a.state) {
    case security::secure:
      ++stats.secure;
      break;
    case security::insecure:
      ++stats.insecure;
      break;
    case security::bogus:
      ++stats.bogus;
      break;
    case security::indeterminate:
      ++stats.indeterminate;
      break;
  }
  if (m.rcode == wire::rcode::servfail) ++stats.servfail;
  trace("answer {} {} {} {}{}", c.q.name.text(), record::type_name(c.q.type),
        wire::rcode_name(m.rcode), security_name(a.state),
        m.error ? " (" + m.error->text + ")" : std::string());
  answers.push_back(std::move(a));
}

}  // namespace cidns::resolve
