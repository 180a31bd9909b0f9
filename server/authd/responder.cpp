// Query handling of cidns-authd (responder.hpp).
#include "responder.hpp"

#include <algorithm>
#include <chrono>

#include "answer.hpp"
#include "discover.hpp"
#include "cidns/wire/reply_builder.hpp"

namespace cidns::authd {

using serve::bump;
using serve::client_address;
using serve::cookie_result;
using serve::rate_limiter;
using serve::stats_block;

namespace {

struct thread_state {
  wire::message query;
  wire::reply_builder rb;
  std::string cookie;  // the reply's cookie (client || server)
};

std::size_t type_slot(record::rtype t) {
  auto n = static_cast<std::size_t>(t);
  if (n <= 12) return n;
  return t == record::rtype::resource ? 13 : 14;
}

// The decoder's message may quote hostile bytes: as \xNN (up to 4x longer), or
// raw (identifier errors quote the bad label as is). The ExtendedError text must
// be valid UTF-8 (else the client cannot decode the reply) and the FORMERR
// small (no amplification; it must fit the 512-byte UDP floor): printable
// ASCII only, at most max_error_text bytes.
constexpr std::size_t max_error_text = 160;

std::string safe_error_text(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, max_error_text)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  if (text.size() > max_error_text) out.replace(out.size() - 3, 3, "...");
  return out;
}

template <std::size_t N>
std::size_t bucket(const std::array<std::uint32_t, N>& bounds, std::uint64_t v) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) -
                                  bounds.begin());
}

}  // namespace

std::int64_t responder::now_ms() const {
  if (m_guards.now_ms) return m_guards.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void responder::handle(std::span<const std::uint8_t> query, const net::peer_info& from,
                       std::string& reply) {
  std::string_view bytes(reinterpret_cast<const char*>(query.data()), query.size());
  if (!respond(bytes, from.proto == net::transport::udp, client_address::from(from.address),
               reply)) {
    reply.clear();
  }
}

bool responder::respond(std::string_view bytes, bool udp, const client_address& from,
                        std::string& reply) {
  const auto t0 = std::chrono::steady_clock::now();
  thread_local thread_state ts;
  stats_block& st = m_stats.local();
  wire::message& q = ts.query;
  wire::reply_builder& rb = ts.rb;

  if (bytes.empty()) {  // decodes as a message of defaults, but is never a query
    bump(st.dropped);
    return false;
  }
  if (auto ok = wire::decode(bytes, q); !ok) {
    // The id the decoder would have used (the last); never a FORMERR to a
    // reply, or two servers could bounce errors at each other.
    const auto head = wire::peek_header(bytes);
    if (!head.id || (head.flags & wire::flag::qr) != 0) {
      bump(st.dropped);
      return false;
    }
    rb.start(*head.id, wire::opcode::query, wire::flag::qr, wire::rcode::formerr);
    rb.set_error(static_cast<std::uint32_t>(wire::error_code::other),
                 safe_error_text("malformed query: " + ok.err().message));
    if (udp && m_guards.rrl != nullptr) {  // no cookie can be trusted here: always limited
      auto act = m_guards.rrl->decide(from, now_ms());
      if (act != rate_limiter::action::pass) {
        bump(st.rrl_limited);
        if (act == rate_limiter::action::drop) {
          bump(st.rrl_dropped);
          return false;
        }
        bump(st.rrl_slipped);  // a FORMERR is already minimal: sent as it is
      }
    }
    bump(st.formerr);
    bump(st.by_rcode[static_cast<std::size_t>(wire::rcode::formerr)]);
    reply.assign(rb.finish(udp ? wire::min_udp_size : wire::max_message_size));
    return true;
  }
  if (q.has_flag(wire::flag::qr)) {  // a reply sent to us: never answer (no loops)
    bump(st.dropped);
    return false;
  }
  bump(st.by_opcode[stats_block::opcode_slot(static_cast<std::int64_t>(q.opcode))]);
  rb.start(q.id, q.opcode,
           wire::flag::qr | (q.flags & (wire::flag::rd | wire::flag::cd | wire::flag::do_)),
           wire::rcode::noerror);
  if (q.question) {
    rb.set_question(q.question->name.text(), q.question->type);
    bump(st.by_type[type_slot(q.question->type)]);
  }
  // Abuse defences: only reached with a cookie in the query or RRL on, so the
  // common path pays two tests.
  std::int64_t now = 0;
  bool have_now = false;
  bool verified = false;
  if (m_guards.cookies != nullptr && !q.cookie.empty()) {
    now = now_ms();
    have_now = true;
    switch (m_guards.cookies->answer(q.cookie, from, now / 1000, ts.cookie)) {
      case cookie_result::none:
        break;
      case cookie_result::client_only:
        bump(st.cookie_new);
        break;
      case cookie_result::valid:
        bump(st.cookie_valid);
        verified = true;
        break;
      case cookie_result::invalid:
        bump(st.cookie_invalid);
        break;
    }
    rb.set_cookie(ts.cookie);
  }
  bool slipped = false;
  if (udp && !verified && m_guards.rrl != nullptr) {
    if (!have_now) now = now_ms();
    auto act = m_guards.rrl->decide(from, now);
    if (act != rate_limiter::action::pass) {
      bump(st.rrl_limited);
      if (act == rate_limiter::action::drop) {
        bump(st.rrl_dropped);
        return false;
      }
      bump(st.rrl_slipped);
      slipped = true;  // an empty reply with TC: a real client retries over TCP
      rb.set_flags(rb.flags() | wire::flag::tc);
    }
  }
  if (slipped) {
    // nothing more: header, question and cookie only
  } else if (q.opcode != wire::opcode::query && q.opcode != wire::opcode::discover) {
    rb.set_rcode(wire::rcode::notimp);
  } else if (!q.question) {
    rb.set_rcode(wire::rcode::formerr);
    rb.set_error(static_cast<std::uint32_t>(wire::error_code::other), "query has no question");
  } else if (q.opcode == wire::opcode::discover) {
    answer_discover(*m_zones.load(), q, rb);
  } else {
    answer_query(*m_zones.load(), q, rb);
  }
  // UDP: the client's size, never above the server's cap (no amplification).
  std::string_view out =
      rb.finish(udp ? std::min(q.udp_size(), m_guards.udp_max_size) : wire::max_message_size);
  reply.assign(out);

  bump(st.by_rcode[std::min<std::size_t>(static_cast<std::size_t>(rb.rcode()), 23)]);
  bump(st.reply_size[bucket(stats_block::size_bounds, out.size())]);
  bump(st.reply_bytes, out.size());
  if (rb.truncated()) bump(st.truncated);  // not for slips: finish() did not cut
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  bump(st.latency[bucket(stats_block::latency_bounds_us, static_cast<std::uint64_t>(ns) / 1000)]);
  bump(st.latency_ns_sum, static_cast<std::uint64_t>(ns));
  return true;
}

}  // namespace cidns::authd
