// Unit tests for the typed record data: golden bytes (hand-checked against
// cidns.proto), decode(encode(x)) == x, and malformed input as errors.
#include "cidns/record/data.hpp"

#include <gtest/gtest.h>

#include <random>

#include "test_util.hpp"

using namespace cidns::record;
using cidns::name::identifier;
using record_test::bytes;
using record_test::hex;

namespace {

identifier id(std::string_view s) { return *identifier::parse(s); }

template <typename T>
void same_after_round_trip(const T& x) {
  auto d = T::decode(x.encode());
  ASSERT_TRUE(d.ok()) << d.err().message;
  EXPECT_EQ(*d, x);
  EXPECT_EQ(d->encode(), x.encode());
}

}  // namespace

TEST(Data, GoldenBytes) {
  // Ns{server:"a."}: field 1, wire type 2 -> 0a; length 2.
  EXPECT_EQ(hex(ns{id("a.")}.encode()), "0a02612e");
  // Addr: port 5380 omitted; 5381 = 0x1505 -> varint 85 2a under tag 10.
  EXPECT_EQ(hex(addr{std::string("\x7f\x00\x00\x15", 4), 5380}.encode()), "0a047f000015");
  EXPECT_EQ(hex(addr{std::string("\x7f\x00\x00\x15", 4), 5381}.encode()),
            "0a047f000015"
            "10852a");
  // Desc: optional fields written when set, even 0 (kind = 1 -> 08 01, accel_count 0 -> 28 00).
  desc d;
  d.kind = 1;
  d.accel_count = 0;
  EXPECT_EQ(hex(d.encode()), "08012800");
  // map<string,string> extensions = 26: tag (26<<3|2) = 210 -> d2 01; entry {1:"x-a", 2:"b"}.
  desc x;
  x.extensions = {{"x-b", "c"}, {"x-a", "b"}};
  EXPECT_EQ(hex(x.encode()),
            "d201080a03782d61120162"
            "d201080a03782d62120163");
  // Nsec: types packed and sorted: 12 03 01 06 0c.
  nsec n{id("a."), {rtype::nsec, rtype::soa, rtype::desc, rtype::soa}};
  EXPECT_EQ(hex(n.encode()),
            "0a02612e"
            "1203"
            "01060c");
  // Ep: proto3 defaults omitted; port 443 = bb 03.
  ep e{0, 1, 1, "h", 443, "", {}, 0};
  EXPECT_EQ(hex(e.encode()),
            "1001"
            "1801"
            "220168"
            "28bb03");
  // State.updated is int64: negative values are 10-byte varints.
  state s;
  s.updated = -1;
  EXPECT_EQ(hex(s.encode()), "18ffffffffffffffffff01");
  EXPECT_EQ(state::decode(s.encode())->updated, -1);
  // Sig: encode_unsigned() is encode() without field 9.
  sig g{rtype::desc, 1, 4, 3600, 10, 5, 7, id("a."), "\x01\x02"};
  EXPECT_EQ(hex(g.encode()),
            "0806"
            "1001"
            "1804"
            "20901c"
            "280a"
            "3005"
            "3807"
            "4202612e"
            "4a020102");
  EXPECT_EQ(hex(g.encode_unsigned()),
            "0806"
            "1001"
            "1804"
            "20901c"
            "280a"
            "3005"
            "3807"
            "4202612e");
  EXPECT_EQ(hex(txt{{"a", ""}}.encode()),
            "0a0161"
            "0a00");
}

TEST(Data, ParseMatchesTypedEncode) {
  EXPECT_EQ(record_test::wire(rtype::ns, "a."), bytes("0a02612e"));
  EXPECT_EQ(record_test::wire(rtype::nsec, "a. NSEC SOA DESC SOA"), bytes("0a02612e120301060c"));
}

