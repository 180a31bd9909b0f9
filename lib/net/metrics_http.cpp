#include "cidns/net/metrics_http.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/system_error.hpp>

#include "socket_util.hpp"

namespace cidns::net {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {
constexpr auto request_timeout = std::chrono::seconds(5);
}

// One connection at a time: accept, read one request, answer, close, accept the next.
struct metrics_server::impl {
  boost::asio::io_context io{1};
  tcp::acceptor acceptor{io};
  producer produce;
  std::optional<boost::beast::tcp_stream> stream;
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  boost::asio::steady_timer retry{io};
  detail::accept_backoff backoff{"metrics"};
  bool stopping = false;

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (stopping || ec == boost::asio::error::operation_aborted) return;
      if (ec) {  // EMFILE, ENFILE...: wait instead of retrying at once
        retry.expires_after(backoff.failed(ec));
        retry.async_wait([this](const boost::system::error_code& wec) {
          if (!wec && !stopping) accept();
        });
        return;
      }
      stream.emplace(std::move(socket));
      buffer.clear();
      request = {};
      stream->expires_after(request_timeout);
      http::async_read(*stream, buffer, request,
                       [this](const boost::system::error_code& rec, std::size_t) {
                         if (rec) {
                           finish();
                           return;
                         }
                         respond();
                       });
    });
  }

  void respond() {
    response = {};
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::server, "cidns");
    if (request.target() != "/metrics") {
      response.result(http::status::not_found);
      response.set(http::field::content_type, "text/plain");
      response.body() = "not found\n";
    } else if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, "GET, HEAD");
      response.body() = "method not allowed\n";
    } else {
      try {
        response.body() = produce();
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      } catch (const std::exception& e) {
        response.result(http::status::internal_server_error);
        response.body() = fmt::format("error: {}\n", e.what());
      }
    }
    response.prepare_payload();
    if (request.method() == http::verb::head) response.body().clear();
    http::async_write(*stream, response,
                      [this](const boost::system::error_code&, std::size_t) { finish(); });
  }

  void finish() {
    if (stream) {
      boost::system::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->socket().close(ec);
      stream.reset();
    }
    if (!stopping) accept();
  }

  void shutdown() {
    stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    retry.cancel();
    if (stream) stream->cancel();  // the pending read/write ends with operation_aborted
  }
};

metrics_server::metrics_server(const endpoint& listen, producer produce)
    : m_impl(std::make_unique<impl>()) {
  m_impl->produce = std::move(produce);
  try {
    auto& a = m_impl->acceptor;
    a.open(listen.address.is_v6() ? tcp::v6() : tcp::v4());
    a.set_option(tcp::acceptor::reuse_address(true));
    if (listen.address.is_v6()) a.set_option(boost::asio::ip::v6_only(true));
    a.bind(detail::to_tcp(listen));
    a.listen();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(
        fmt::format("cannot listen on {} (metrics): {}", listen.to_string(), e.code().message()));
  }
}

metrics_server::~metrics_server() { stop(); }

endpoint metrics_server::local_endpoint() const {
  boost::system::error_code ec;
  return detail::from_asio(m_impl->acceptor.local_endpoint(ec));
}

void metrics_server::start() {
  if (m_thread.joinable() || !m_impl || m_impl->stopping) return;
  m_impl->accept();
  m_thread = std::thread([i = m_impl.get()] { i->io.run(); });
}

void metrics_server::stop() {
  if (!m_impl) return;
  boost::asio::post(m_impl->io, [i = m_impl.get()] { i->shutdown(); });
  if (m_thread.joinable()) {
    m_thread.join();
  } else {
    m_impl->io.run();
  }
  m_impl.reset();
}

}  // namespace cidns::net
