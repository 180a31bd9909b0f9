// Wire codec throughput: encode and decode of a typical RESOURCE reply (DESC +
// STATE + EP answers, NS authority, ADDR additional), the reply builder, and
// decode of a typical query. Messages/s in items_per_second, plus bytes/s.
//
// The *Pz benchmarks write the same bytes with protozero's basic_pbf_writer
// (nested messages through sub-writers, which reserve the length and move the
// body), in the same run, to weigh the hand-rolled writer of lib/wire against
// it (issue 9 point 10). Arg 0: the unsigned reply; arg 1: the same reply
// signed (a SIG after every set), as a DNSSEC zone serves it. Every *Pz
// benchmark first checks that its bytes equal the cidns writer's.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include <protozero/pbf_writer.hpp>

#include "cidns/wire/fields.hpp"
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

// A SIG record's data: the Sig message with an Ed25519 signature (64 bytes).
std::string sig_data(record::rtype covered) {
  std::string s;
  protozero::pbf_writer w(s);
  w.add_enum(1, static_cast<std::int32_t>(covered));
  w.add_enum(2, 15);  // ed25519
  w.add_uint32(3, 4);
  w.add_uint32(4, 3600);
  w.add_uint64(5, 1798761600);
  w.add_uint64(6, 1796169600);
  w.add_uint32(7, 40312);
  w.add_string(8, "provx.cn-north.");
  w.add_bytes(9, std::string(64, '\x5a'));
  return s;
}

// typical_reply() with a SIG after every set (arg 1 of the comparisons).
wire::message reply_for(std::int64_t arg) {
  wire::message m = typical_reply();
  if (arg == 0) return m;
  auto sign = [](std::vector<record::rr>& rrs) {
    std::vector<record::rr> out;
    for (auto& r : rrs) {
      record::rr sig{r.owner, record::rtype::sig, r.ttl, sig_data(r.type)};
      out.push_back(std::move(r));
      out.push_back(std::move(sig));
    }
    rrs = std::move(out);
  };
  sign(m.answer);
  sign(m.authority);
  sign(m.additional);
  return m;
}

// ---- the same encoding with protozero's writer ----

using pz_writer = protozero::basic_pbf_writer<std::string>;

template <typename Field>
constexpr protozero::pbf_tag_type tag(Field f) noexcept {
  return static_cast<protozero::pbf_tag_type>(f);
}

void pz_uint(pz_writer& w, protozero::pbf_tag_type t, std::uint64_t v) {
  if (v != 0) w.add_uint64(t, v);
}
void pz_enum(pz_writer& w, protozero::pbf_tag_type t, std::int32_t v) {
  if (v != 0) w.add_enum(t, v);
}
void pz_bytes(pz_writer& w, protozero::pbf_tag_type t, std::string_view v) {
  if (!v.empty()) w.add_bytes(t, v.data(), v.size());
}

void pz_record_body(pz_writer& w, std::string_view name, record::rtype type, std::uint32_t ttl,
                    std::string_view data) {
  pz_bytes(w, tag(wire::record_field::name), name);
  pz_uint(w, tag(wire::record_field::type), static_cast<std::uint16_t>(type));
  pz_uint(w, tag(wire::record_field::ttl), ttl);
  pz_bytes(w, tag(wire::record_field::data), data);
}

void pz_records(pz_writer& w, wire::message_field f, const std::vector<record::rr>& rrs) {
  for (const auto& r : rrs) {
    pz_writer sub(w, tag(f));
    pz_record_body(sub, r.owner.text(), r.type, r.ttl, r.data);
  }
}

// What wire::encode() writes, for the fields of the benchmark's messages.
void pz_encode(const wire::message& m, std::string& out) {
  pz_writer w(out);
  if (m.id != 0) w.add_fixed32(tag(wire::message_field::id), m.id);
  pz_enum(w, tag(wire::message_field::opcode), static_cast<std::int32_t>(m.opcode));
  pz_uint(w, tag(wire::message_field::flags), m.flags);
  pz_enum(w, tag(wire::message_field::rcode), static_cast<std::int32_t>(m.rcode));
  if (m.question) {
    pz_writer q(w, tag(wire::message_field::question));
    pz_record_body(q, m.question->name.text(), m.question->type, 0, {});
  }
  pz_records(w, wire::message_field::answer, m.answer);
  pz_records(w, wire::message_field::authority, m.authority);
  pz_records(w, wire::message_field::additional, m.additional);
  pz_uint(w, tag(wire::message_field::max_size), m.max_size);
  pz_bytes(w, tag(wire::message_field::cookie), m.cookie);
}

