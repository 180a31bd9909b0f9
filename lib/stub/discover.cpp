// The stub's DISCOVER: the query, its reply grouped into resources, sync and async forms.
#include "cidns/stub/discover.hpp"

#include <algorithm>
#include <utility>

#include "cidns/stub/endpoints.hpp"

namespace cidns::stub {

namespace {

bool is_resource_type(record::rtype t) {
  return t == record::rtype::desc || t == record::rtype::state || t == record::rtype::ep;
}

// Decodes one DESC, STATE or EP record into `into` (the first DESC and STATE win; an
// undecodable record is skipped).
void take(const record::rr& r, discovered& into) {
  if (r.type == record::rtype::desc && !into.descriptor) {
    if (auto d = record::desc::decode(r.data)) into.descriptor = std::move(*d);
  } else if (r.type == record::rtype::state && !into.availability) {
    if (auto s = record::state::decode(r.data)) into.availability = std::move(*s);
  } else if (r.type == record::rtype::ep) {
    if (auto e = record::ep::decode(r.data)) into.endpoints.push_back(std::move(*e));
  }
}

bool has_values(const discovered& d) {
  return d.descriptor || d.availability || !d.endpoints.empty();
}

// The resources of the answer section, in order of first appearance of their owners.
std::vector<discovered> group_by_owner(const std::vector<record::rr>& answer) {
  std::vector<discovered> out;
  const auto find = [&out](const name::identifier& owner) {
    return std::find_if(out.begin(), out.end(),
                        [&owner](const discovered& d) { return d.name == owner; });
  };
  for (const auto& r : answer) {
    if (!is_resource_type(r.type)) continue;
    if (find(r.owner) != out.end()) continue;
    out.emplace_back();
    out.back().name = r.owner;
  }
  for (const auto& r : answer) {  // second pass: SIGs may come before what they cover
    auto it = find(r.owner);
    if (it == out.end()) continue;
    it->records.push_back(r);
    if (is_resource_type(r.type)) take(r, *it);
  }
  std::erase_if(out, [](const discovered& d) { return !has_values(d); });
  return out;
}

std::vector<name::identifier> delegations_of(const std::vector<record::rr>& authority) {
  std::vector<name::identifier> out;
  for (const auto& r : authority) {
    if (r.type != record::rtype::ns) continue;
    if (std::find(out.begin(), out.end(), r.owner) == out.end()) out.push_back(r.owner);
  }
  return out;
}

outcome discovery_kind(const wire::message& reply, bool matched) {
  if (reply.rcode == wire::rcode::nxdomain) return outcome::nxdomain;
  if (reply.rcode != wire::rcode::noerror) return outcome::failure;
  return matched ? outcome::answer : outcome::nodata;
}

}  // namespace

wire::message make_discover(std::string_view selector, const name::identifier& scope,
                            const query_options& options) {
  wire::message q = make_query(scope, record::rtype::resource, options);
  q.opcode = wire::opcode::discover;
  q.selector = std::string(selector);
  q.max_size = discover_max_size;
  return q;
}

discovery make_discovery(lookup_result looked_up, std::mt19937_64& rng) {
  discovery out;
  const wire::message& reply = looked_up.reply;
  out.validation = validation_of(reply);
  if (reply.rcode == wire::rcode::noerror) out.resources = group_by_owner(reply.answer);
  for (auto& r : out.resources) {
    order_endpoints(r.endpoints, rng);
    r.validation = out.validation;
  }
  if (reply.error &&
      reply.error->code == static_cast<std::uint32_t>(wire::error_code::partial_result)) {
    out.partial = true;
    out.partial_reason = reply.error->text;
  }
  out.delegations = delegations_of(reply.authority);
  out.kind = discovery_kind(reply, !out.resources.empty());
  out.lookup = std::move(looked_up);
  return out;
}

int exit_code(const discovery& d) {
  switch (d.kind) {
    case outcome::answer:
      return 0;
    case outcome::nodata:
    case outcome::nxdomain:
    case outcome::referral:
      return 1;
    case outcome::failure:
      return 2;
  }
  return 2;
}

void resolver::async_discover(boost::asio::io_context& io, std::string_view selector,
                              const name::identifier& scope, const query_options& options,
                              discover_handler done) const {
  wire::message q = make_discover(selector, scope, options);
  // The resolver answers what it has found before this stub would give up on it.
  q.deadline = static_cast<std::uint32_t>(m_config.timeout.count() * 9 / 10);
  async_exchange(io, std::move(q), options.tcp, [done = std::move(done)](result<lookup_result> r) {
    if (!r) {
      done(std::move(r).err());
      return;
    }
    thread_local std::mt19937_64 rng{std::random_device{}()};
    done(make_discovery(std::move(*r), rng));
  });
}

result<discovery> resolver::discover(std::string_view selector, const name::identifier& scope,
                                     const query_options& options) const {
  boost::asio::io_context io;
  result<discovery> out = make_error("no reply");
  async_discover(io, selector, scope, options, [&out](result<discovery> r) { out = std::move(r); });
  io.run();
  return out;
}

}  // namespace cidns::stub
