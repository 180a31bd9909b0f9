// Wire codec throughput: encode and decode of a typical RESOURCE reply (DESC +
// STATE + EP answers, NS authority, ADDR additional), the reply builder, and
// decode of a typical query. Messages/s in items_per_second, plus bytes/s.
#include <benchmark/benchmark.h>

#include <string>

#include <protozero/pbf_writer.hpp>

#include "cidns/wire/message.hpp"
#include "cidns/wire/reply_builder.hpp"

namespace {

using namespace cidns;

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

// Realistic record data bytes, written directly (the codec treats them as opaque).
std::string desc_data() {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_enum(1, 1);  // kind gpu
  w.add_string(2, "nvidia");
  w.add_string(3, "nvidia-h100-sxm5");
  w.add_string(4, "h100");
  w.add_uint32(5, 8);
  w.add_uint64(6, 81920);
  w.add_string(15, "cn-north.beijing");
  w.add_string(16, "Beijing DC 3");
  w.add_string(17, "pytorch:2.4");
  w.add_string(17, "mindspore:2.3");
  w.add_enum(18, 4);  // k8s
  w.add_uint64(19, 2500);
  w.add_string(20, "CNY");
  w.add_enum(21, 1);  // accel-hour
  {
    protozero::pbf_writer e(w, 26);
    e.add_string(1, "x-rack");
    e.add_string(2, "r17");
  }
  return s;
}

std::string state_data() {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_uint32(1, 3);
  w.add_uint32(2, 8);
  w.add_int64(3, 1795600800);
  w.add_enum(4, 2);
  w.add_uint64(5, 1900);
  w.add_string(6, "CNY");
  return s;
}

std::string ep_data() {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_uint32(1, 10);
  w.add_uint32(2, 1);
  w.add_enum(3, 1);
  w.add_string(4, "gw1.provx.example");
  w.add_uint32(5, 443);
  w.add_string(6, "/v1");
  w.add_string(7, "h2");
  w.add_enum(8, 1);
  return s;
}

std::string ns_data() {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_string(1, "ns1.provx.cn-north.");
  return s;
}

std::string addr_data() {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_bytes(1, std::string("\x7f\x00\x00\x15", 4));
  return s;
}

const char* const owner = "h100-8x.pool1.provx.cn-north.";

wire::message typical_reply() {
  wire::message m;
  m.id = 0x5eed1234;
  m.flags = wire::flag::qr | wire::flag::aa | wire::flag::rd;
  m.question = wire::question{id(owner), record::rtype::resource};
  m.answer.push_back({id(owner), record::rtype::desc, 86400, desc_data()});
  m.answer.push_back({id(owner), record::rtype::state, 30, state_data()});
  m.answer.push_back({id(owner), record::rtype::ep, 3600, ep_data()});
  m.authority.push_back({id("provx.cn-north."), record::rtype::ns, 3600, ns_data()});
  m.additional.push_back({id("ns1.provx.cn-north."), record::rtype::addr, 3600, addr_data()});
  m.max_size = 1232;
  m.cookie = std::string(24, '\x42');
  return m;
}

wire::message typical_query() {
  wire::message m;
  m.id = 0x5eed1234;
  m.flags = wire::flag::rd;
  m.question = wire::question{id(owner), record::rtype::resource};
  m.max_size = 1232;
  m.cookie = std::string(8, '\x42');
  return m;
}

void report(benchmark::State& state, std::size_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void BM_EncodeReply(benchmark::State& state) {
  const wire::message m = typical_reply();
  std::string out;
  for (auto _ : state) {
    out.clear();
    wire::encode(m, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeReply);

void BM_DecodeReply(benchmark::State& state) {
  const std::string bytes = wire::encode(typical_reply());
  wire::message m;
  for (auto _ : state) {
    auto ok = wire::decode(bytes, m);
    if (!ok) state.SkipWithError(ok.err().message.c_str());
    benchmark::DoNotOptimize(m.answer.data());
  }
  report(state, bytes.size());
}
BENCHMARK(BM_DecodeReply);

// The authoritative server's path: pre-encoded record bodies into a reused builder.
void BM_BuildReply(benchmark::State& state) {
  const wire::message m = typical_reply();
  std::vector<std::pair<wire::section, std::string>> bodies;
  auto pre = [&](wire::section s, const std::vector<record::rr>& rrs) {
    for (const auto& r : rrs) {
      std::string b;
      wire::encode_record_body(r.owner.text(), r.type, r.ttl, r.data, b);
      bodies.emplace_back(s, std::move(b));
    }
  };
  pre(wire::section::answer, m.answer);
  pre(wire::section::authority, m.authority);
  pre(wire::section::additional, m.additional);
  wire::reply_builder b;
  std::size_t size = 0;
  for (auto _ : state) {
    b.start(m.id, m.opcode, m.flags, m.rcode);
    b.set_question(owner, record::rtype::resource);
    for (const auto& [s, body] : bodies) b.add_encoded(s, body);
    b.set_cookie(m.cookie);
    auto out = b.finish(1232);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, size);
}
BENCHMARK(BM_BuildReply);

void BM_DecodeQuery(benchmark::State& state) {
  const std::string bytes = wire::encode(typical_query());
  wire::message m;
  for (auto _ : state) {
    auto ok = wire::decode(bytes, m);
    if (!ok) state.SkipWithError(ok.err().message.c_str());
    benchmark::DoNotOptimize(m.question);
  }
  report(state, bytes.size());
}
BENCHMARK(BM_DecodeQuery);

void BM_PeekId(benchmark::State& state) {
  const std::string bytes = wire::encode(typical_query());
  for (auto _ : state) benchmark::DoNotOptimize(wire::peek_id(bytes));
  report(state, bytes.size());
}
BENCHMARK(BM_PeekId);

}  // namespace

BENCHMARK_MAIN();