// reply_builder's hot path written with protozero, doing the same work:
// framed records per section (add_message of the pre-encoded body) with the
// end offset of each (for cutting), the question and cookie copied; finish()
// writes the head (question through a sub-writer) and the tail, and checks the
// size against the limit before copying the sections. Only the uncut path is
// measured (a reply over the limit would have its head written again with TC).
class pz_reply_builder {
 public:
  void start(const wire::message& m) {
    m_id = m.id;
    m_opcode = m.opcode;
    m_flags = m.flags;
    m_rcode = m.rcode;
    m_max_size = m.max_size;
    m_cookie.assign(m.cookie);
    for (auto& s : m_sections) {
      s.bytes.clear();
      s.ends.clear();
    }
    m_out.clear();
  }
  void set_question(std::string_view name, record::rtype type) {
    m_qname.assign(name);
    m_qtype = type;
  }
  void add_encoded(wire::section s, std::string_view body) {
    static constexpr std::array<wire::message_field, 3> fields = {wire::message_field::answer,
                                                                  wire::message_field::authority,
                                                                  wire::message_field::additional};
    auto& p = m_sections[static_cast<std::size_t>(s)];
    if (p.ends.size() >= wire::max_records_per_section) return;
    pz_writer w(p.bytes);
    w.add_message(tag(fields[static_cast<std::size_t>(s)]), body.data(), body.size());
    p.ends.push_back(static_cast<std::uint32_t>(p.bytes.size()));
  }
  std::string_view finish(std::size_t limit) {
    pz_writer w(m_out);
    if (m_id != 0) w.add_fixed32(tag(wire::message_field::id), m_id);
    pz_enum(w, tag(wire::message_field::opcode), static_cast<std::int32_t>(m_opcode));
    pz_uint(w, tag(wire::message_field::flags), m_flags);
    pz_enum(w, tag(wire::message_field::rcode), static_cast<std::int32_t>(m_rcode));
    {
      pz_writer q(w, tag(wire::message_field::question));
      pz_record_body(q, m_qname, m_qtype, 0, {});
    }
    m_tail.clear();
    pz_writer t(m_tail);
    pz_uint(t, tag(wire::message_field::max_size), m_max_size);
    pz_bytes(t, tag(wire::message_field::cookie), m_cookie);
    std::size_t size = m_out.size() + m_tail.size();
    for (const auto& s : m_sections) size += s.bytes.size();
    if (size > limit) return {};  // not exercised here
    for (const auto& s : m_sections) m_out.append(s.bytes);
    m_out.append(m_tail);
    return m_out;
  }

 private:
  struct section_buffer {
    std::string bytes;
    std::vector<std::uint32_t> ends;
  };
  std::uint32_t m_id = 0;
  wire::opcode m_opcode = wire::opcode::query;
  std::uint32_t m_flags = 0;
  wire::rcode m_rcode = wire::rcode::noerror;
  std::uint32_t m_max_size = 0;
  std::string m_cookie;
  std::string m_qname;
  record::rtype m_qtype = record::rtype::none;
  std::array<section_buffer, 3> m_sections;
  std::string m_out;
  std::string m_tail;
};

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

void BM_EncodeReplyCmp(benchmark::State& state) {
  const wire::message m = reply_for(state.range(0));
  std::string out;
  for (auto _ : state) {
    out.clear();
    wire::encode(m, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeReplyCmp)->Arg(0)->Arg(1);

void BM_EncodeReplyPz(benchmark::State& state) {
  const wire::message m = reply_for(state.range(0));
  std::string out;
  pz_encode(m, out);
  if (out != wire::encode(m)) state.SkipWithError("protozero bytes differ from encode()'s");
  for (auto _ : state) {
    out.clear();
    pz_encode(m, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeReplyPz)->Arg(0)->Arg(1);

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

std::vector<std::pair<wire::section, std::string>> record_bodies(const wire::message& m) {
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
  return bodies;
}

std::string_view build_cidns(wire::reply_builder& b, const wire::message& m,
                             const std::vector<std::pair<wire::section, std::string>>& bodies) {
  b.start(m.id, m.opcode, m.flags, m.rcode);
  b.set_question(owner, record::rtype::resource);
  for (const auto& [s, body] : bodies) b.add_encoded(s, body);
  b.set_max_size(m.max_size);
  b.set_cookie(m.cookie);
  return b.finish(wire::max_message_size);
}

std::string_view build_pz(pz_reply_builder& b, const wire::message& m,
                          const std::vector<std::pair<wire::section, std::string>>& bodies) {
  b.start(m);
  b.set_question(owner, record::rtype::resource);
  for (const auto& [s, body] : bodies) b.add_encoded(s, body);
  return b.finish(wire::max_message_size);
}

void BM_BuildReplyCmp(benchmark::State& state) {
  const wire::message m = reply_for(state.range(0));
  const auto bodies = record_bodies(m);
  wire::reply_builder b;
  std::size_t size = 0;
  for (auto _ : state) {
    auto out = build_cidns(b, m, bodies);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, size);
}
BENCHMARK(BM_BuildReplyCmp)->Arg(0)->Arg(1);

void BM_BuildReplyPz(benchmark::State& state) {
  const wire::message m = reply_for(state.range(0));
  const auto bodies = record_bodies(m);
  pz_reply_builder b;
  wire::reply_builder ref;
  if (build_pz(b, m, bodies) != build_cidns(ref, m, bodies) ||
      build_cidns(ref, m, bodies) != wire::encode(m)) {
    state.SkipWithError("protozero bytes differ from reply_builder's");
  }
  std::size_t size = 0;
  for (auto _ : state) {
    auto out = build_pz(b, m, bodies);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, size);
}
BENCHMARK(BM_BuildReplyPz)->Arg(0)->Arg(1);

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
