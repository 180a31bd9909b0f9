// Internal: one thread's UDP socket for one listen address. Waits for readability, drains the
// socket with recvmmsg, calls the handler per datagram and sends the replies with sendmmsg,
// all from buffers allocated once. With an asynchronous handler, each datagram gets a
// reply_sink instead: a reply sent while the handler runs (a cache hit) joins the batch's
// sendmmsg as in the synchronous path; one sent later leaves with sendto() from this socket.
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
  // Sends the replies queued by send_later() during the current batch (drain_async).
  void flush_pending();

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
  // Asynchronous handler: while drain_async() runs the handler, replies queue in m_replies /
  // m_send (addressed to m_reply_peers) and leave in one sendmmsg after the batch.
  std::vector<sockaddr_storage> m_reply_peers;
  unsigned m_pending = 0;
  bool m_batching = false;
  bool m_closed = false;
};

}  // namespace cidns::net::detail
