// One query's conversation with the configured resolvers over Asio (internal to the stub):
// tries the servers in turn (attempts × servers tries, each bounded by the timeout), sends
// over UDP (TCP from the start when asked, or after TC), ignores replies whose id or
// question do not match, and calls back once with the first matching reply or the errors.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cidns/stub/resolver.hpp"

namespace cidns::stub::detail {

class exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(boost::asio::io_context& io, const resolver_config& config, wire::message query,
           bool tcp, lookup_handler done);
  void start();

 private:
  using clock = std::chrono::steady_clock;

  void next_try();
  void begin(bool tcp);  // a new generation: timer armed, stale handlers ignored
  void start_udp();
  void receive_udp(std::uint64_t gen);
  void start_tcp();
  void read_tcp(std::uint64_t gen);
  void give_up_try(std::uint64_t gen, std::string why);
  // A datagram or framed message came back: finish if it matches, else keep listening.
  void on_bytes(std::uint64_t gen, std::string_view bytes, bool tcp);
  void finish(result<lookup_result> r);
  void close_sockets();
  const net::endpoint& server() const;

  boost::asio::io_context& m_io;
  resolver_config m_config;
  wire::message m_query;
  std::string m_bytes;  // the encoded query
  bool m_tcp_only;
  lookup_handler m_done;

  std::size_t m_try = 0;    // tries started (index into the rounds over the servers)
  std::uint64_t m_gen = 0;  // bumped by each try and each TCP retry after TC
  bool m_after_tc = false;  // the current TCP try follows a truncated UDP reply
  bool m_finished = false;
  clock::time_point m_sent;
  std::vector<std::string> m_errors;  // "SERVER: why", one per failed try

  boost::asio::steady_timer m_timer;
  std::optional<boost::asio::ip::udp::socket> m_udp;
  std::optional<boost::asio::ip::tcp::socket> m_tcp;
  std::array<std::uint8_t, 2> m_length{};
  std::string m_buffer;
};

}  // namespace cidns::stub::detail
