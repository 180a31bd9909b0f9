// The query service of cidns-resolverd (service.hpp).
#include "service.hpp"

#include <openssl/rand.h>

#include <array>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cidns/net/upstream.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/serve/client_address.hpp"
#include "cidns/util/log.hpp"
#include "cidns/wire/reply_builder.hpp"

namespace cidns::resolverd {
namespace {

// Largest UDP reply whatever the client offers (as NSD and Knot do; DESIGN §4 default).
constexpr std::uint32_t udp_reply_cap = 1232;

resolve::time_ms now_ms() {
  return static_cast<resolve::time_ms>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
}

std::string address_bytes(const boost::asio::ip::address& a) {
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  auto b = a.to_v6().to_bytes();
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

net::endpoint to_endpoint(const resolve::server_address& s) {
  net::endpoint ep;
  ep.port = s.port;
  if (s.ip.size() == 4) {
    boost::asio::ip::address_v4::bytes_type b;
    std::copy(s.ip.begin(), s.ip.end(), b.begin());
    ep.address = boost::asio::ip::address_v4(b);
  } else {
    boost::asio::ip::address_v6::bytes_type b{};
    std::copy_n(s.ip.begin(), std::min<std::size_t>(s.ip.size(), 16), b.begin());
    ep.address = boost::asio::ip::address_v6(b);
  }
  return ep;
}

resolve::server_address to_server(const net::endpoint& ep) {
  return {address_bytes(ep.address), ep.port};
}

// Unpredictable 64-bit values (query ids) from OpenSSL's CSPRNG, drawn in blocks.
class random_source {
 public:
  std::uint64_t next() {
    if (m_next == m_block.size()) {
      if (RAND_bytes(reinterpret_cast<unsigned char*>(m_block.data()),
                     static_cast<int>(sizeof m_block)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
      }
      m_next = 0;
    }
    return m_block[m_next++];
  }

 private:
  std::array<std::uint64_t, 64> m_block{};
  std::size_t m_next = 64;
};

}  // namespace

struct service::worker_state {
  struct client {
    net::reply_sink sink;
    std::uint32_t id = 0;
    std::uint32_t limit = 0;  // largest reply: UDP size, or 65535 over TCP
    std::string cookie;
  };

  worker_state(boost::asio::io_context& io_, const resolve::engine_options& options,
               resolve::cache* store)
      : io(io_),
        random(std::make_shared<random_source>()),
        engine(options, store, [r = random] { return r->next(); }),
        upstream(io_),
        timer(io_) {}

  boost::asio::io_context& io;
  std::shared_ptr<random_source> random;
  resolve::engine engine;
  net::upstream_client upstream;
  boost::asio::steady_timer timer;
  std::unordered_map<std::uint64_t, client> clients;
  wire::message query;
  wire::reply_builder builder;
  resolve::time_ms armed_for = 0;
  resolve::time_ms last_copy = 0;
  bool stopping = false;
  mutable std::mutex stats_mutex;
  resolve::engine_stats stats_copy;

  void pump(service_counters& counters, resolve::time_ms now);
  // A client question just handed to the engine: a cache hit is answered here, at once (over
  // UDP the reply joins the receiver's sendmmsg batch); otherwise the client waits in `clients`.
  void started(std::uint64_t id, client c, service_counters& counters, resolve::time_ms now);
  void deliver(resolve::client_answer& a, service_counters& counters);
  void reply_to(client& c, const wire::message& m, service_counters& counters);
  void arm(service_counters& counters, resolve::time_ms now);
};

void service::worker_state::deliver(resolve::client_answer& a, service_counters& counters) {
  auto it = clients.find(a.client);
  if (it == clients.end()) return;
  client c = std::move(it->second);
  clients.erase(it);
  reply_to(c, a.reply, counters);
}

void service::worker_state::reply_to(client& c, const wire::message& m,
                                     service_counters& counters) {
  builder.start(c.id, m.opcode, m.flags | wire::flag::qr, m.rcode);
  if (m.question) builder.set_question(m.question->name.text(), m.question->type);
  for (const auto& r : m.answer) builder.add(wire::section::answer, r);
  for (const auto& r : m.authority) builder.add(wire::section::authority, r);
  for (const auto& r : m.additional) builder.add(wire::section::additional, r);
  if (m.error) builder.set_error(m.error->code, m.error->text);
  if (!c.cookie.empty()) builder.set_cookie(c.cookie);
  c.sink.send(builder.finish(c.limit));
  counters.answered.fetch_add(1, std::memory_order_relaxed);
}

void service::worker_state::started(std::uint64_t id, client c, service_counters& counters,
                                    resolve::time_ms now) {
  if (stopping) {  // as pump(): nothing more is answered once shutdown() ran
    clients.emplace(id, std::move(c));
    return;
  }
  auto answers = engine.take_answers();
  bool answered = false;
  for (auto& a : answers) {
    if (a.client == id && !answered) {
      reply_to(c, a.reply, counters);
      answered = true;
    } else {
      deliver(a, counters);
    }
  }
  if (!answered) clients.emplace(id, std::move(c));
  pump(counters, now);
}

void service::worker_state::pump(service_counters& counters, resolve::time_ms now) {
  if (stopping) return;
  for (bool first = true;; first = false) {
    auto answers = engine.take_answers();
    // Counters are copied before the last pending client hears its answer, so whoever got
    // an answer sees it counted (the control channel reads the copy).
    if (!answers.empty() && (clients.size() <= answers.size() || now - last_copy >= 1000)) {
      std::lock_guard lock(stats_mutex);
      stats_copy = engine.stats();
      last_copy = now;
    }
    for (auto& a : answers) deliver(a, counters);
    auto queries = engine.take_queries();
    if (answers.empty() && queries.empty()) break;
    if (!first) now = now_ms();
    for (auto& q : queries) {
      const auto left = q.deadline > now ? q.deadline - now : 1;
      upstream.query(
          to_endpoint(q.to), q.tcp, std::move(q.bytes), std::chrono::milliseconds(left),
          [this, &counters, token = q.token](result<std::string> reply, net::endpoint from) {
            if (stopping) return;
            if (reply) {
              engine.on_reply(token, to_server(from), *reply, now_ms());
            } else {
              engine.on_failure(token, now_ms());
            }
            pump(counters, now_ms());
          });
    }
  }
  arm(counters, now);
  if (now - last_copy >= 1000 || clients.empty()) {
    std::lock_guard lock(stats_mutex);
    stats_copy = engine.stats();
    last_copy = now;
  }
}

void service::worker_state::arm(service_counters& counters, resolve::time_ms now) {
  auto next = engine.next_deadline();
  if (!next || *next == armed_for) return;
  armed_for = *next;
  timer.expires_after(std::chrono::milliseconds(*next > now ? *next - now : 0));
  timer.async_wait([this, &counters](const boost::system::error_code& ec) {
    if (ec || stopping) return;
    armed_for = 0;
    const auto at = now_ms();
    engine.tick(at);
    pump(counters, at);
  });
}

service::service(resolve::engine_options options, resolve::cache* store, access_list allow,
                 const serve::server_cookies* cookies)
    : m_options(std::move(options)),
      m_store(store),
      m_allow(std::move(allow)),
      m_cookies(cookies) {}

service::~service() = default;

void service::attach(net::server& transport) {
  m_workers.clear();
  for (unsigned i = 0; i < transport.thread_count(); ++i) {
    m_workers.push_back(
        std::make_unique<worker_state>(transport.io_context(i), m_options, m_store));
  }
}

void service::handle(std::span<const std::uint8_t> bytes, const net::peer_info& from,
                     unsigned worker, net::reply_sink reply) {
  auto& w = *m_workers.at(worker);
  m_counters.queries.fetch_add(1, std::memory_order_relaxed);
  std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto refuse = [&](std::uint32_t id, wire::rcode rc, std::string_view why) {
    w.builder.start(id, w.query.opcode, wire::flag::qr | (w.query.flags & wire::flag::rd), rc);
    if (w.query.question)
      w.builder.set_question(w.query.question->name.text(), w.query.question->type);
    if (!why.empty()) w.builder.set_error(static_cast<std::uint32_t>(wire::error_code::other), why);
    reply.send(w.builder.finish(wire::max_message_size));
  };
  if (view.empty()) {  // decodes as a message of defaults, but is never a query
    return m_counters.dropped_empty.fetch_add(1, std::memory_order_relaxed), void();
  }
  if (auto ok = wire::decode(view, w.query); !ok) {
    // Never answer a reply, malformed or not (the decoder may have stopped before its
    // flags); echo the id the decoder would have used: the last one.
    const auto head = wire::peek_header(view);
    if (w.query.has_flag(wire::flag::qr) || (head.flags & wire::flag::qr) != 0) {
      return m_counters.dropped_reply.fetch_add(1, std::memory_order_relaxed), void();
    }
    if (!head.id) {
      return m_counters.dropped_undecodable.fetch_add(1, std::memory_order_relaxed), void();
    }
    const auto id = head.id;
    m_counters.formerr.fetch_add(1, std::memory_order_relaxed);
    w.query = {};
    std::string why = ok.err().message.substr(0, 160);
    return refuse(*id, wire::rcode::formerr, why);
  }
  if (w.query.has_flag(wire::flag::qr)) {
    return m_counters.dropped_reply.fetch_add(1, std::memory_order_relaxed), void();
  }
  if (!m_allow.allows(address_bytes(from.address))) {
    m_counters.refused.fetch_add(1, std::memory_order_relaxed);
    return refuse(w.query.id, wire::rcode::refused, "");
  }
  const bool discover = w.query.opcode == wire::opcode::discover;
  if (w.query.opcode != wire::opcode::query && !discover) {
    m_counters.notimp.fetch_add(1, std::memory_order_relaxed);
    return refuse(w.query.id, wire::rcode::notimp, "");
  }
  if (!w.query.question) {
    m_counters.formerr.fetch_add(1, std::memory_order_relaxed);
    return refuse(w.query.id, wire::rcode::formerr, "no question");
  }
  // A DISCOVER's selector is checked before the reply sink moves to the waiting client.
  std::optional<select::selector> selector;
  if (discover) {
    auto sel = w.query.selector.empty() ? result<select::selector>(make_error("empty"))
                                        : select::parse(w.query.selector);
    if (!sel) {
      m_counters.formerr.fetch_add(1, std::memory_order_relaxed);
      return refuse(w.query.id, wire::rcode::formerr,
                    w.query.selector.empty() ? "DISCOVER without a selector"
                                             : "selector: " + sel.err().message);
    }
    selector = std::move(*sel);
  }
  worker_state::client c;
  c.sink = std::move(reply);
  c.id = w.query.id;
  c.limit = from.proto == net::transport::udp ? std::min(w.query.udp_size(), udp_reply_cap)
                                              : static_cast<std::uint32_t>(wire::max_message_size);
  const auto now = now_ms();
  if (m_cookies != nullptr && !w.query.cookie.empty()) {
    (void)m_cookies->answer(w.query.cookie, serve::client_address::from(from.address),
                            static_cast<std::int64_t>(now / 1000), c.cookie);
  }
  std::uint64_t handle_id = 0;
  if (selector) {
    handle_id =
        w.engine.start_discover(*w.query.question, *selector, w.query.flags, now, w.query.deadline);
  } else {
    handle_id = w.engine.start(*w.query.question, w.query.flags, now);
  }
  w.started(handle_id, std::move(c), m_counters, now);
}

resolve::engine_stats service::engine_stats() const {
  resolve::engine_stats sum;
  for (const auto& w : m_workers) {
    std::lock_guard lock(w->stats_mutex);
    const auto& s = w->stats_copy;
    sum.client_queries += s.client_queries;
    sum.cache_answers += s.cache_answers;
    sum.upstream_queries += s.upstream_queries;
    sum.upstream_timeouts += s.upstream_timeouts;
    sum.upstream_ignored += s.upstream_ignored;
    sum.secure += s.secure;
    sum.insecure += s.insecure;
    sum.bogus += s.bogus;
    sum.indeterminate += s.indeterminate;
    sum.servfail += s.servfail;
    sum.coalesced += s.coalesced;
    sum.work_cap_hits += s.work_cap_hits;
    sum.rtt_sum_ms += s.rtt_sum_ms;
    sum.rtt_count += s.rtt_count;
    sum.discoveries += s.discoveries;
    sum.discovery_cache_answers += s.discovery_cache_answers;
    sum.discovery_zones += s.discovery_zones;
    sum.discovery_partial += s.discovery_partial;
    sum.discovery_dropped += s.discovery_dropped;
  }
  return sum;
}

void service::shutdown() {
  for (auto& wp : m_workers) {
    auto* w = wp.get();
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    boost::asio::post(w->io, [w, done] {
      w->stopping = true;
      w->timer.cancel();
      w->upstream.cancel_all();
      w->clients.clear();
      done->set_value();
    });
    if (f.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
      log::warning("a worker did not stop its upstream work within 2 s");
    }
  }
}

}  // namespace cidns::resolverd
