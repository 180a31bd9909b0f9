// compiled_zone::compile with the version in service: unchanged names keep its nodes, the
// rest are built afresh, and the new version answers as one compiled on its own would.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "cidns/record/data.hpp"
#include "cidns/select/selector.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::zone {
namespace {

std::string file_text(const std::string& relative) {
  std::ifstream in(std::string(CIDNS_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<const compiled_zone> compile_text(const std::string& text,
                                                  const compiled_zone* previous = nullptr) {
  load_options o;
  o.compile = true;
  o.previous = previous;
  auto r = load_text(text, "test.zone", o);
  EXPECT_TRUE(r.ok()) << (r.messages().empty() ? "" : r.messages().front());
  return r.compiled;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

const node& at(const compiled_zone& z, std::string_view name) {
  const node* n = z.find(name);
  EXPECT_NE(n, nullptr) << name;
  static const node none;
  return n != nullptr ? *n : none;
}

TEST(CompileWithPrevious, UnchangedNamesKeepTheNodesInService) {
  const std::string before = file_text("tests/data/zones/good.zone");
  std::string after = replaced(before, "2026112501", "2026112502");
  after = replaced(after, "STATE free=3", "STATE free=2");
  after = replaced(after, "ns.child       ADDR  127.0.0.30", "ns.child       ADDR  127.0.0.31");
  after += "added DESC kind=cpu vcpu=8 mem=16GiB region=cn-north\n";
  auto old = compile_text(before);
  ASSERT_TRUE(old);
  auto next = compile_text(after, old.get());
  auto alone = compile_text(after);
  ASSERT_TRUE(next);
  ASSERT_TRUE(alone);

  // Kept: the same node objects as the version in service.
  for (std::string_view name : {"note.provx.cn-north.", "best.provx.cn-north.",
                                "*.spot.provx.cn-north.", "ns1.provx.cn-north."}) {
    EXPECT_EQ(&at(*next, name), &at(*old, name)) << name;
  }
  // Built afresh: the changed names, the new one, and every name with an NS RRset (its glue
  // points into its own version), changed or not.
  for (std::string_view name : {"provx.cn-north.", "h100-8x.pool1.provx.cn-north.",
                                "ns.child.provx.cn-north.", "child.provx.cn-north."}) {
    EXPECT_NE(&at(*next, name), &at(*old, name)) << name;
  }
  EXPECT_EQ(old->find("added.provx.cn-north."), nullptr);
  EXPECT_NE(next->find("added.provx.cn-north."), nullptr);

  // The same zone as one compiled on its own, record for record.
  EXPECT_EQ(decompile(*next).records, decompile(*alone).records);
  EXPECT_EQ(next->serial(), 2026112502U);
  EXPECT_EQ(next->name_count(), alone->name_count());

  // Links resolved in the new version: the delegation's glue is the new address, and the kept
  // CNAME still names its target; all of it outlives the version it was shared with.
  old.reset();
  const rrset* ns = at(*next, "child.provx.cn-north.").find(record::rtype::ns);
  ASSERT_NE(ns, nullptr);
  ASSERT_EQ(ns->glue().size(), 1U);
  EXPECT_EQ(ns->glue()[0], at(*next, "ns.child.provx.cn-north.").find(record::rtype::addr));
  auto glue = record::addr::decode(ns->glue()[0]->front_data());
  ASSERT_TRUE(glue);
  EXPECT_EQ(glue->address_text(), "127.0.0.31");
  const rrset* cname = at(*next, "best.provx.cn-north.").find(record::rtype::cname);
  ASSERT_NE(cname, nullptr);
  EXPECT_EQ(cname->target(), "h100-8x.pool1.provx.cn-north.");
  // DISCOVER finds the new resource and the changed STATE through the new version's index.
  EXPECT_EQ(next->discover(select::parse("vcpu=8").value(), 0,
                           static_cast<std::uint32_t>(next->name_count()))
                .size(),
            1U);
}

TEST(CompileWithPrevious, ASignedZoneLoadedAgainIsSharedButItsDelegations) {
  const std::string text = file_text("zonefiles/signed/fin.zone");
  auto old = compile_text(text);
  ASSERT_TRUE(old);
  auto next = compile_text(text, old.get());
  ASSERT_TRUE(next);
  ASSERT_EQ(next->name_count(), old->name_count());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < next->name_count(); ++i) {
    const node& n = next->at(static_cast<std::uint32_t>(i));
    const bool delegation_or_apex = n.find(record::rtype::ns) != nullptr;
    EXPECT_EQ(&n == &old->at(static_cast<std::uint32_t>(i)), !delegation_or_apex) << n.name;
    kept += &n == &old->at(static_cast<std::uint32_t>(i)) ? 1 : 0;
  }
  EXPECT_GT(kept, 3U);
  EXPECT_EQ(decompile(*next).records, decompile(*old).records);
  EXPECT_TRUE(next->is_signed());
  EXPECT_EQ(next->earliest_expiration(), old->earliest_expiration());
}

}  // namespace
}  // namespace cidns::zone
