// The interop cases built with libprotobuf: what golden_gen writes to
// tests/interop/golden/ and what the tests compare our codec against.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cidns.pb.h"
#include "interop_util.hpp"

namespace cidns::interop {

namespace pb = ::cidns::v1;

inline std::string bytes_of(std::size_t n, unsigned char first) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(first + i));
  return s;
}

// Record data values (same values as the cidns structs in record_interop_test.cpp).
inline pb::Desc pb_desc() {
  pb::Desc d;
  d.set_kind(pb::KIND_GPU);
  d.set_accel_vendor("nvidia");
  d.set_accel_model("nvidia-h100-sxm5");
  d.set_accel_family("h100");
  d.set_accel_count(8);
  d.set_accel_mem(81920);
  d.set_accel_tflops16(989);
  d.set_accel_link("nvlink4");
  d.set_vcpu(192);
  d.set_mem(2097152);
  d.set_disk(30720);
  d.set_net_fabric("ib-ndr");
  d.set_net_gbps(3200);
  d.set_max_nodes(0);  // present with its default value: must still be written
  d.set_region("cn-north.beijing");
  d.set_site("Beijing DC 3");
  d.add_frameworks("pytorch:2.4");
  d.add_frameworks("mindspore:2.3");
  d.set_sched(pb::SCHED_K8S);
  d.set_price(2500);
  d.set_price_currency("CNY");
  d.set_price_unit(pb::PRICE_UNIT_ACCEL_HOUR);
  d.set_sla_avail(999500);
  d.set_energy_pue(1250);
  d.set_energy_green(600000);
  d.add_mandatory("accel.model");
  (*d.mutable_extensions())["x-rack"] = "r17";
  (*d.mutable_extensions())["x-aisle"] = "3";  // sorts before x-rack
  return d;
}

inline pb::State pb_state() {
  pb::State s;
  s.set_free(3);
  s.set_score(8);
  s.set_updated(1795600800);  // 2026-11-25T10:00:00Z
  s.set_source(pb::SOURCE_MEASURED);
  s.set_spot(1900);
  s.set_spot_currency("CNY");
  return s;
}

inline pb::Ep pb_ep() {
  pb::Ep e;
  e.set_priority(10);
  e.set_weight(1);
  e.set_protocol(pb::PROTOCOL_GRPC);
  e.set_host("gw1.provx.example");
  e.set_port(443);
  e.set_path("/v1");
  e.add_alpn("h2");
  e.add_alpn("http/1.1");
  e.set_auth(pb::EP_AUTH_MTLS);
  return e;
}

inline pb::Soa pb_soa() {
  pb::Soa s;
  s.set_primary("ns1.provx.cn-north.");
  s.set_admin("hostmaster.provx.cn-north.");
  s.set_serial(2026112501);
  s.set_refresh(3600);
  s.set_retry(600);
  s.set_expire(1209600);
  s.set_negative_ttl(300);
  return s;
}

inline pb::Ns pb_ns() {
  pb::Ns n;
  n.set_server("ns1.provx.cn-north.");
  return n;
}

inline pb::Addr pb_addr() {
  pb::Addr a;
  a.set_address(std::string("\x7f\x00\x00\x15", 4));
  a.set_port(5381);
  return a;
}

inline pb::Addr pb_addr6() {  // port absent: 5380
  pb::Addr a;
  a.set_address(std::string(15, '\0') + "\x01");
  return a;
}

inline pb::Cname pb_cname() {
  pb::Cname c;
  c.set_target("h100-8x.pool1.provx.cn-north.");
  return c;
}

inline pb::Txt pb_txt() {
  pb::Txt t;
  t.add_text("free text; \"quoted\"");
  t.add_text("");
  t.add_text("third");
  return t;
}

inline pb::Key pb_key() {
  pb::Key k;
  k.set_flags(pb::KEY_FLAG_ZONE | pb::KEY_FLAG_SEP);
  k.set_algorithm(pb::ALGORITHM_ED25519);
  k.set_public_key(bytes_of(32, 0x10));
  return k;
}

inline pb::Ds pb_ds() {
  pb::Ds d;
  d.set_key_tag(12345);
  d.set_algorithm(pb::ALGORITHM_ED25519);
  d.set_digest_type(pb::DIGEST_SHA256);
  d.set_digest(bytes_of(32, 0xa0));
  return d;
}

inline pb::Sig pb_sig(bool with_signature = true) {
  pb::Sig s;
  s.set_type_covered(pb::TYPE_DESC);
  s.set_algorithm(pb::ALGORITHM_ED25519);
  s.set_labels(4);
  s.set_original_ttl(3600);
  s.set_expiration(1798156800);
  s.set_inception(1795564800);
  s.set_key_tag(12345);
  s.set_signer("provx.cn-north.");
  if (with_signature) s.set_signature(bytes_of(64, 0x40));
  return s;
}

