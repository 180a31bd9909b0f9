// The asynchronous upstream client (upstream.hpp): one exchange object per query, holding its
// socket, deadline timer and buffers; it finishes once (reply, error, timeout or cancel) and
// later completions of its cancelled operations find it finished and do nothing.
#include "cidns/net/upstream.hpp"

#include <array>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "socket_util.hpp"

namespace cidns::net {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

class upstream_client::exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(upstream_client& owner, const endpoint& to, bool tcp, std::string query, callback done)
      : m_owner(&owner),
        m_to(to),
        m_tcp(tcp),
        m_query(std::move(query)),
        m_done(std::move(done)),
        m_timer(owner.m_io),
        m_udp_socket(owner.m_io),
        m_tcp_socket(owner.m_io) {}

  void start(std::chrono::milliseconds timeout) {
    m_timer.expires_after(timeout);
    m_timer.async_wait([self = shared_from_this(), timeout](const error_code& ec) {
      if (!ec) self->fail(fmt::format("timeout after {} ms", timeout.count()));
    });
    if (m_query.size() > max_message) {
      post_failure(fmt::format("query of {} bytes exceeds {}", m_query.size(), max_message));
    } else if (m_tcp) {
      start_tcp();
    } else {
      start_udp();
    }
  }

  // Ends the exchange with an error (the callback runs now).
  void fail(const std::string& why) {
    finish(make_error(fmt::format("{} ({} {})", why, m_tcp ? "tcp" : "udp", m_to.to_string())));
  }

 private:
  void post_failure(std::string why) {
    asio::post(m_timer.get_executor(),
               [self = shared_from_this(), why = std::move(why)] { self->fail(why); });
  }

  void fail(const error_code& ec) {
    if (ec == asio::error::connection_refused) {
      fail(std::string("refused"));
    } else {
      fail(ec.message());
    }
  }

  void start_udp() {
    error_code ec;
    m_udp_socket.open(m_to.address.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    // connect() binds a random ephemeral source port and filters on the peer address.
    if (!ec) m_udp_socket.connect(detail::to_udp(m_to), ec);
    if (ec) {
      post_failure(ec.message());
      return;
    }
    m_udp_socket.async_send(asio::buffer(m_query),
                            [self = shared_from_this()](const error_code& send_ec, std::size_t) {
                              if (self->m_finished) return;
                              if (send_ec) {
                                self->fail(send_ec);
                                return;
                              }
                              self->receive_udp();
                            });
  }

  void receive_udp() {
    m_reply.resize(max_message);
    m_udp_socket.async_receive(asio::buffer(m_reply),
                               [self = shared_from_this()](const error_code& ec, std::size_t n) {
                                 if (self->m_finished) return;
                                 if (ec) {
                                   self->fail(ec);
                                   return;
                                 }
                                 self->m_reply.resize(n);
                                 self->finish(std::move(self->m_reply));
                               });
  }

  void start_tcp() {
    m_tcp_socket.async_connect(
        detail::to_tcp(m_to), [self = shared_from_this()](const error_code& ec) {
          if (self->m_finished) return;
          if (ec) {
            self->fail(ec);
            return;
          }
          error_code ignored;
          self->m_tcp_socket.set_option(asio::ip::tcp::no_delay(true), ignored);
          self->write_tcp();
        });
  }

  void write_tcp() {
    m_length = {static_cast<std::uint8_t>(m_query.size() >> 8),
                static_cast<std::uint8_t>(m_query.size() & 0xff)};
    const std::array<asio::const_buffer, 2> frame{asio::buffer(m_length), asio::buffer(m_query)};
    asio::async_write(m_tcp_socket, frame,
                      [self = shared_from_this()](const error_code& ec, std::size_t) {
                        if (self->m_finished) return;
                        if (ec) {
                          self->fail(ec);
                          return;
                        }
                        self->read_tcp_length();
                      });
  }

  void read_tcp_length() {
    asio::async_read(m_tcp_socket, asio::buffer(m_length),
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                       if (self->m_finished) return;
                       if (ec) {
                         self->fail(ec == asio::error::eof ? std::string("closed before a reply")
                                                           : ec.message());
                         return;
                       }
                       const std::size_t len =
                           (std::size_t{self->m_length[0]} << 8) | self->m_length[1];
                       if (len == 0) {
                         self->fail(std::string("empty reply frame"));
                         return;
                       }
                       self->read_tcp_body(len);
                     });
  }

  void read_tcp_body(std::size_t len) {
    m_reply.resize(len);
    asio::async_read(
        m_tcp_socket, asio::buffer(m_reply),
        [self = shared_from_this()](const error_code& ec, std::size_t) {
          if (self->m_finished) return;
          if (ec) {
            self->fail(ec == asio::error::eof ? std::string("reply cut short") : ec.message());
            return;
          }
          self->finish(std::move(self->m_reply));
        });
  }

  void finish(result<std::string> r) {
    if (m_finished) return;
    m_finished = true;
    auto self = shared_from_this();  // the owner's map may hold the last other reference
    error_code ignored;
    m_timer.cancel();
    m_udp_socket.close(ignored);
    m_tcp_socket.close(ignored);
    callback done = std::move(m_done);
    if (m_owner != nullptr) m_owner->m_pending.erase(this);
    m_owner = nullptr;
    m_query = std::string();
    if (done) done(std::move(r), m_to);
  }

  friend class upstream_client;

  upstream_client* m_owner;
  endpoint m_to;
  bool m_tcp;
  std::string m_query;
  callback m_done;
  asio::steady_timer m_timer;
  asio::ip::udp::socket m_udp_socket;
  asio::ip::tcp::socket m_tcp_socket;
  std::array<std::uint8_t, 2> m_length{};
  std::string m_reply;
  bool m_finished = false;
};

upstream_client::upstream_client(asio::io_context& io) : m_io(io) {}

upstream_client::~upstream_client() { cancel_all(); }

void upstream_client::query(const endpoint& to, bool tcp, std::string bytes,
                            std::chrono::milliseconds timeout, callback done) {
  auto x = std::make_shared<exchange>(*this, to, tcp, std::move(bytes), std::move(done));
  m_pending.emplace(x.get(), x);
  x->start(timeout);
}

void upstream_client::cancel_all() {
  // A callback may start new queries: those are not cancelled by this call.
  std::vector<std::shared_ptr<exchange>> now;
  now.reserve(m_pending.size());
  for (auto& [_, x] : m_pending) now.push_back(x);
  m_pending.clear();
  for (auto& x : now) {
    x->m_owner = nullptr;
    x->fail(std::string("cancelled"));
  }
}

}  // namespace cidns::net
