// Internal: one thread's UDP socket for one listen address. Waits for readability, drains the
// socket with recvmmsg, calls the handler per datagram and sends the replies with sendmmsg,
// all from buffers allocated once. With an asynchronous handler, each datagram gets a
// reply_sink instead, and its reply is sent later with sendto() from this same socket.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/udp.hpp>

#include "cidns/net/peer.hpp"

namespace cidns::net::detail {

class worker;
struct reply_route;

class udp_receiver {
 public:
  udp_receiver(boost::asio::ip::udp::socket socket, worker& owner);
  ~udp_receiver();
  void start();
  void close();

  // A reply from the asynchronous handler (reply_sink::send), on the owner's thread.
  void send_later(const peer_info& to, std::string_view bytes);

 private:
  void wait();
  void drain();
  // One recvmmsg into the batch buffers: the number received, 0 when none (or an error).
  int receive_batch();
  void drain_async();
  void send_replies(unsigned count);

  boost::asio::ip::udp::socket m_socket;
  worker& m_owner;
  std::size_t m_batch;
  std::size_t m_buffer_size;
  std::vector<std::uint8_t> m_buffers;  // m_batch slots of m_buffer_size
  std::vector<sockaddr_storage> m_peers;
  std::vector<iovec> m_recv_iov;
  std::vector<mmsghdr> m_recv;
  std::vector<std::string> m_replies;
  std::vector<iovec> m_send_iov;
  std::vector<mmsghdr> m_send;
  std::shared_ptr<reply_route> m_route;  // for reply sinks; null with a synchronous handler
  bool m_closed = false;
};

}  // namespace cidns::net::detail
