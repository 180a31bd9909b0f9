// connect_best ID: resolve a compute identifier with the cidns stub and connect over TCP to
// its best endpoint; prints where it connected. Resolvers as for every stub client
// (CIDNS_RESOLVER, /etc/cidns/resolv.conf). Exit 0 connected, 1 not, 2 usage.
#include <cstdio>

#include "connect_best.hpp"

int main(int argc, char** argv) {
  using namespace cidns;
  if (argc != 2) {
    std::fprintf(stderr, "usage: connect_best IDENTIFIER\n");
    return 2;
  }
  auto id = name::identifier::parse(argv[1]);
  if (!id) {
    std::fprintf(stderr, "connect_best: %s: %s\n", argv[1], id.err().message.c_str());
    return 2;
  }
  auto stub = stub::resolver::from_system();
  if (!stub) {
    std::fprintf(stderr, "connect_best: %s\n", stub.err().message.c_str());
    return 2;
  }
  auto conn = examples::connect_best(
      *stub, *id, std::chrono::seconds(3),
      [](const std::string& line) { std::fprintf(stderr, "connect_best: %s\n", line.c_str()); });
  if (!conn) {
    std::fprintf(stderr, "connect_best: %s\n", conn.err().message.c_str());
    return 1;
  }
  std::printf("connected to %s (%s port %u, priority %u)\n", conn->address.to_string().c_str(),
              conn->endpoint.host.c_str(), conn->endpoint.port, conn->endpoint.priority);
  return 0;
}
