// Query handling of cidns-authd (responder.hpp).
#include "responder.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "answer.hpp"
#include "cidns/wire/reply_builder.hpp"
#include "discover.hpp"
#include "notify_service.hpp"
#include "update_service.hpp"
#include "xfr_service.hpp"

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

// The counter of a question type: the type table decides (stats_block::type_slot).
std::size_t type_slot(record::rtype t) { return stats_block::type_slot(t); }

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

std::unique_ptr<net::reply_stream> responder::stream(std::span<const std::uint8_t> query,
                                                     const net::peer_info& from) {
  if (m_guards.transfers == nullptr) return nullptr;
  std::string_view bytes(reinterpret_cast<const char*>(query.data()), query.size());
  const auto head = wire::peek_header(bytes);
  if (head.opcode != static_cast<std::uint32_t>(wire::opcode::xfr) ||
      (head.flags & wire::flag::qr) != 0) {
    return nullptr;
  }
  auto q = wire::decode(bytes);
  if (!q) return nullptr;  // handle() answers FORMERR
  bump(m_stats.local().by_opcode[stats_block::opcode_slot(static_cast<std::int64_t>(q->opcode))]);
  return m_guards.transfers->open(*q, client_address::from(from.address));
}

namespace {

// What the abuse defences decided for a query.
enum class defence { answer, slip, drop };

// The rate limiter's verdict for an unverified UDP client, counted.
defence rate_limit(rate_limiter& rrl, const client_address& from, std::int64_t now,
                   stats_block& st) {
  auto act = rrl.decide(from, now);
  if (act == rate_limiter::action::pass) return defence::answer;
  bump(st.rrl_limited);
  if (act == rate_limiter::action::drop) {
    bump(st.rrl_dropped);
    return defence::drop;
  }
  bump(st.rrl_slipped);
  return defence::slip;
}

// Server cookies: sets the reply's cookie and counts what the query's held.
// True when it carried a valid server cookie (the client is verified).
bool answer_cookie(const serve::server_cookies& cookies, const wire::message& q,
                   const client_address& from, std::int64_t now, thread_state& ts,
                   stats_block& st) {
  bool verified = false;
  switch (cookies.answer(q.cookie, from, now / 1000, ts.cookie)) {
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
  ts.rb.set_cookie(ts.cookie);
  return verified;
}

// Fills the reply's body: NOTIMP, FORMERR for no question, or the answer.
void answer_body(const zone_set& zones, const wire::message& q, wire::reply_builder& rb) {
  if (q.opcode != wire::opcode::query && q.opcode != wire::opcode::discover) {
    rb.set_rcode(wire::rcode::notimp);
  } else if (!q.question) {
    rb.set_rcode(wire::rcode::formerr);
    rb.set_error(static_cast<std::uint32_t>(wire::error_code::other), "query has no question");
  } else if (q.opcode == wire::opcode::discover) {
    answer_discover(zones, q, rb);
  } else {
    answer_query(zones, q, rb);
  }
}

void count_reply(stats_block& st, const wire::reply_builder& rb, std::size_t size,
                 std::chrono::steady_clock::time_point t0) {
  bump(st.by_rcode[std::min<std::size_t>(static_cast<std::size_t>(rb.rcode()), 23)]);
  bump(st.reply_size[bucket(stats_block::size_bounds, size)]);
  bump(st.reply_bytes, size);
  if (rb.truncated()) bump(st.truncated);  // not for slips: finish() did not cut
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  bump(st.latency[bucket(stats_block::latency_bounds_us, static_cast<std::uint64_t>(ns) / 1000)]);
  bump(st.latency_ns_sum, static_cast<std::uint64_t>(ns));
}

}  // namespace

// Bytes that do not decode: a FORMERR quoting why, unless the header cannot be
// read or is a reply's (never a FORMERR to a reply, or two servers could bounce
// errors at each other). No cookie can be trusted here: always rate-limited.
bool responder::refuse_undecodable(std::string_view bytes, std::string_view why, bool udp,
                                   const client_address& from, wire::reply_builder& rb,
                                   std::string& reply) {
  stats_block& st = m_stats.local();
  const auto head = wire::peek_header(bytes);  // the id the decoder would have used (the last)
  if (!head.id || (head.flags & wire::flag::qr) != 0) {
    bump(st, head.id ? serve::drop_reason::reply : serve::drop_reason::undecodable);
    return false;
  }
  rb.start(*head.id, wire::opcode::query, wire::flag::qr, wire::rcode::formerr);
  rb.set_error(static_cast<std::uint32_t>(wire::error_code::other),
               safe_error_text(fmt::format("malformed query: {}", why)));
  if (udp && m_guards.rrl != nullptr &&
      rate_limit(*m_guards.rrl, from, now_ms(), st) == defence::drop) {
    return false;  // a slipped FORMERR is already minimal: sent as it is
  }
  bump(st.formerr);
  bump(st.by_rcode[static_cast<std::size_t>(wire::rcode::formerr)]);
  reply.assign(rb.finish(udp ? wire::min_udp_size : wire::max_message_size));
  return true;
}

bool responder::respond(std::string_view bytes, bool udp, const client_address& from,
                        std::string& reply) {
  const auto t0 = std::chrono::steady_clock::now();
  thread_local thread_state ts;
  stats_block& st = m_stats.local();
  wire::message& q = ts.query;
  wire::reply_builder& rb = ts.rb;

  if (bytes.empty()) {  // decodes as a message of defaults, but is never a query
    bump(st, serve::drop_reason::empty);
    return false;
  }
  if (auto ok = wire::decode(bytes, q); !ok) {
    return refuse_undecodable(bytes, ok.err().message, udp, from, rb, reply);
  }
  if (q.has_flag(wire::flag::qr)) {  // a reply sent to us: never answer (no loops)
    bump(st, serve::drop_reason::reply);
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
    verified = answer_cookie(*m_guards.cookies, q, from, now, ts, st);
  }
  auto verdict = defence::answer;
  if (udp && !verified && m_guards.rrl != nullptr) {
    verdict = rate_limit(*m_guards.rrl, from, have_now ? now : now_ms(), st);
  }
  if (verdict == defence::drop) return false;
  if (verdict == defence::answer) {
    if (q.opcode == wire::opcode::update && m_guards.updates != nullptr) {
      m_guards.updates->handle_update(q, from, reply);
      bump(st.reply_bytes, reply.size());
      return true;
    }
    if (q.opcode == wire::opcode::notify && m_guards.notifies != nullptr) {
      m_guards.notifies->handle_notify(q, from, reply);
      bump(st.reply_bytes, reply.size());
      return true;
    }
    if (q.opcode == wire::opcode::xfr && m_guards.transfers != nullptr) {
      reply = xfr_service::refuse_udp(q);  // (over TCP, stream() took it)
      bump(st.reply_bytes, reply.size());
      return true;
    }
  }
  if (verdict == defence::slip) {
    // An empty reply with TC (header, question and cookie): a real client retries over TCP.
    rb.set_flags(rb.flags() | wire::flag::tc);
  } else {
    answer_body(*m_zones.read(), q, rb);  // this thread's copy, held for the answer
  }
  // UDP: the client's size, never above the server's cap (no amplification).
  std::string_view out =
      rb.finish(udp ? std::min(q.udp_size(), m_guards.udp_max_size) : wire::max_message_size);
  reply.assign(out);
  count_reply(st, rb, out.size(), t0);
  return true;
}

}  // namespace cidns::authd
