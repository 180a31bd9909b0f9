// The stub's query conversation over Asio: tries, UDP, TCP after TC, reply matching.
#include "exchange.hpp"

#include <utility>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace cidns::stub::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A reply to `query`: decodes, flagged QR, same id, and the same question (a reply without
// a question is taken only as an error reply, e.g. FORMERR to a query it could not read).
std::optional<wire::message> matching_reply(std::string_view bytes, const wire::message& query) {
  auto reply = wire::decode(bytes);
  if (!reply) return std::nullopt;
  if (reply->id != query.id || !reply->has_flag(wire::flag::qr)) return std::nullopt;
  if (reply->question ? reply->question != query.question : reply->rcode == wire::rcode::noerror)
    return std::nullopt;
  return std::move(*reply);
}

}  // namespace

exchange::exchange(asio::io_context& io, const resolver_config& config, wire::message query,
                   bool tcp, lookup_handler done)
    : m_io(io),
      m_config(config),
      m_query(std::move(query)),
      m_bytes(wire::encode(m_query)),
      m_tcp_only(tcp),
      m_done(std::move(done)),
      m_timer(io) {}

void exchange::start() {
  if (m_config.servers.empty()) {
    auto self = shared_from_this();
    asio::post(m_io, [self] { self->finish(make_error("no resolver configured")); });
    return;
  }
  next_try();
}

const net::endpoint& exchange::server() const {
  return m_config.servers[(m_try - 1) % m_config.servers.size()];
}

void exchange::next_try() {
  const std::size_t total =
      m_config.servers.size() * static_cast<std::size_t>(std::max(1, m_config.attempts));
  if (m_try >= total) {
    std::string why = "no reply";
    for (std::size_t i = 0; i < m_errors.size(); ++i)
      why += fmt::format("{} {}", i == 0 ? ":" : ";", m_errors[i]);
    finish(make_error(std::move(why)));
    return;
  }
  ++m_try;
  m_after_tc = false;
  if (m_tcp_only) {
    start_tcp();
  } else {
    start_udp();
  }
}

void exchange::begin(bool tcp) {
  close_sockets();
  ++m_gen;
  m_sent = clock::now();
  m_timer.expires_after(m_config.timeout);
  auto self = shared_from_this();
  const auto gen = m_gen;
  m_timer.async_wait([self, gen, tcp](const error_code& ec) {
    if (ec || gen != self->m_gen) return;
    self->give_up_try(gen, tcp ? "timeout (tcp)" : "timeout");
  });
}

void exchange::give_up_try(std::uint64_t gen, std::string why) {
  if (m_finished || gen != m_gen) return;
  m_errors.push_back(fmt::format("{} {}", server().to_string(), why));
  ++m_gen;  // handlers of this try are now stale
  m_timer.cancel();
  close_sockets();
  next_try();
}

void exchange::close_sockets() {
  error_code ignored;
  if (m_udp) m_udp->close(ignored);
  if (m_tcp) m_tcp->close(ignored);
  m_udp.reset();
  m_tcp.reset();
}

void exchange::start_udp() {
  begin(false);
  const auto gen = m_gen;
  const asio::ip::udp::endpoint to(server().address, server().port);
  m_udp.emplace(m_io);
  error_code ec;
  m_udp->open(to.protocol(), ec);
  if (!ec) m_udp->connect(to, ec);  // replies from elsewhere are not delivered
  if (!ec) m_udp->send(asio::buffer(m_bytes), 0, ec);
  if (ec) {
    auto self = shared_from_this();
    asio::post(m_io, [self, gen, why = ec.message()] { self->give_up_try(gen, why); });
    return;
  }
  receive_udp(gen);
}

void exchange::receive_udp(std::uint64_t gen) {
  m_buffer.resize(wire::max_message_size);
  auto self = shared_from_this();
  m_udp->async_receive(asio::buffer(m_buffer), [self, gen](const error_code& ec, std::size_t n) {
    if (gen != self->m_gen || self->m_finished) return;
    if (ec) {
      self->give_up_try(gen, ec.message());
      return;
    }
    self->on_bytes(gen, std::string_view(self->m_buffer.data(), n), false);
  });
}

void exchange::start_tcp() {
  begin(true);
  const auto gen = m_gen;
  m_tcp.emplace(m_io);
  auto self = shared_from_this();
  const asio::ip::tcp::endpoint to(server().address, server().port);
  m_tcp->async_connect(to, [self, gen](const error_code& ec) {
    if (gen != self->m_gen || self->m_finished) return;
    if (ec) {
      self->give_up_try(gen, fmt::format("tcp connect: {}", ec.message()));
      return;
    }
    self->m_length = {static_cast<std::uint8_t>(self->m_bytes.size() >> 8),
                      static_cast<std::uint8_t>(self->m_bytes.size() & 0xff)};
    std::array<asio::const_buffer, 2> out{asio::buffer(self->m_length),
                                          asio::buffer(self->m_bytes)};
    asio::async_write(*self->m_tcp, out, [self, gen](const error_code& wec, std::size_t) {
      if (gen != self->m_gen || self->m_finished) return;
      if (wec) {
        self->give_up_try(gen, fmt::format("tcp send: {}", wec.message()));
        return;
      }
      self->read_tcp(gen);
    });
  });
}

void exchange::read_tcp(std::uint64_t gen) {
  auto self = shared_from_this();
  asio::async_read(*m_tcp, asio::buffer(m_length), [self, gen](const error_code& ec, std::size_t) {
    if (gen != self->m_gen || self->m_finished) return;
    if (ec) {
      self->give_up_try(gen, fmt::format("tcp receive: {}", ec.message()));
      return;
    }
    const std::size_t len = (std::size_t{self->m_length[0]} << 8) | self->m_length[1];
    self->m_buffer.resize(len);
    asio::async_read(*self->m_tcp, asio::buffer(self->m_buffer),
                     [self, gen](const error_code& rec, std::size_t n) {
                       if (gen != self->m_gen || self->m_finished) return;
                       if (rec) {
                         self->give_up_try(gen, fmt::format("tcp receive: {}", rec.message()));
                         return;
                       }
                       self->on_bytes(gen, std::string_view(self->m_buffer.data(), n), true);
                     });
  });
}

void exchange::on_bytes(std::uint64_t gen, std::string_view bytes, bool tcp) {
  auto reply = matching_reply(bytes, m_query);
  if (!reply) {  // spoofed, stale or garbage: keep waiting until the timeout
    if (tcp) {
      read_tcp(gen);
    } else {
      receive_udp(gen);
    }
    return;
  }
  if (!tcp && reply->has_flag(wire::flag::tc)) {
    start_tcp();  // the same server, a fresh timeout
    m_after_tc = true;
    return;
  }
  lookup_result out;
  out.server = server();
  out.tcp = tcp;
  out.retried_after_tc = m_after_tc;
  out.size = bytes.size();
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - m_sent);
  out.kind = classify(*reply);
  out.validation = validation_of(*reply);
  out.reply = std::move(*reply);
  finish(std::move(out));
}

void exchange::finish(result<lookup_result> r) {
  if (m_finished) return;
  m_finished = true;
  ++m_gen;
  m_timer.cancel();
  close_sockets();
  auto done = std::move(m_done);
  done(std::move(r));
}

}  // namespace cidns::stub::detail
