// Internal: one thread's UDP socket for one listen address. Waits for readability, drains the
// socket with recvmmsg, calls the handler per datagram and sends the replies with sendmmsg,
// all from buffers allocated once.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/udp.hpp>

namespace cidns::net::detail {

class worker;

class udp_receiver {
 public:
  udp_receiver(boost::asio::ip::udp::socket socket, worker& owner);
  void start();
  void close();

 private:
  void wait();
  void drain();
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
  bool m_closed = false;
};

}  // namespace cidns::net::detail
