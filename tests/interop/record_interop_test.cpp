// Record data interop: lib/record's typed data (data.hpp) against libprotobuf,
// for every data type: ours parsed by libprotobuf, theirs decoded by ours, and
// both byte for byte equal to the golden files.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "cidns/record/data.hpp"
#include "interop_util.hpp"

namespace cidns::interop {
namespace {

name::identifier id(std::string_view text) { return name::identifier::parse(text).value(); }

record::soa our_soa() {
  record::soa s;
  s.primary = id("ns1.provx.cn-north.");
  s.admin = id("hostmaster.provx.cn-north.");
  s.serial = 2026112501;
  s.refresh = 3600;
  s.retry = 600;
  s.expire = 1209600;
  s.negative_ttl = 300;
  return s;
}

record::addr our_addr() {
  record::addr a;
  a.address = std::string("\x7f\x00\x00\x15", 4);
  a.port = 5381;
  return a;
}

record::desc our_desc() {
  record::desc d;
  d.kind = static_cast<std::uint32_t>(record::kind::gpu);
  d.accel_vendor = "nvidia";
  d.accel_model = "nvidia-h100-sxm5";
  d.accel_family = "h100";
  d.accel_count = 8;
  d.accel_mem = 81920;
  d.accel_tflops16 = 989;
  d.accel_link = "nvlink4";
  d.vcpu = 192;
  d.mem = 2097152;
  d.disk = 30720;
  d.net_fabric = "ib-ndr";
  d.net_gbps = 3200;
  d.max_nodes = 0;
  d.region = "cn-north.beijing";
  d.site = "Beijing DC 3";
  d.frameworks = {"pytorch:2.4", "mindspore:2.3"};
  d.sched = static_cast<std::uint32_t>(record::sched::k8s);
  d.price = 2500;
  d.price_currency = "CNY";
  d.price_unit = static_cast<std::uint32_t>(record::price_unit::accel_hour);
  d.sla_avail = 999500;
  d.energy_pue = 1250;
  d.energy_green = 600000;
  d.mandatory = {"accel.model"};
  d.extensions = {{"x-rack", "r17"}, {"x-aisle", "3"}};
  return d;
}

record::state our_state() {
  record::state s;
  s.free = 3;
  s.score = 8;
  s.updated = 1795600800;
  s.source = static_cast<std::uint32_t>(record::source::measured);
  s.spot = 1900;
  s.spot_currency = "CNY";
  return s;
}

record::ep our_ep() {
  record::ep e;
  e.priority = 10;
  e.weight = 1;
  e.protocol = static_cast<std::uint32_t>(record::protocol::grpc);
  e.host = "gw1.provx.example";
  e.port = 443;
  e.path = "/v1";
  e.alpn = {"h2", "http/1.1"};
  e.auth = static_cast<std::uint32_t>(record::ep_auth::mtls);
  return e;
}

record::key our_key() {
  return record::key{record::key_flag_zone | record::key_flag_sep,
                     static_cast<std::uint32_t>(record::algorithm::ed25519), bytes_of(32, 0x10)};
}

record::ds our_ds() {
  return record::ds{12345, static_cast<std::uint32_t>(record::algorithm::ed25519),
                    static_cast<std::uint32_t>(record::digest_type::sha256), bytes_of(32, 0xa0)};
}

record::sig our_sig() {
  record::sig s;
  s.type_covered = record::rtype::desc;
  s.algorithm = static_cast<std::uint32_t>(record::algorithm::ed25519);
  s.labels = 4;
  s.original_ttl = 3600;
  s.expiration = 1798156800;
  s.inception = 1795564800;
  s.key_tag = 12345;
  s.signer = id("provx.cn-north.");
  s.signature = bytes_of(64, 0x40);
  return s;
}

record::nsec our_nsec() {
  record::nsec n;
  n.next = id("best.provx.cn-north.");
  n.types = {record::rtype::desc, record::rtype::state, record::rtype::ep,
             record::rtype::sig,  record::rtype::nsec,  static_cast<record::rtype>(300)};
  return n;
}

// One data type: golden bytes both ways, libprotobuf parses ours (checked by
// `check`), ours decodes theirs to the same struct.
template <typename Ours, typename Theirs, typename Check>
void check_type(const std::string& golden_name, const Ours& ours, const Theirs& theirs,
                Check check) {
  SCOPED_TRACE(golden_name);
  std::string gold = golden(golden_name);
  EXPECT_EQ(hex(serialize(theirs)), hex(gold)) << "libprotobuf no longer writes the golden bytes";
  std::string encoded = ours.encode();
  EXPECT_EQ(hex(encoded), hex(gold)) << "our encoder differs from libprotobuf";
  Theirs parsed;
  ASSERT_TRUE(parsed.ParseFromString(encoded));
  check(parsed, ours);
  auto decoded = Ours::decode(serialize(theirs));
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  EXPECT_EQ(*decoded, ours);
}

TEST(RecordInterop, Soa) {
  check_type("soa", our_soa(), pb_soa(), [](const pb::Soa& t, const record::soa& o) {
    EXPECT_EQ(t.primary(), o.primary.text());
    EXPECT_EQ(t.admin(), o.admin.text());
    EXPECT_EQ(t.serial(), o.serial);
    EXPECT_EQ(t.refresh(), o.refresh);
    EXPECT_EQ(t.retry(), o.retry);
    EXPECT_EQ(t.expire(), o.expire);
    EXPECT_EQ(t.negative_ttl(), o.negative_ttl);
  });
}

TEST(RecordInterop, Ns) {
  check_type("ns", record::ns{id("ns1.provx.cn-north.")}, pb_ns(),
             [](const pb::Ns& t, const record::ns& o) { EXPECT_EQ(t.server(), o.server.text()); });
}

TEST(RecordInterop, Addr) {
  check_type("addr", our_addr(), pb_addr(), [](const pb::Addr& t, const record::addr& o) {
    EXPECT_EQ(t.address(), o.address);
    EXPECT_EQ(t.port(), o.port);
  });
  // Port absent on the wire means 5380; written back, 5380 is omitted.
  record::addr six;
  six.address = std::string(15, '\0') + "\x01";
  six.port = record::default_port;
  check_type("addr6", six, pb_addr6(), [](const pb::Addr& t, const record::addr& o) {
    EXPECT_EQ(t.address(), o.address);
    EXPECT_EQ(t.port(), 0U);
  });
}

TEST(RecordInterop, Cname) {
  check_type(
      "cname", record::cname{id("h100-8x.pool1.provx.cn-north.")}, pb_cname(),
      [](const pb::Cname& t, const record::cname& o) { EXPECT_EQ(t.target(), o.target.text()); });
}

TEST(RecordInterop, Txt) {
  record::txt ours{{"free text; \"quoted\"", "", "third"}};
  check_type("txt", ours, pb_txt(), [](const pb::Txt& t, const record::txt& o) {
    ASSERT_EQ(static_cast<std::size_t>(t.text_size()), o.text.size());
    for (std::size_t i = 0; i < o.text.size(); ++i)
      EXPECT_EQ(t.text(static_cast<int>(i)), o.text[i]);
  });
}

TEST(RecordInterop, Desc) {
  check_type("desc", our_desc(), pb_desc(), [](const pb::Desc& t, const record::desc& o) {
    EXPECT_EQ(static_cast<std::uint32_t>(t.kind()), o.kind.value());
    EXPECT_EQ(t.accel_vendor(), o.accel_vendor.value());
    EXPECT_EQ(t.accel_model(), o.accel_model.value());
    EXPECT_EQ(t.accel_family(), o.accel_family.value());
    EXPECT_EQ(t.accel_count(), o.accel_count.value());
    EXPECT_EQ(t.accel_mem(), o.accel_mem.value());
    EXPECT_EQ(t.accel_tflops16(), o.accel_tflops16.value());
    EXPECT_EQ(t.accel_link(), o.accel_link.value());
    EXPECT_EQ(t.vcpu(), o.vcpu.value());
    EXPECT_EQ(t.mem(), o.mem.value());
    EXPECT_EQ(t.disk(), o.disk.value());
    EXPECT_EQ(t.net_fabric(), o.net_fabric.value());
    EXPECT_EQ(t.net_gbps(), o.net_gbps.value());
    EXPECT_TRUE(t.has_max_nodes());
    EXPECT_EQ(t.max_nodes(), o.max_nodes.value());
    EXPECT_EQ(t.region(), o.region.value());
    EXPECT_EQ(t.site(), o.site.value());
    ASSERT_EQ(t.frameworks_size(), 2);
    EXPECT_EQ(t.frameworks(0), o.frameworks[0]);
    EXPECT_EQ(t.frameworks(1), o.frameworks[1]);
    EXPECT_EQ(static_cast<std::uint32_t>(t.sched()), o.sched.value());
    EXPECT_EQ(t.price(), o.price.value());
    EXPECT_EQ(t.price_currency(), o.price_currency.value());
    EXPECT_EQ(static_cast<std::uint32_t>(t.price_unit()), o.price_unit.value());
    EXPECT_EQ(t.sla_avail(), o.sla_avail.value());
    EXPECT_EQ(t.energy_pue(), o.energy_pue.value());
    EXPECT_EQ(t.energy_green(), o.energy_green.value());
    ASSERT_EQ(t.mandatory_size(), 1);
    EXPECT_EQ(t.mandatory(0), o.mandatory[0]);
    ASSERT_EQ(t.extensions_size(), 2);
    EXPECT_EQ(t.extensions().at("x-rack"), "r17");
    EXPECT_EQ(t.extensions().at("x-aisle"), "3");
  });
  // Absent optional fields stay absent.
  record::desc empty;
  pb::Desc t;
  ASSERT_TRUE(t.ParseFromString(empty.encode()));
  EXPECT_FALSE(t.has_kind());
  EXPECT_FALSE(t.has_max_nodes());
}

TEST(RecordInterop, State) {
  check_type("state", our_state(), pb_state(), [](const pb::State& t, const record::state& o) {
    EXPECT_EQ(t.free(), o.free.value());
    EXPECT_EQ(t.score(), o.score.value());
    EXPECT_EQ(t.updated(), o.updated.value());
    EXPECT_EQ(static_cast<std::uint32_t>(t.source()), o.source.value());
    EXPECT_EQ(t.spot(), o.spot.value());
    EXPECT_EQ(t.spot_currency(), o.spot_currency.value());
  });
}

TEST(RecordInterop, Ep) {
  check_type("ep", our_ep(), pb_ep(), [](const pb::Ep& t, const record::ep& o) {
    EXPECT_EQ(t.priority(), o.priority);
    EXPECT_EQ(t.weight(), o.weight);
    EXPECT_EQ(static_cast<std::uint32_t>(t.protocol()), o.protocol);
    EXPECT_EQ(t.host(), o.host);
    EXPECT_EQ(t.port(), o.port);
    EXPECT_EQ(t.path(), o.path);
    ASSERT_EQ(t.alpn_size(), 2);
    EXPECT_EQ(t.alpn(0), o.alpn[0]);
    EXPECT_EQ(t.alpn(1), o.alpn[1]);
    EXPECT_EQ(static_cast<std::uint32_t>(t.auth()), o.auth);
  });
}

TEST(RecordInterop, Key) {
  check_type("key", our_key(), pb_key(), [](const pb::Key& t, const record::key& o) {
    EXPECT_EQ(t.flags(), o.flags);
    EXPECT_EQ(static_cast<std::uint32_t>(t.algorithm()), o.algorithm);
    EXPECT_EQ(t.public_key(), o.public_key);
  });
}

TEST(RecordInterop, Ds) {
  check_type("ds", our_ds(), pb_ds(), [](const pb::Ds& t, const record::ds& o) {
    EXPECT_EQ(t.key_tag(), o.key_tag);
    EXPECT_EQ(static_cast<std::uint32_t>(t.algorithm()), o.algorithm);
    EXPECT_EQ(static_cast<std::uint32_t>(t.digest_type()), o.digest_type);
    EXPECT_EQ(t.digest(), o.digest);
  });
}

TEST(RecordInterop, Sig) {
  check_type("sig", our_sig(), pb_sig(), [](const pb::Sig& t, const record::sig& o) {
    EXPECT_EQ(static_cast<int>(t.type_covered()), static_cast<int>(o.type_covered));
    EXPECT_EQ(static_cast<std::uint32_t>(t.algorithm()), o.algorithm);
    EXPECT_EQ(t.labels(), o.labels);
    EXPECT_EQ(t.original_ttl(), o.original_ttl);
    EXPECT_EQ(t.expiration(), o.expiration);
    EXPECT_EQ(t.inception(), o.inception);
    EXPECT_EQ(t.key_tag(), o.key_tag);
    EXPECT_EQ(t.signer(), o.signer.text());
    EXPECT_EQ(t.signature(), o.signature);
  });
  EXPECT_EQ(hex(our_sig().encode_unsigned()), hex(golden("sig_unsigned")));
}

TEST(RecordInterop, Nsec) {
  check_type("nsec", our_nsec(), pb_nsec(), [](const pb::Nsec& t, const record::nsec& o) {
    EXPECT_EQ(t.next(), o.next.text());
    ASSERT_EQ(static_cast<std::size_t>(t.types_size()), o.types.size());
    for (std::size_t i = 0; i < o.types.size(); ++i) {
      EXPECT_EQ(static_cast<int>(t.types(static_cast<int>(i))), static_cast<int>(o.types[i]));
    }
  });
}

TEST(RecordInterop, SignedDataFromTypedValues) {
  // The signer's path: SIG without signature + the RRset's records, via our encoders.
  pb::SignedData theirs;
  ASSERT_TRUE(theirs.ParseFromString(golden("signed_data")));
  EXPECT_EQ(theirs.sig(), our_sig().encode_unsigned());
  ASSERT_EQ(theirs.records_size(), 1);
  EXPECT_EQ(theirs.records(0).data(), our_desc().encode());
}

}  // namespace
}  // namespace cidns::interop
