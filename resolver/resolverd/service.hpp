// cidns-resolverd's query service: decodes clients' queries, applies the access list, hands
// questions to the resolution engine of the worker thread that received them, and carries out
// what the engine asks (upstream exchanges, timers) on that thread's io_context. One engine per
// worker: no locks on the query path; the LMDB cache is shared by all (and by other processes).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "access_list.hpp"
#include "cidns/net/server.hpp"
#include "cidns/resolve/engine.hpp"
#include "cidns/serve/cookies.hpp"

namespace cidns::resolverd {

// Counters of the service itself (the engine keeps its own).
struct service_counters {
  std::atomic<std::uint64_t> queries{0}, refused{0}, formerr{0}, notimp{0}, answered{0};
  // Messages not answered at all, by reason: undecodable (no readable header), a reply
  // (QR set), an empty datagram.
  std::atomic<std::uint64_t> dropped_undecodable{0}, dropped_reply{0}, dropped_empty{0};
  std::uint64_t dropped() const noexcept {
    return dropped_undecodable.load() + dropped_reply.load() + dropped_empty.load();
  }
};

class service final : public net::async_query_handler {
 public:
  // `cookies` (may be null: cookies ignored) answers client cookies with server cookies, as
  // cidns-authd does (lib/serve); it must outlive the service.
  service(resolve::engine_options options, resolve::cache* store, access_list allow,
          const serve::server_cookies* cookies = nullptr);
  ~service() override;

  // Creates one engine per worker of `transport`, on its io_context. Before transport.start().
  void attach(net::server& transport);

  void handle(std::span<const std::uint8_t> query, const net::peer_info& from, unsigned worker,
              net::reply_sink reply) override;

  // Summed over workers. Each worker copies its engine's counters when it is idle or every
  // second, so this may lag by that much.
  resolve::engine_stats engine_stats() const;
  const service_counters& counters() const { return m_counters; }

  // Cancels upstream exchanges and pending clients (they get no reply). Before transport.join().
  void shutdown();

  struct worker_state;

 private:
  resolve::engine_options m_options;
  resolve::cache* m_store;
  access_list m_allow;
  const serve::server_cookies* m_cookies = nullptr;
  std::vector<std::unique_ptr<worker_state>> m_workers;
  service_counters m_counters;
};

}  // namespace cidns::resolverd
