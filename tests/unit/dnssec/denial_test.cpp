// The validator's view of NSEC proofs (denial.hpp), on hand-made chains.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "cidns/dnssec/denial.hpp"

namespace cidns::dnssec {
namespace {

using record::rtype;

name::identifier id(std::string_view t) { return name::identifier::parse(t).value(); }

nsec_record nsec(std::string_view owner, std::string_view next, std::vector<rtype> types) {
  types.push_back(rtype::sig);
  types.push_back(rtype::nsec);
  std::sort(types.begin(), types.end());
  return nsec_record{id(owner), record::nsec{id(next), types}};
}

// Canonical order: example. -> alias. -> b. -> child. (a cut, no DS) -> a.pool.
// (pool. is an empty non-terminal) -> *.spot. -> back to example.
const std::vector<nsec_record> chain = {
    nsec("example.", "alias.example.", {rtype::soa, rtype::ns, rtype::key}),
    nsec("alias.example.", "b.example.", {rtype::cname}),
    nsec("b.example.", "child.example.", {rtype::desc}),
    nsec("child.example.", "a.pool.example.", {rtype::ns}),
    nsec("a.pool.example.", "*.spot.example.", {rtype::desc, rtype::state}),
    nsec("*.spot.example.", "example.", {rtype::desc}),
};

std::vector<nsec_record> pick(std::initializer_list<std::size_t> which) {
  std::vector<nsec_record> out;
  for (auto i : which) out.push_back(chain[i]);
  return out;
}

TEST(Denial, Covers) {
  EXPECT_TRUE(covers(chain[0], id("ab.example.")));
  EXPECT_FALSE(covers(chain[0], id("example.")));
  EXPECT_FALSE(covers(chain[0], id("alias.example.")));
  EXPECT_TRUE(covers(chain[5], id("zzz.example.")));      // the last NSEC wraps
  EXPECT_TRUE(covers(chain[3], id("x.child.example.")));  // below the cut
  EXPECT_FALSE(covers(chain[5], id("other.")));           // outside the zone
  EXPECT_EQ(closest_encloser(chain[2], id("x.c.example.")).text(), "example.");
  EXPECT_EQ(closest_encloser(chain[1], id("x.alias.example.")).text(), "alias.example.");
  EXPECT_EQ(closest_encloser(chain[5], id("x.spot.example.")).text(), "spot.example.");
}

TEST(Denial, Nxdomain) {
  EXPECT_TRUE(prove_nxdomain(id("c.example."), pick({2, 0})).ok());
  // The NSEC covering *.example. is missing.
  EXPECT_NE(prove_nxdomain(id("c.example."), pick({2})).err().message.find("wildcard"),
            std::string::npos);
  EXPECT_FALSE(prove_nxdomain(id("c.example."), pick({0})).ok());
  // Below an existing name: the wildcard at alias. must be covered (by alias.'s own NSEC).
  EXPECT_TRUE(prove_nxdomain(id("x.alias.example."), pick({1})).ok());
  // An existing name cannot be denied.
  EXPECT_FALSE(prove_nxdomain(id("b.example."), pick({1, 2, 0})).ok());
}

TEST(Denial, Nodata) {
  EXPECT_TRUE(prove_nodata(id("b.example."), rtype::ep, pick({2})).ok());
  EXPECT_FALSE(prove_nodata(id("b.example."), rtype::desc, pick({2})).ok());
  EXPECT_FALSE(prove_nodata(id("alias.example."), rtype::desc, pick({1})).ok());  // a CNAME
  EXPECT_FALSE(prove_nodata(id("a.pool.example."), rtype::resource, pick({0})).ok());
  EXPECT_FALSE(prove_nodata(id("a.pool.example."), rtype::resource, pick({4})).ok());
  EXPECT_TRUE(
      prove_nodata(id("pool.example."), rtype::desc, pick({3})).ok());  // empty non-terminal
  // The parent side of a delegation denies DS only.
  EXPECT_TRUE(prove_nodata(id("child.example."), rtype::ds, pick({3})).ok());
  EXPECT_FALSE(prove_nodata(id("child.example."), rtype::desc, pick({3})).ok());
}

TEST(Denial, WildcardAnswerAndNodata) {
  EXPECT_TRUE(prove_wildcard_answer(id("x.spot.example."), id("*.spot.example."), pick({5})).ok());
  EXPECT_FALSE(prove_wildcard_answer(id("x.spot.example."), id("*.example."), pick({5})).ok());
  EXPECT_FALSE(prove_wildcard_answer(id("x.spot.example."), id("*.spot.example."), pick({4})).ok());
  EXPECT_TRUE(prove_wildcard_nodata(id("x.spot.example."), rtype::ep, pick({5})).ok());
  EXPECT_FALSE(prove_wildcard_nodata(id("x.spot.example."), rtype::desc, pick({5})).ok());
}

TEST(Denial, NoDs) {
  EXPECT_TRUE(prove_no_ds(id("child.example."), pick({3})).ok());
  EXPECT_FALSE(prove_no_ds(id("child.example."), pick({4})).ok());
  EXPECT_FALSE(prove_no_ds(id("example."), pick({0})).ok());  // an apex, not a delegation
  auto with_ds = nsec("child.example.", "a.pool.example.", {rtype::ns, rtype::ds});
  EXPECT_FALSE(prove_no_ds(id("child.example."), std::vector<nsec_record>{with_ds}).ok());
}

}  // namespace
}  // namespace cidns::dnssec
