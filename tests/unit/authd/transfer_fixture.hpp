// Shared pieces of the zone transfer tests (secondary side): small zones built from text, HMAC
// keys, and a fake primary on 127.0.0.1 that streams xfr::writer messages signed in a chain,
// with ways to misbehave (a tampered MAC, another key, an error rcode, silence).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cidns/hmac/key.hpp"
#include "cidns/hmac/signer.hpp"
#include "cidns/net/server.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/xfr/writer.hpp"
#include "cidns/zone/diff.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::authd::testing {

inline const std::string zone_text_name = "sec.test.";

inline name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

inline hmac::key make_key(std::string_view name, char fill) {
  return hmac::key{id(name).text(), std::string(32, fill)};
}

struct soa_timers {
  std::uint32_t refresh = 3600, retry = 600, expire = 1209600;
};

// Version `serial` of sec.test.: `hosts` TXT records whose text names the serial.
inline std::string zone_text(std::uint32_t serial, int hosts = 20, soa_timers t = {}) {
  std::string s = fmt::format(
      "$ORIGIN sec.test.\n$TTL 3600\n@ SOA ns1 hostmaster {} {} {} {} 300\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.21\nstable TXT \"always here\"\n",
      serial, t.refresh, t.retry, t.expire);
  for (int i = 0; i < hosts; ++i)
    s += fmt::format("h{} TXT \"host {} of version {}\"\n", i, i, serial);
  return s;
}

inline std::shared_ptr<const zone::compiled_zone> compile(const std::string& text) {
  zone::load_options o;
  o.read.origin = id(zone_text_name);
  o.compile = true;
  auto loaded = zone::load_text(text, "sec.test.zone", o);
  EXPECT_TRUE(loaded.ok()) << (loaded.messages().empty() ? "" : loaded.messages().front());
  return loaded.compiled;
}

inline record::rr soa_of(const zone::compiled_zone& z) { return z.soa_record(); }

// How the fake primary misbehaves.
enum class fault { none, tamper_second_mac, other_key_second, refuse, silent, unsigned_refusal };

// A primary serving versions of sec.test. over TCP: a full transfer, an incremental one when the
// requested serial is a version it holds, or "up to date".
class fake_primary : public net::query_handler {
 public:
  explicit fake_primary(hmac::key key) : m_key(std::move(key)) { m_ring.add(m_key); }

  void add_version(std::shared_ptr<const zone::compiled_zone> z) {
    std::lock_guard lock(m_mutex);
    m_versions[z->serial()] = z;
    m_current = std::move(z);
  }
  void set_fault(fault f) { m_fault = f; }
  void set_budget(std::size_t b) { m_budget = b; }
  void set_other_key(hmac::key k) { m_other = std::move(k); }
  // Requests seen, and the serial each asked from (nullopt: full).
  std::vector<std::optional<std::uint32_t>> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

  void handle(std::span<const std::uint8_t>, const net::peer_info&, std::string&) override {}

  std::unique_ptr<net::reply_stream> stream(std::span<const std::uint8_t> query,
                                            const net::peer_info&) override;

 private:
  class chain;

  hmac::key m_key;
  hmac::keyring m_ring;
  hmac::key m_other = make_key("intruder.", 'x');
  std::atomic<fault> m_fault{fault::none};
  std::atomic<std::size_t> m_budget{300};
  mutable std::mutex m_mutex;
  std::map<std::uint32_t, std::shared_ptr<const zone::compiled_zone>> m_versions;
  std::shared_ptr<const zone::compiled_zone> m_current;
  std::vector<std::optional<std::uint32_t>> m_requests;
};

// The writer's messages, each signed chained on the previous MAC (the first on the request's).
class fake_primary::chain : public net::reply_stream {
 public:
  chain(xfr::writer w, hmac::key key, hmac::key other, std::string request_mac, fault f)
      : m_writer(std::move(w)),
        m_key(std::move(key)),
        m_other(std::move(other)),
        m_mac(std::move(request_mac)),
        m_fault(f) {}
  bool next(std::string& out) override {
    wire::message m;
    auto more = m_writer.next(m);
    if (!more || !*more) return false;
    ++m_count;
    const bool second = m_count == 2;
    hmac::sign(m, second && m_fault == fault::other_key_second ? m_other : m_key,
               util::unix_seconds(), m_mac);
    m_mac = m.auth->mac;
    if (second && m_fault == fault::tamper_second_mac) m.auth->mac[3] ^= 1;
    out = wire::encode(m);
    return true;
  }

 private:
  xfr::writer m_writer;
  hmac::key m_key, m_other;
  std::string m_mac;
  fault m_fault;
  int m_count = 0;
};

// One message, then the end.
class single_message : public net::reply_stream {
 public:
  explicit single_message(std::string m) : m_message(std::move(m)) {}
  bool next(std::string& out) override {
    if (m_sent) return false;
    m_sent = true;
    out = m_message;
    return true;
  }

 private:
  std::string m_message;
  bool m_sent = false;
};

// Sends nothing, and keeps the connection open until the client goes away.
class silence : public net::reply_stream {
 public:
  bool next(std::string&) override { return false; }
};

inline std::unique_ptr<net::reply_stream> fake_primary::stream(std::span<const std::uint8_t> query,
                                                               const net::peer_info&) {
  auto q =
      wire::decode(std::string_view(reinterpret_cast<const char*>(query.data()), query.size()));
  if (!q) return nullptr;
  const auto v = hmac::verify(*q, m_ring, util::unix_seconds());
  if (v.status != hmac::status::ok) return nullptr;
  auto from = xfr::requested_serial(*q);
  std::shared_ptr<const zone::compiled_zone> current, old;
  {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(from ? *from : std::nullopt);
    current = m_current;
    if (from && *from && m_versions.contains(**from)) old = m_versions[**from];
  }
  const fault f = m_fault;
  if (f == fault::silent) return std::make_unique<silence>();
  if (f == fault::refuse || f == fault::unsigned_refusal) {
    wire::message r;
    r.id = q->id;
    r.opcode = wire::opcode::xfr;
    r.flags = wire::flag::qr;
    r.rcode = f == fault::refuse ? wire::rcode::refused : wire::rcode::notauth;
    r.question = q->question;
    r.error = wire::extended_error{18, "not allowed"};
    if (f == fault::refuse) hmac::sign(r, m_key, util::unix_seconds(), q->auth->mac);
    return std::make_unique<single_message>(wire::encode(r));
  }
  auto w = [&] {
    if (from && *from && **from == current->serial()) return xfr::writer::up_to_date(*q, current);
    if (old) {
      std::vector<record::changeset> changes{zone::diff(*old, *current)};
      return xfr::writer::incremental(*q, current, std::move(changes), m_budget);
    }
    return xfr::writer::full(*q, current, m_budget);
  }();
  return std::make_unique<chain>(std::move(w), m_key, m_other, q->auth->mac, f);
}

// A fake primary served on 127.0.0.1 (an ephemeral port).
struct primary_on_loopback {
  fake_primary handler;
  net::server server;
  explicit primary_on_loopback(hmac::key key)
      : handler(std::move(key)), server(options(), handler) {
    server.start();
  }
  ~primary_on_loopback() { server.stop(); }
  net::endpoint endpoint() const { return server.local_endpoints().front(); }
  static net::server_options options() {
    net::server_options o;
    o.listen.push_back(*net::parse_endpoint("127.0.0.1:0"));
    o.threads = 1;
    o.shutdown_grace = std::chrono::milliseconds(200);
    return o;
  }
};

}  // namespace cidns::authd::testing
