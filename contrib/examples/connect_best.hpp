// The logic of the connect_best example: resolve an identifier with the stub and open a TCP
// connection to its best reachable endpoint (EPs by priority, weighted among equals).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "cidns/name/identifier.hpp"
#include "cidns/net/client.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/data.hpp"
#include "cidns/stub/resolver.hpp"
#include "cidns/util/result.hpp"

namespace cidns::examples {

struct connection {
  record::ep endpoint;     // the EP record used
  net::endpoint address;   // where the TCP connection went
  net::tcp_client socket;  // connected
};

// Resolves `id`, then tries its endpoints in order: an EP host that is an IP address is
// used as it is; any other host is looked up (ADDR) through the same stub. Each attempt is
// reported to `log` when given ("trying ...", "... failed: why"). An error says why no
// endpoint could be reached (or why the identifier did not resolve).
result<connection> connect_best(const stub::resolver& stub, const name::identifier& id,
                                std::chrono::milliseconds connect_timeout,
                                const std::function<void(const std::string&)>& log = {});

}  // namespace cidns::examples
