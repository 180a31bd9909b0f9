// Fetching a zone from its primary (xfr_client.hpp).
#include "xfr_client.hpp"

#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cidns/hmac/signer.hpp"
#include "cidns/net/client.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/clock.hpp"

namespace cidns::authd {

namespace {

using clock = std::chrono::steady_clock;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// What a failed message says about itself: " (EXTENDED ERROR TEXT)" or "".
std::string error_text(const wire::message& m) {
  if (!m.error || m.error->text.empty()) return {};
  return fmt::format(" ({})", m.error->text.substr(0, 200));
}

// Reads one transfer on an open connection; `request` is the signed request already sent.
class stream_reading {
 public:
  stream_reading(net::tcp_client& conn, const wire::message& request, const hmac::key& key,
                 std::string where)
      : m_conn(conn), m_id(request.id), m_mac(request.auth->mac), m_where(std::move(where)) {
    m_ring.add(key);
  }

  result<fetched> run(std::unique_ptr<xfr::reader> reader, std::chrono::milliseconds timeout,
                      clock::time_point deadline, const std::atomic<bool>* stop) {
    fetched out;
    for (;;) {
      if (stop != nullptr && stop->load()) return fail("stopped");
      const auto now = clock::now();
      if (now >= deadline) return fail("the transfer took too long");
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      auto bytes = m_conn.receive(std::min(timeout, left));
      if (!bytes) {
        return fail(fmt::format("after {} messages: {}", out.messages, bytes.err().message));
      }
      out.bytes += bytes->size();
      ++out.messages;
      auto m = wire::decode(*bytes);
      if (!m) return fail(fmt::format("message {}: {}", out.messages, m.err().message));
      auto checked = authenticate(*m, out.messages == 1);
      if (!checked) return std::move(checked).err();
      auto fed = reader->feed(*m);
      if (!fed) {
        if (auto rc = reader->server_rcode()) {
          return fail(fmt::format("answered {}{}", wire::rcode_name(*rc), error_text(*m)));
        }
        return fail(fmt::format("message {}: {}", out.messages, fed.err().message));
      }
      if (*fed) {
        out.transfer = std::move(reader);
        return out;
      }
    }
  }

 private:
  error fail(std::string why) const { return make_error(fmt::format("{}: {}", m_where, why)); }

  // The message's id and MAC (chained on the previous one); the next MAC to chain on.
  result<void> authenticate(const wire::message& m, bool first) {
    if (m.id != m_id) return fail(fmt::format("a reply with id {}, not {}", m.id, m_id));
    if (first && !m.auth && m.rcode != wire::rcode::noerror) {
      // An unsigned refusal (the primary does not know our key): say what it answered.
      return fail(
          fmt::format("answered {} (unsigned){}", wire::rcode_name(m.rcode), error_text(m)));
    }
    const auto v = hmac::verify(m, m_ring, util::unix_seconds(), m_mac);
    if (v.status != hmac::status::ok) {
      return fail(fmt::format("reply not authenticated: {}", v.reason));
    }
    m_mac = m.auth->mac;
    return {};
  }

  net::tcp_client& m_conn;
  std::uint32_t m_id;
  std::string m_mac;  // what the next reply's MAC covers
  std::string m_where;
  hmac::keyring m_ring;
};

std::uint32_t random_id() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<std::uint32_t>(rng());
}

}  // namespace

wire::message transfer_request(const name::identifier& zone,
                               const std::optional<record::rr>& have) {
  wire::message q;
  q.opcode = wire::opcode::xfr;
  q.question = wire::question{zone, record::rtype::soa};
  if (have) q.authority.push_back(*have);
  return q;
}

result<fetched> fetch_transfer(const net::endpoint& primary, const name::identifier& zone,
                               const std::optional<record::rr>& have, const hmac::key& key,
                               std::chrono::milliseconds timeout, std::chrono::seconds total,
                               const std::atomic<bool>* stop) {
  const auto deadline = clock::now() + total;
  const std::string where = fmt::format("transfer of {} from {}", zone.text(), primary.to_string());
  std::optional<std::uint32_t> from;
  if (have) {
    auto soa = record::soa::decode(have->data);
    if (!soa) return make_error(fmt::format("{}: our SOA: {}", where, soa.err().message));
    from = soa->serial;
  }
  wire::message q = transfer_request(zone, have);
  q.id = random_id();
  hmac::sign(q, key, util::unix_seconds());

  auto conn = net::tcp_client::connect(primary, timeout);
  if (!conn) return make_error(fmt::format("{}: {}", where, conn.err().message));
  auto sent = conn->send(bytes_of(wire::encode(q)), timeout);
  if (!sent)
    return make_error(fmt::format("{}: sending the request: {}", where, sent.err().message));
  stream_reading reading(*conn, q, key, where);
  return reading.run(std::make_unique<xfr::reader>(zone, from), timeout, deadline, stop);
}

}  // namespace cidns::authd