inline pb::Nsec pb_nsec() {
  pb::Nsec n;
  n.set_next("best.provx.cn-north.");
  for (auto t : {pb::TYPE_DESC, pb::TYPE_STATE, pb::TYPE_EP, pb::TYPE_SIG, pb::TYPE_NSEC}) {
    n.add_types(t);
  }
  n.add_types(static_cast<pb::RecordType>(300));  // unknown types travel too (2-byte varint)
  return n;
}

inline pb::SignedData pb_signed_data() {
  pb::SignedData s;
  s.set_sig(serialize(pb_sig(false)));
  auto* r = s.add_records();
  r->set_name("h100-8x.pool1.provx.cn-north.");
  r->set_type(pb::TYPE_DESC);
  r->set_ttl(3600);
  r->set_data(serialize(pb_desc()));
  return s;
}

// Messages.
inline pb::Message pb_query() {
  pb::Message m;
  m.set_id(0x12345678);
  m.set_flags(pb::FLAG_RD | pb::FLAG_DO);
  m.mutable_question()->set_name("h100-8x.pool1.provx.cn-north.");
  m.mutable_question()->set_type(pb::TYPE_RESOURCE);
  m.set_max_size(1232);
  m.set_cookie(bytes_of(8, 0xc0));
  return m;
}

inline void pb_add(pb::Record* r, const std::string& name, pb::RecordType type, std::uint32_t ttl,
                   const std::string& data) {
  r->set_name(name);
  r->set_type(type);
  r->set_ttl(ttl);
  r->set_data(data);
}

inline pb::Message pb_reply() {
  pb::Message m;
  m.set_id(0xfedcba98);
  m.set_flags(pb::FLAG_QR | pb::FLAG_AA | pb::FLAG_RD | pb::FLAG_DO);
  m.mutable_question()->set_name("h100-8x.pool1.provx.cn-north.");
  m.mutable_question()->set_type(pb::TYPE_RESOURCE);
  const std::string owner = "h100-8x.pool1.provx.cn-north.";
  pb_add(m.add_answer(), owner, pb::TYPE_DESC, 86400, serialize(pb_desc()));
  pb_add(m.add_answer(), owner, pb::TYPE_STATE, 30, serialize(pb_state()));
  pb_add(m.add_answer(), owner, pb::TYPE_EP, 3600, serialize(pb_ep()));
  pb_add(m.add_answer(), owner, pb::TYPE_SIG, 86400, serialize(pb_sig()));
  pb_add(m.add_authority(), "provx.cn-north.", pb::TYPE_NS, 3600, serialize(pb_ns()));
  pb_add(m.add_additional(), "ns1.provx.cn-north.", pb::TYPE_ADDR, 3600, serialize(pb_addr()));
  pb_add(m.add_additional(), "x.provx.cn-north.", static_cast<pb::RecordType>(4000), 0,
         std::string("\xff\x00opaque", 8));
  m.set_max_size(4096);
  m.set_cookie(bytes_of(24, 0xc0));
  return m;
}

// Every Message field, unusual values included.
inline pb::Message pb_full() {
  pb::Message m;
  m.set_id(0xffffffff);
  m.set_opcode(pb::OPCODE_UPDATE);
  m.set_flags(0xffffffff);
  m.set_rcode(pb::RCODE_BADCOOKIE);
  m.mutable_question()->set_name("provx.cn-north.");
  m.mutable_question()->set_type(pb::TYPE_SOA);
  pb_add(m.add_answer(), ".", pb::TYPE_KEY, 2147483647, serialize(pb_key()));
  pb_add(m.add_authority(), "child.provx.cn-north.", pb::TYPE_DS, 1, serialize(pb_ds()));
  pb_add(m.add_additional(), "*.spot.provx.cn-north.", pb::TYPE_NSEC, 300, serialize(pb_nsec()));
  m.set_max_size(65535);
  m.set_cookie(bytes_of(40, 0x01));
  m.set_selector(
      "kind=gpu accel.count>=8 region=cn-north* frameworks~pytorch price<=3CNY "
      "order=price limit=10 site=\"北京\"");
  m.mutable_auth()->set_key("update-key.provx.cn-north.");
  m.mutable_auth()->set_time(1795600800);
  m.mutable_auth()->set_fudge(300);
  m.mutable_auth()->set_mac(bytes_of(32, 0x80));
  m.mutable_error()->set_code(pb::ERROR_DS_DIGEST_MISMATCH);
  m.mutable_error()->set_text("DS digest mismatch");
  return m;
}

inline void pb_prerequisite(pb::Message& m, pb::PrerequisiteKind kind, const std::string& name,
                            pb::RecordType type, const std::string& data = {}) {
  auto* p = m.add_prerequisites();
  p->set_kind(kind);
  pb_add(p->mutable_record(), name, type, 0, data);
}

