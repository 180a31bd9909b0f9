// connect_best: resolve an identifier with the stub and connect to its best endpoint.
#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

#include "connect_best.hpp"

namespace cidns::examples {

namespace {

// The addresses of an EP host: the host itself when it is an IP literal, else its ADDR
// records (the EP's port is used either way).
result<std::vector<boost::asio::ip::address>> addresses_of(const stub::resolver& stub,
                                                           const std::string& host) {
  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) return std::vector{literal};
  auto name = name::identifier::parse(host);
  if (!name) return make_error(fmt::format("host {}: {}", host, name.err().message));
  auto got = stub.lookup(*name, record::rtype::addr);
  if (!got) return make_error(fmt::format("ADDR of {}: {}", host, got.err().message));
  std::vector<boost::asio::ip::address> out;
  for (const auto& r : got->reply.answer) {
    if (r.type != record::rtype::addr || r.owner != *name) continue;
    auto a = record::addr::decode(r.data);
    if (!a) continue;
    auto ip = boost::asio::ip::make_address(a->address_text(), ec);
    if (!ec) out.push_back(ip);
  }
  if (out.empty())
    return make_error(fmt::format("ADDR of {}: {}", host, stub::outcome_name(got->kind)));
  return out;
}

}  // namespace

result<connection> connect_best(const stub::resolver& stub, const name::identifier& id,
                                std::chrono::milliseconds connect_timeout,
                                const std::function<void(const std::string&)>& log) {
  const auto say = [&](const std::string& line) {
    if (log) log(line);
  };
  auto res = stub.resolve(id);
  if (!res) return make_error(fmt::format("{}: {}", id.text(), res.err().message));
  if (res->kind != stub::outcome::answer)
    return make_error(fmt::format("{}: {}", id.text(), stub::outcome_name(res->kind)));
  if (res->endpoints.empty()) return make_error(fmt::format("{}: no endpoints", id.text()));
  std::string last = "no endpoint tried";
  for (const auto& ep : res->endpoints) {
    if (ep.port == 0 || ep.port > 65535) continue;
    auto addrs = addresses_of(stub, ep.host);
    if (!addrs) {
      last = addrs.err().message;
      say(last);
      continue;
    }
    for (const auto& ip : *addrs) {
      const net::endpoint to{ip, static_cast<std::uint16_t>(ep.port)};
      say(fmt::format("trying {} (EP {} {} {} {})", to.to_string(), ep.priority, ep.weight, ep.host,
                      ep.port));
      auto sock = net::tcp_client::connect(to, connect_timeout);
      if (sock) return connection{ep, to, std::move(*sock)};
      last = fmt::format("{}: {}", to.to_string(), sock.err().message);
      say(last);
    }
  }
  return make_error(fmt::format("{}: no endpoint reachable (last: {})", id.text(), last));
}

}  // namespace cidns::examples
