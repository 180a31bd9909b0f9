// cidns-lookup: ask a server or resolver one question and print the reply as dig does
// (docs/cidns-lookup.md). Exit: 0 an answer, 1 NXDOMAIN or NODATA, 2 failure, 3 a referral.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/net/client.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/util/command_line.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/wire/print.hpp"

namespace {

using namespace cidns;

constexpr int exit_answer = 0;
constexpr int exit_negative = 1;
constexpr int exit_failure = 2;
constexpr int exit_referral = 3;

struct options {
  std::string name;
  std::string type = "RESOURCE";
  std::string server;
  bool norec = false;
  bool tcp = false;
  bool json = false;
  bool dnssec = false;
  int timeout_ms = 2000;
  int attempts = 2;
};

// --server, else CIDNS_RESOLVER (comma-separated), else /etc/cidns/resolv.conf, else 127.0.0.1.
std::vector<std::string> server_list(const options& o) {
  if (!o.server.empty()) return {o.server};
  std::vector<std::string> out;
  if (const char* env = std::getenv("CIDNS_RESOLVER"); env != nullptr && *env != '\0') {
    std::string s(env);
    for (std::size_t start = 0; start <= s.size();) {
      std::size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      if (comma > start) out.push_back(s.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  }
  std::ifstream conf("/etc/cidns/resolv.conf");
  std::string word, value;
  while (conf >> word) {
    if (word == "resolver" && conf >> value) out.push_back(value);
  }
  if (out.empty()) out.push_back("127.0.0.1");
  return out;
}

int classify(const wire::message& reply) {
  if (reply.rcode == wire::rcode::nxdomain) return exit_negative;
  if (reply.rcode != wire::rcode::noerror) return exit_failure;
  if (!reply.answer.empty()) return exit_answer;
  for (const auto& r : reply.authority) {
    if (r.type == record::rtype::soa) return exit_negative;
  }
  for (const auto& r : reply.authority) {
    if (r.type == record::rtype::ns) return exit_referral;
  }
  return exit_negative;
}

struct exchange_result {
  wire::message reply;
  std::size_t size = 0;
  bool tcp = false;
  bool retried_after_tc = false;
  double ms = 0;
};

result<wire::message> decode_matching(const std::string& bytes, const wire::message& query) {
  auto reply = wire::decode(bytes);
  if (!reply) return make_error("malformed reply: " + reply.err().message);
  if (reply->id != query.id) return make_error("reply id does not match the query");
  if (!reply->has_flag(wire::flag::qr)) return make_error("reply is not flagged as a reply");
  if (reply->question && reply->question != query.question) {
    return make_error("reply is for another question");
  }
  return reply;
}

result<exchange_result> ask(const net::endpoint& server, const wire::message& query, bool tcp,
                            std::chrono::milliseconds timeout, int attempts) {
  std::string bytes = wire::encode(query);
  std::span<const std::uint8_t> span(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size());
  exchange_result out;
  const auto t0 = std::chrono::steady_clock::now();
  if (!tcp) {
    error last = make_error("no attempt made");
    for (int i = 0; i < attempts; ++i) {
      auto raw = net::udp_exchange(server, span, timeout);
      if (!raw) {
        last = std::move(raw).err();
        continue;
      }
      auto reply = decode_matching(*raw, query);
      if (!reply) {
        last = std::move(reply).err();
        continue;
      }
      if (!reply->has_flag(wire::flag::tc)) {
        out.reply = std::move(*reply);
        out.size = raw->size();
        out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count();
        return out;
      }
      out.retried_after_tc = true;
      break;
    }
    if (!out.retried_after_tc) return last;
  }
  auto raw = net::tcp_exchange(server, span, timeout);
  if (!raw) return std::move(raw).err();
  auto reply = decode_matching(*raw, query);
  if (!reply) return std::move(reply).err();
  out.reply = std::move(*reply);
  out.size = raw->size();
  out.tcp = true;
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

int run(const options& o) {
  // The name: an identifier, or a cid:// URI.
  result<name::identifier> qname = make_error("");
  if (o.name.rfind("cid://", 0) == 0 || o.name.rfind("CID://", 0) == 0) {
    auto uri = name::parse_uri(o.name);
    qname = uri ? result<name::identifier>(uri->id) : result<name::identifier>(uri.err());
  } else {
    qname = name::identifier::parse(o.name);
  }
  if (!qname) {
    std::fprintf(stderr, "cidns-lookup: %s: %s\n", o.name.c_str(), qname.err().message.c_str());
    return exit_failure;
  }
  auto qtype = record::parse_type(o.type);
  if (!qtype || *qtype == record::rtype::none) {
    std::fprintf(stderr, "cidns-lookup: %s: unknown record type\n", o.type.c_str());
    return exit_failure;
  }
  wire::message query;
  query.id = std::random_device{}();
  query.opcode = wire::opcode::query;
  query.set_flag(wire::flag::rd, !o.norec);
  query.set_flag(wire::flag::do_, o.dnssec);
  query.question = wire::question{*qname, *qtype};
  query.max_size = wire::default_udp_size;

  std::string last_error;
  for (const auto& text : server_list(o)) {
    auto server = net::parse_endpoint(text);
    if (!server) {
      std::fprintf(stderr, "cidns-lookup: server %s\n", server.err().message.c_str());
      return exit_failure;
    }
    auto got = ask(*server, query, o.tcp, std::chrono::milliseconds(o.timeout_ms), o.attempts);
    if (!got) {
      last_error = fmt::format("{}: {}", server->to_string(), got.err().message);
      continue;
    }
    int code = classify(got->reply);
    if (o.json) {
      nlohmann::json j = wire::to_json(got->reply);
      j["server"] = server->to_string();
      j["transport"] = got->tcp ? "tcp" : "udp";
      j["size"] = got->size;
      j["time_ms"] = got->ms;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      if (got->retried_after_tc) std::printf(";; truncated over UDP, retried over TCP\n");
      std::printf("%s", wire::format_message(got->reply).c_str());
      std::printf("\n;; SERVER: %s (%s)\n;; Query time: %.1f ms\n;; MSG SIZE rcvd: %zu\n",
                  server->to_string().c_str(), got->tcp ? "tcp" : "udp", got->ms, got->size);
    }
    return code;
  }
  std::fprintf(stderr, "cidns-lookup: no reply: %s\n", last_error.c_str());
  return exit_failure;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"cidns-lookup: query a cidns server or resolver and print the reply"};
  app.add_option("name", o.name, "identifier (or cid:// URI) to look up")->required();
  app.add_option("type", o.type, "record type (default RESOURCE: DESC + STATE + EP)");
  app.add_option("-s,--server", o.server,
                 "ask this server, ADDR[:PORT] (default: CIDNS_RESOLVER, "
                 "/etc/cidns/resolv.conf, else 127.0.0.1:5380)");
  app.add_flag("--norec", o.norec, "clear RD (ask an authoritative server directly)");
  app.add_flag("--tcp", o.tcp, "use TCP from the start");
  app.add_flag("--json", o.json, "print the reply as JSON");
  app.add_flag("--dnssec", o.dnssec, "set DO: ask for signatures and denial proofs");
  app.add_option("--timeout", o.timeout_ms, "milliseconds to wait for each reply (default 2000)")
      ->check(CLI::Range(1, 60000));
  app.add_option("--attempts", o.attempts, "UDP attempts per server (default 2)")
      ->check(CLI::Range(1, 10));
  app.footer(
      "Exit status: 0 an answer, 1 NXDOMAIN or NODATA, 2 failure (SERVFAIL, REFUSED, FORMERR, "
      "timeout, bad input), 3 a referral.");
  if (auto code = cidns::parse_command_line(app, argc, argv)) return *code;
  return run(o);
}
