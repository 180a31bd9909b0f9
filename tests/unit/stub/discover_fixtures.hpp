// Hand-built DISCOVER replies for the stub's discovery tests and cidns-lookup's output
// tests: resources of the example hierarchy as DESC, STATE and EP records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/record/rr.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::stub::testing {

inline name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

inline record::desc gpu_desc(std::string family, std::uint32_t count, std::uint64_t mem_gib,
                             std::string region, std::uint64_t price_milli) {
  record::desc d;
  d.kind = static_cast<std::uint32_t>(record::kind::gpu);
  d.accel_vendor = "nvidia";
  d.accel_family = std::move(family);
  d.accel_count = count;
  d.accel_mem = mem_gib * 1024;  // MiB
  d.region = std::move(region);
  d.frameworks = {"pytorch:2.4"};
  d.price = price_milli;
  d.price_currency = "CNY";
  d.price_unit = static_cast<std::uint32_t>(record::price_unit::accel_hour);
  return d;
}

inline record::state free_state(std::uint32_t free) {
  record::state s;
  s.free = free;
  s.score = 8;
  return s;
}

inline record::ep grpc_ep(std::uint32_t priority, std::uint32_t weight, std::string host,
                          std::uint32_t port = 443) {
  record::ep e;
  e.priority = priority;
  e.weight = weight;
  e.protocol = static_cast<std::uint32_t>(record::protocol::grpc);
  e.host = std::move(host);
  e.port = port;
  return e;
}

inline record::rr rr_of(std::string_view owner, const record::desc& d) {
  return record::rr{id(owner), record::rtype::desc, 3600, d.encode()};
}
inline record::rr rr_of(std::string_view owner, const record::state& s) {
  return record::rr{id(owner), record::rtype::state, 30, s.encode()};
}
inline record::rr rr_of(std::string_view owner, const record::ep& e) {
  return record::rr{id(owner), record::rtype::ep, 3600, e.encode()};
}
// A SIG over `covered` at `owner` (the signature bytes are not checked by the stub).
inline record::rr sig_rr(std::string_view owner, record::rtype covered, std::string_view signer) {
  record::sig s;
  s.type_covered = covered;
  s.algorithm = static_cast<std::uint32_t>(record::algorithm::ed25519);
  s.labels = static_cast<std::uint32_t>(id(owner).label_count());
  s.original_ttl = 3600;
  s.expiration = 2000000000;
  s.inception = 1700000000;
  s.key_tag = 4711;
  s.signer = id(signer);
  s.signature = std::string(64, 'x');
  return record::rr{id(owner), record::rtype::sig, 3600, s.encode()};
}

inline constexpr std::string_view h100_a = "h100-8x.pool1.provx.cn-north.";
inline constexpr std::string_view h800_b = "h800-8x.bj2.cloudy.cn-north.";

// Two resources, their records interleaved as a merging resolver may send them: h100_a
// first (two endpoints of different priorities, the worse one first), then h800_b.
inline std::vector<record::rr> two_resources(bool with_sigs) {
  std::vector<record::rr> out;
  if (with_sigs) out.push_back(sig_rr(h100_a, record::rtype::desc, "provx.cn-north."));
  out.push_back(rr_of(h100_a, gpu_desc("h100", 8, 80, "cn-north", 2500)));
  out.push_back(rr_of(h800_b, gpu_desc("h800", 8, 80, "cn-north-2", 2800)));
  out.push_back(rr_of(h100_a, free_state(3)));
  out.push_back(rr_of(h100_a, grpc_ep(20, 1, "gw2.provx.example")));
  out.push_back(rr_of(h100_a, grpc_ep(10, 1, "gw1.provx.example")));
  out.push_back(rr_of(h800_b, free_state(1)));
  out.push_back(rr_of(h800_b, grpc_ep(5, 0, "api.cloudy.example", 8443)));
  if (with_sigs) out.push_back(sig_rr(h800_b, record::rtype::desc, "cloudy.cn-north."));
  return out;
}

// The resolver's reply to `q` carrying `answer`.
inline wire::message discover_reply(const wire::message& q, std::vector<record::rr> answer,
                                    wire::rcode rc = wire::rcode::noerror) {
  wire::message r;
  r.id = q.id;
  r.opcode = q.opcode;
  r.flags = wire::flag::qr | wire::flag::ra | (q.flags & wire::flag::rd);
  r.rcode = rc;
  r.question = q.question;
  r.answer = std::move(answer);
  return r;
}

}  // namespace cidns::stub::testing
