// The stub resolver's public forms: queries, sync over a private io_context, resolutions.
#include "cidns/stub/resolver.hpp"

#include <memory>
#include <utility>

#include "cidns/stub/endpoints.hpp"
#include "exchange.hpp"

namespace cidns::stub {

namespace {

constexpr int max_cname_links = 8;  // DESIGN §4

// Follows the CNAMEs in `answer` from `name`, at most max_cname_links of them.
name::identifier chase_cnames(const name::identifier& name, const std::vector<record::rr>& answer) {
  name::identifier current = name;
  for (int links = 0; links < max_cname_links; ++links) {
    bool moved = false;
    for (const auto& r : answer) {
      if (r.type != record::rtype::cname || r.owner != current) continue;
      auto c = record::cname::decode(r.data);
      if (!c) continue;
      current = c->target;
      moved = true;
      break;
    }
    if (!moved) break;
  }
  return current;
}

}  // namespace

wire::message make_query(const name::identifier& name, record::rtype type,
                         const query_options& options) {
  wire::message q;
  q.id = std::random_device{}();
  q.opcode = wire::opcode::query;
  q.set_flag(wire::flag::rd, !options.norec);
  // AD in a query asks the resolver to say whether the answer is authenticated (RFC 6840
  // §5.7), so the validation state is known without DO's SIGs.
  q.set_flag(wire::flag::ad, !options.norec);
  q.set_flag(wire::flag::do_, options.dnssec);
  q.set_flag(wire::flag::cd, options.cd);
  q.question = wire::question{name, type};
  q.max_size = wire::default_udp_size;
  return q;
}

resolution make_resolution(const name::identifier& name, lookup_result looked_up,
                           std::mt19937_64& rng) {
  resolution out;
  out.name = name;
  out.canonical = chase_cnames(name, looked_up.reply.answer);
  for (const auto& r : looked_up.reply.answer) {
    if (r.owner != out.canonical) continue;
    if (r.type == record::rtype::desc && !out.descriptor) {
      if (auto d = record::desc::decode(r.data)) out.descriptor = std::move(*d);
    } else if (r.type == record::rtype::state && !out.availability) {
      if (auto s = record::state::decode(r.data)) out.availability = std::move(*s);
    } else if (r.type == record::rtype::ep) {
      if (auto e = record::ep::decode(r.data)) out.endpoints.push_back(std::move(*e));
    }
  }
  order_endpoints(out.endpoints, rng);
  out.kind = looked_up.kind;
  out.validation = looked_up.validation;
  out.lookup = std::move(looked_up);
  return out;
}

result<resolver> resolver::from_system() {
  auto config = load_system_config();
  if (!config) return std::move(config).err();
  return resolver(std::move(*config));
}

resolver::resolver(resolver_config config) : m_config(std::move(config)) {}

void resolver::async_exchange(boost::asio::io_context& io, wire::message query, bool tcp,
                              lookup_handler done) const {
  std::make_shared<detail::exchange>(io, m_config, std::move(query), tcp, std::move(done))->start();
}

void resolver::async_lookup(boost::asio::io_context& io, const name::identifier& name,
                            record::rtype type, const query_options& options,
                            lookup_handler done) const {
  async_exchange(io, make_query(name, type, options), options.tcp, std::move(done));
}

result<lookup_result> resolver::lookup(const name::identifier& name, record::rtype type,
                                       const query_options& options) const {
  boost::asio::io_context io;
  result<lookup_result> out = make_error("no reply");
  async_lookup(io, name, type, options, [&out](result<lookup_result> r) { out = std::move(r); });
  io.run();
  return out;
}

void resolver::async_resolve(boost::asio::io_context& io, const name::identifier& name,
                             const query_options& options, resolve_handler done) const {
  async_lookup(io, name, record::rtype::resource, options,
               [name, done = std::move(done)](result<lookup_result> r) {
                 if (!r) {
                   done(std::move(r).err());
                   return;
                 }
                 thread_local std::mt19937_64 rng{std::random_device{}()};
                 done(make_resolution(name, std::move(*r), rng));
               });
}

result<resolution> resolver::resolve(const name::identifier& name,
                                     const query_options& options) const {
  boost::asio::io_context io;
  result<resolution> out = make_error("no reply");
  async_resolve(io, name, options, [&out](result<resolution> r) { out = std::move(r); });
  io.run();
  return out;
}

}  // namespace cidns::stub