TEST(Data, RoundTripAllTypes) {
  same_after_round_trip(soa{id("ns1.a."), id("admin.a."), 1, 2, 3, 4, 5});
  same_after_round_trip(soa{});
  same_after_round_trip(ns{id("a.b.")});
  same_after_round_trip(cname{id(".")});
  same_after_round_trip(addr{std::string(16, '\0'), 0});
  same_after_round_trip(addr{std::string(4, '\1'), 5380});
  same_after_round_trip(txt{{"x", "", "y z"}});
  desc d;
  d.kind = 0;
  d.accel_vendor = "";
  d.accel_mem = 1ull << 40;
  d.frameworks = {"a", "b"};
  d.mandatory = {"kind"};
  d.price = 0;
  d.price_currency = "CNY";
  d.energy_green = 600000;
  d.extensions = {{"x-a", ""}, {"x-b", "v"}};
  same_after_round_trip(d);
  same_after_round_trip(desc{});
  state s;
  s.free = 0;
  s.score = 10;
  s.updated = 1795600800;
  s.source = 2;
  s.spot = 1900;
  s.spot_currency = "CNY";
  same_after_round_trip(s);
  same_after_round_trip(ep{10, 1, 1, "gw", 443, "/v1", {"h2", "http/1.1"}, 1});
  same_after_round_trip(key{3, 1, std::string(32, 'k')});
  same_after_round_trip(ds{65535, 1, 1, std::string(32, 'd')});
  same_after_round_trip(sig{rtype::desc, 1, 4, 3600, ~0ull, 0, 7, id("a."), std::string(64, 's')});
  same_after_round_trip(nsec{id("a."), {rtype::soa, rtype::nsec, static_cast<rtype>(65535)}});
}

TEST(Data, DecodeErrors) {
  // Truncated: a length beyond the end, a varint cut short.
  EXPECT_FALSE(ns::decode(bytes("0a05612e")).ok());
  EXPECT_FALSE(soa::decode(bytes("18ff")).ok());
  // Wrong wire type for a known field.
  auto w = ns::decode(bytes("0801"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.err().message, "NS server: wrong wire type 0 (expected length-delimited)");
  EXPECT_FALSE(desc::decode(bytes("0a00")).ok());          // kind as bytes
  EXPECT_FALSE(desc::decode(bytes("8d0100000000")).ok());  // site... fixed32 on field 17
  // Unknown fields are skipped.
  auto u =
      ns::decode(bytes("2801"
                       "0a02612e"
                       "7a0100"));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->server.text(), "a.");
  // Names must be valid identifiers; upper case is folded.
  EXPECT_FALSE(ns::decode(bytes("0a03612e2e")).ok());
  EXPECT_FALSE(ns::decode(bytes("")).ok());  // missing server
  EXPECT_EQ(ns::decode(bytes("0a0141"))->server.text(), "a.");
  // Widths: accel_count is 32 bits, type_covered 16 bits.
  EXPECT_FALSE(desc::decode(bytes("288080808010")).ok());
  EXPECT_FALSE(sig::decode(bytes("08808004"
                                 "42012e"))
                   .ok());
  // Addresses are 4 or 16 bytes.
  EXPECT_FALSE(addr::decode(bytes("0a050102030405")).ok());
  // Limits: strings, lists, DESC keys.
  std::string big = "\x0a\xa1\x20" + std::string(4097, 'a');  // 4097 = a1 20
  EXPECT_FALSE(txt::decode(big).ok());
  std::string list;
  for (int i = 0; i < 65; ++i) list += bytes("0a0161");
  EXPECT_FALSE(txt::decode(list).ok());
  EXPECT_TRUE(txt::decode(list.substr(3)).ok());
  desc many;
  for (int i = 0; i < 64; ++i) many.extensions["x-" + std::to_string(i)] = "";
  EXPECT_TRUE(desc::decode(many.encode()).ok());
  many.kind = 1;
  auto m = desc::decode(many.encode());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.err().message, "DESC: 65 keys, at most 64 allowed");
  // Map entry with a bad wire type.
  EXPECT_FALSE(desc::decode(bytes("d201020801")).ok());
  // Packed list with a truncated varint.
  EXPECT_FALSE(nsec::decode(bytes("0a02612e"
                                  "120201ff"))
                   .ok());
  // Unpacked repeated enum is accepted (proto parsers must).
  auto np =
      nsec::decode(bytes("0a02612e"
                         "1001"
                         "100c"));
  ASSERT_TRUE(np.ok());
  EXPECT_EQ(np->types, (std::vector<rtype>{rtype::soa, rtype::nsec}));
  // Map semantics: the last entry of a key wins.
  auto dup =
      desc::decode(bytes("d201080a03782d61120162"
                         "d201080a03782d61120163"));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->extensions.at("x-a"), "c");
}

TEST(Data, GarbageNeverThrows) {
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string b(rng() % 24, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    EXPECT_NO_THROW({
      (void)soa::decode(b);
      (void)addr::decode(b);
      (void)txt::decode(b);
      (void)desc::decode(b);
      (void)state::decode(b);
      (void)ep::decode(b);
      (void)sig::decode(b);
      (void)nsec::decode(b);
    });
    auto d = desc::decode(b);
    if (d) {
      EXPECT_EQ(desc::decode(d->encode()).value(), *d);
    }
  }
}
