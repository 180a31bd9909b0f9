// zone::rrset: records and SIGs in one buffer, each body a Record as a reply carries it.
#include "cidns/zone/rrset.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cidns/wire/message.hpp"

namespace cidns::zone {
namespace {

using record::rtype;

std::string body_of(std::string_view owner, rtype t, std::uint32_t ttl, std::string_view data) {
  std::string out;
  wire::encode_record_body(owner, t, ttl, data, out);
  return out;
}

rrset txt_set() {
  rrset s;
  s.type = rtype::txt;
  s.ttl = 300;
  return s;
}

TEST(Rrset, RecordsKeepTheirBodiesAndDataInOrder) {
  rrset s = txt_set();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.front_data(), "");
  const std::vector<std::string> data{"one", std::string(300, 'x'), ""};
  for (const auto& d : data) s.add("a.example.", d);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.front_data(), "one");
  std::size_t i = 0;
  for (const rrset::entry e : s.records()) {
    EXPECT_EQ(e.data, data[i]);
    EXPECT_EQ(e.ttl, 300u);
    EXPECT_EQ(e.body, body_of("a.example.", rtype::txt, 300, data[i]));
    ++i;
  }
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(s.datas(), data);
  EXPECT_EQ(s.sig_count(), 0u);
  EXPECT_EQ(s.sigs().begin(), s.sigs().end());
}

TEST(Rrset, SigsFollowTheRecordsWithTheirOwnTtls) {
  rrset s = txt_set();
  s.add("a.example.", "r1");
  s.add_sig("a.example.", "sig-one", 300);
  s.add_sig("a.example.", "sig-two", 60);
  // A record added after the SIGs goes before them.
  s.add("a.example.", "r2");
  EXPECT_EQ(s.datas(), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(s.sig_datas(), (std::vector<std::string>{"sig-one", "sig-two"}));
  EXPECT_EQ(s.sig_ttls(), (std::vector<std::uint32_t>{300, 60}));
  auto it = s.sigs().begin();
  EXPECT_EQ((*it).body, body_of("a.example.", rtype::sig, 300, "sig-one"));
  ++it;
  EXPECT_EQ((*it).body, body_of("a.example.", rtype::sig, 60, "sig-two"));
  EXPECT_EQ(++it, s.sigs().end());

  s.clear_sigs();
  EXPECT_EQ(s.sig_count(), 0u);
  EXPECT_TRUE(s.sig_datas().empty());
  EXPECT_EQ(s.datas(), (std::vector<std::string>{"r1", "r2"}));
  s.shrink();
  EXPECT_EQ(s.front_data(), "r1");
}

TEST(Rrset, SameRecordsComparesBytesTtlsIncluded) {
  rrset a = txt_set();
  rrset b = txt_set();
  a.add("a.example.", "x");
  b.add("a.example.", "x");
  EXPECT_TRUE(a.same_records(b));
  a.add_sig("a.example.", "s", 300);
  EXPECT_FALSE(a.same_records(b));
  b.add_sig("a.example.", "s", 299);
  EXPECT_FALSE(a.same_records(b));
  rrset c = b;  // copies are independent
  c.clear_sigs();
  EXPECT_EQ(b.sig_count(), 1u);
  EXPECT_EQ(c.sig_count(), 0u);
}

TEST(Rrset, LinksAreAbsentUntilSet) {
  rrset s = txt_set();
  EXPECT_TRUE(s.glue().empty());
  EXPECT_EQ(s.target(), "");
  auto l = std::make_shared<rrset::links>();
  l->target = "b.example.";
  s.set_links(l);
  EXPECT_EQ(s.target(), "b.example.");
  s.set_links(nullptr);
  EXPECT_EQ(s.target(), "");
}

}  // namespace
}  // namespace cidns::zone