inline void pb_change(pb::Message& m, pb::ChangeKind kind, const std::string& name,
                      pb::RecordType type, std::uint32_t ttl = 0, const std::string& data = {}) {
  auto* c = m.add_changes();
  c->set_kind(kind);
  pb_add(c->mutable_record(), name, type, ttl, data);
}

// A signed UPDATE request with every prerequisite and change kind (types 0 where the kind
// takes none), and the reply's new rcodes elsewhere (message_update_reply).
inline pb::Message pb_update() {
  pb::Message m;
  m.set_id(0x0badcafe);
  m.set_opcode(pb::OPCODE_UPDATE);
  m.mutable_question()->set_name("provx.cn-north.");
  m.mutable_question()->set_type(pb::TYPE_SOA);
  const std::string gpu = "h100-8x.pool1.provx.cn-north.";
  pb_prerequisite(m, pb::PREREQ_RRSET_EXISTS, gpu, pb::TYPE_DESC);
  pb_prerequisite(m, pb::PREREQ_RRSET_EQUALS, gpu, pb::TYPE_STATE, serialize(pb_state()));
  pb_prerequisite(m, pb::PREREQ_RRSET_ABSENT, gpu, pb::TYPE_CNAME);
  pb_prerequisite(m, pb::PREREQ_NAME_IN_USE, "provx.cn-north.", pb::TYPE_UNSPECIFIED);
  pb_prerequisite(m, pb::PREREQ_NAME_ABSENT, "new.provx.cn-north.", pb::TYPE_UNSPECIFIED);
  pb_change(m, pb::CHANGE_ADD, gpu, pb::TYPE_EP, 3600, serialize(pb_ep()));
  pb_change(m, pb::CHANGE_DELETE_RECORD, gpu, pb::TYPE_STATE, 0, serialize(pb_state()));
  pb_change(m, pb::CHANGE_DELETE_RRSET, gpu, static_cast<pb::RecordType>(4000));
  pb_change(m, pb::CHANGE_DELETE_NAME, "old.provx.cn-north.", pb::TYPE_UNSPECIFIED);
  m.mutable_auth()->set_key("update-key.provx.cn-north.");
  m.mutable_auth()->set_time(1795600800);
  m.mutable_auth()->set_fudge(300);
  m.mutable_auth()->set_mac(bytes_of(32, 0x80));
  return m;
}

// Its reply when a prerequisite failed: NXRRSET, the zone's SOA, an ExtendedError.
inline pb::Message pb_update_reply() {
  pb::Message m;
  m.set_id(0x0badcafe);
  m.set_opcode(pb::OPCODE_UPDATE);
  m.set_flags(pb::FLAG_QR | pb::FLAG_AA);
  m.set_rcode(pb::RCODE_NXRRSET);
  m.mutable_question()->set_name("provx.cn-north.");
  m.mutable_question()->set_type(pb::TYPE_SOA);
  pb_add(m.add_answer(), "provx.cn-north.", pb::TYPE_SOA, 3600, serialize(pb_soa()));
  m.mutable_auth()->set_key("update-key.provx.cn-north.");
  m.mutable_auth()->set_time(1795600801);
  m.mutable_auth()->set_fudge(300);
  m.mutable_auth()->set_mac(bytes_of(32, 0x90));
  m.mutable_error()->set_code(pb::ERROR_OTHER);
  m.mutable_error()->set_text("prerequisite 2 failed: h100-8x.pool1.provx.cn-north. STATE differs");
  return m;
}

// name -> libprotobuf's deterministic bytes; golden_gen writes these.
inline std::vector<std::pair<std::string, std::function<std::string()>>> golden_cases() {
  return {
      {"message_query", [] { return serialize(pb_query()); }},
      {"message_reply", [] { return serialize(pb_reply()); }},
      {"message_full", [] { return serialize(pb_full()); }},
      {"message_update", [] { return serialize(pb_update()); }},
      {"message_update_reply", [] { return serialize(pb_update_reply()); }},
      {"soa", [] { return serialize(pb_soa()); }},
      {"ns", [] { return serialize(pb_ns()); }},
      {"addr", [] { return serialize(pb_addr()); }},
      {"addr6", [] { return serialize(pb_addr6()); }},
      {"cname", [] { return serialize(pb_cname()); }},
      {"txt", [] { return serialize(pb_txt()); }},
      {"desc", [] { return serialize(pb_desc()); }},
      {"state", [] { return serialize(pb_state()); }},
      {"ep", [] { return serialize(pb_ep()); }},
      {"key", [] { return serialize(pb_key()); }},
      {"ds", [] { return serialize(pb_ds()); }},
      {"sig", [] { return serialize(pb_sig()); }},
      {"sig_unsigned", [] { return serialize(pb_sig(false)); }},
      {"nsec", [] { return serialize(pb_nsec()); }},
      {"signed_data", [] { return serialize(pb_signed_data()); }},
  };
}

}  // namespace cidns::interop
