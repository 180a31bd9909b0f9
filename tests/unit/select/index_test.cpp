// lib/select: the DISCOVER index gives exactly the brute-force answer (matches, compare,
// id tie-break, limit) and does not scan when a term is indexed.
#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cidns/select/index.hpp"
#include "test_resources.hpp"

namespace cidns::select {
namespace {

struct corpus final : resource_source {
  std::vector<std::uint32_t> ids;
  std::vector<record::desc> descs;
  std::vector<std::optional<record::state>> states;
  mutable std::size_t loads = 0;

  bool load(std::uint32_t id, record::desc& d, record::state& s, bool& has_state) const override {
    auto it = std::lower_bound(ids.begin(), ids.end(), id);
    if (it == ids.end() || *it != id) return false;
    auto i = static_cast<std::size_t>(it - ids.begin());
    ++loads;
    d = descs[i];
    has_state = states[i].has_value();
    if (has_state) s = *states[i];
    return true;
  }

  std::vector<std::uint32_t> brute(const selector& s, std::uint32_t first,
                                   std::uint32_t last) const {
    std::vector<std::size_t> hit;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < first || ids[i] >= last) continue;
      if (matches(s, view(i))) hit.push_back(i);
    }
    std::stable_sort(hit.begin(), hit.end(), [&](std::size_t a, std::size_t b) {
      int c = compare(s, view(a), view(b));
      return c != 0 ? c < 0 : ids[a] < ids[b];
    });
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < hit.size() && i < s.limit; ++i) out.push_back(ids[hit[i]]);
    return out;
  }
  resource view(std::size_t i) const { return {&descs[i], states[i] ? &*states[i] : nullptr}; }
};

template <typename T>
const T& pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

corpus generate(std::size_t n, std::mt19937& rng) {
  const std::vector<std::string> kinds = {"gpu", "gpu", "npu", "cpu"},
                                 families = {"h100", "h800", "a100", "910b"},
                                 regions = {"cn-north",   "cn-north.beijing", "cn-northeast",
                                            "cn-north-2", "cn-east.shanghai", "cn-east"},
                                 fws = {"pytorch:2.4", "pytorch:2.5", "mindspore:2.3", "pytorch",
                                        "jax"},
                                 currencies = {"CNY", "CNY", "USD"},
                                 sources = {"nominal", "measured"};
  std::uniform_int_distribution<int> coin(0, 3), small(0, 9);
  corpus c;
  for (std::size_t i = 0; i < n; ++i) {
    std::string d;
    auto add = [&](const std::string& kv) {
      if (coin(rng) != 0) d += kv + " ";  // every key is absent a quarter of the time
    };
    add("kind=" + pick(rng, kinds));
    add("accel.family=" + pick(rng, families));
    add(fmt::format("accel.count={}", 1 << (small(rng) % 4)));
    add(fmt::format("accel.mem={}GiB", 16 * (1 + small(rng) % 6)));
    add("region=" + pick(rng, regions));
    add("frameworks=" + pick(rng, fws) + (coin(rng) == 0 ? "," + pick(rng, fws) : ""));
    add(fmt::format("price={}.{}{}", small(rng) % 5, small(rng), pick(rng, currencies)));
    add(fmt::format("sched={}", coin(rng) == 0 ? "slurm" : "k8s"));
    if (coin(rng) == 0)
      d += "x-tier=gold mandatory=x-tier ";
    else if (coin(rng) == 0)
      d += "x-tier=silver ";
    if (d.empty()) d = "vcpu=4";
    // Duplicate frameworks are a zonefile error; keep the record valid.
    record::desc rd;
    try {
      rd = test::desc_of(d);
    } catch (const std::exception&) {
      rd = test::desc_of("vcpu=8");
    }
    std::optional<record::state> st;
    if (coin(rng) != 0) {
      std::string s;
      if (coin(rng) != 0) s += fmt::format("free={} ", small(rng) % 4);
      if (coin(rng) != 0) s += fmt::format("score={} ", small(rng));
      if (coin(rng) != 0) s += "source=" + pick(rng, sources) + " ";
      if (coin(rng) != 0) s += fmt::format("spot={}CNY ", small(rng) % 3);
      if (s.empty()) s = "score=5";
      st = test::state_of(s);
    }
    c.ids.push_back(static_cast<std::uint32_t>(3 * i + 1));
    c.descs.push_back(std::move(rd));
    c.states.push_back(std::move(st));
  }
  return c;
}

const std::vector<std::string> pool = {"kind=gpu",
                                       "kind!=cpu",
                                       "kind=npu,cpu",
                                       "accel.family=h100,h800",
                                       "accel.family!=a100",
                                       "accel.count>=8",
                                       "accel.count<4",
                                       "accel.count=2,4",
                                       "accel.mem>=80GiB",
                                       "accel.mem<=32GiB",
                                       "region=cn-north*",
                                       "region=cn-east.shanghai",
                                       "region!=cn-north*",
                                       "region=cn-north",
                                       "frameworks~pytorch",
                                       "frameworks~pytorch:2.4",
                                       "frameworks!=mindspore",
                                       "price<=3CNY",
                                       "price>1USD",
                                       "price=2.5CNY,1CNY",
                                       "price!=1CNY",
                                       "free>=1",
                                       "free=0",
                                       "score>5",
                                       "source=measured",
                                       "spot<2CNY",
                                       "x-tier=gold",
                                       "x-tier!=silver",
                                       "sched=k8s,slurm",
                                       "sched=slurm"};
const std::vector<std::string> orders = {"order=price",      "order=-price", "order=free",
                                         "order=-accel.mem", "order=region", "order=-kind",
                                         "order=x-tier",     "order=spot",   "order=-score"};

std::string random_selector(std::mt19937& rng) {
  std::uniform_int_distribution<int> terms(0, 4), n_orders(0, 2), coin(0, 2);
  std::string s;
  for (int i = terms(rng); i > 0; --i) s += pick(rng, pool) + " ";
  std::vector<std::string> used;
  for (int i = n_orders(rng); i > 0; --i) {
    const auto& o = pick(rng, orders);
    auto key = o.substr(o.find('=') + 1 + (o[o.find('=') + 1] == '-' ? 1 : 0));
    bool dup =
        std::any_of(used.begin(), used.end(), [&](const std::string& u) { return u == key; });
    if (dup) continue;
    used.push_back(key);
    s += o + " ";
  }
  if (coin(rng) == 0) s += fmt::format("limit={}", 1 + coin(rng) * 40);
  return s;
}

index build(const corpus& c) {
  index ix;
  for (std::size_t i = 0; i < c.ids.size(); ++i)
    ix.add(c.ids[i], c.descs[i], c.states[i] ? &*c.states[i] : nullptr);
  ix.build();
  return ix;
}

TEST(SelectIndex, EvaluateEqualsBruteForce) {
  std::mt19937 rng(20261125);
  auto c = generate(5000, rng);
  auto ix = build(c);
  EXPECT_EQ(ix.size(), 5000u);
  std::uniform_int_distribution<std::uint32_t> at(0, 15100);
  for (int round = 0; round < 400; ++round) {
    auto text = random_selector(rng);
    auto s = parse(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.err().message;
    std::uint32_t first = 0, last = 0xffffffff;
    if (round % 2 == 1) {
      first = at(rng);
      last = first + at(rng);
    }
    evaluation_stats st;
    auto got = ix.evaluate(*s, first, last, c, &st);
    auto want = c.brute(*s, first, last);
    ASSERT_EQ(got, want) << text << " in [" << first << "," << last << ")";
  }
}

// Parts filled apart and appended answer as one index: two halves appended before build()
// (two threads), or blocks each built and then appended (how a big zone's index is filled:
// runs of equal numbers then span several parts and must merge in (value, id) order).
void expect_appended_parts_answer_as_one(std::size_t parts, bool build_parts) {
  std::mt19937 rng(20261202 + static_cast<unsigned>(parts));
  auto c = generate(3000, rng);
  index whole;
  const std::size_t per_part = (c.ids.size() + parts - 1) / parts;
  for (std::size_t from = 0; from < c.ids.size(); from += per_part) {
    index part;
    for (std::size_t i = from; i < std::min(c.ids.size(), from + per_part); ++i) {
      part.add(c.ids[i], c.descs[i], c.states[i] ? &*c.states[i] : nullptr);
    }
    if (build_parts) part.build();
    whole.append(std::move(part));
    EXPECT_EQ(part.size(), 0u);
  }
  whole.build();
  EXPECT_EQ(whole.size(), 3000u);
  for (int round = 0; round < 300; ++round) {
    auto text = random_selector(rng);
    auto s = parse(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.err().message;
    ASSERT_EQ(whole.evaluate(*s, 0, 0xffffffff, c), c.brute(*s, 0, 0xffffffff))
        << text << " (" << parts << " parts)";
  }
}

TEST(SelectIndex, AppendedHalvesEvaluateAsOneIndex) {
  expect_appended_parts_answer_as_one(2, false);
}

TEST(SelectIndex, AppendedBuiltBlocksEvaluateAsOneIndex) {
  expect_appended_parts_answer_as_one(7, true);
  expect_appended_parts_answer_as_one(2, true);
}

TEST(SelectIndex, IndexedSelectorsDoNotScan) {
  std::mt19937 rng(7);
  auto c = generate(4000, rng);
  auto ix = build(c);
  evaluation_stats st;
  auto s = *parse("accel.family=h100 accel.count>=8 region=cn-north* price<=3CNY");
  auto got = ix.evaluate(s, 0, 0xffffffff, c, &st);
  EXPECT_FALSE(st.scanned);
  EXPECT_LT(st.candidates, 400u);  // the intersection, not the whole zone
  EXPECT_EQ(got, c.brute(s, 0, 0xffffffff));
  EXPECT_FALSE(got.empty());

  // Only != terms: nothing indexed, every id in range is checked.
  auto scan = *parse("kind!=cpu limit=1000");
  ix.evaluate(scan, 100, 400, c, &st);
  EXPECT_TRUE(st.scanned);
  EXPECT_EQ(st.candidates, 100u);  // ids 100, 103, ... 397

  // A value nobody has: no candidate at all.
  ix.evaluate(*parse("accel.family=b200"), 0, 0xffffffff, c, &st);
  EXPECT_EQ(st.candidates, 0u);

  // A broad selector ordered by a number walks the order key: few loads.
  auto broad = *parse("kind=gpu order=price limit=20");
  auto r = ix.evaluate(broad, 0, 0xffffffff, c, &st);
  EXPECT_EQ(r, c.brute(broad, 0, 0xffffffff));
  EXPECT_LT(st.candidates, 500u);
  EXPECT_EQ(r.size(), 20u);
}

TEST(SelectIndex, DenseTermsAreIntersectedBeforeAnyLoad) {
  // kind=gpu (2/3 of the ids) and sched=k8s (3/4) are bitmaps: their intersection is taken
  // word by word and only resources in both are loaded, over the whole index and in ranges
  // whose ends fall inside words.
  corpus c;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    c.ids.push_back(3 * i + 1);
    c.descs.push_back(
        test::desc_of(fmt::format("kind={} sched={} vcpu={}", i % 3 != 2 ? "gpu" : "npu",
                                  i % 4 != 0 ? "k8s" : "slurm", 1 + i % 5)));
    c.states.emplace_back();
  }
  auto ix = build(c);
  for (auto [first, last] :
       {std::pair<std::uint32_t, std::uint32_t>{0, 0xffffffff}, {101, 2000}, {4003, 4010}}) {
    for (const char* text : {"kind=gpu sched=k8s limit=1000", "kind=gpu sched=k8s vcpu>=3"}) {
      evaluation_stats st;
      auto s = *parse(text);
      const auto want = c.brute(s, first, last);
      EXPECT_EQ(ix.evaluate(s, first, last, c, &st), want) << text << " " << first;
      EXPECT_FALSE(st.scanned);
      if (s.limit >= 1000) {
        EXPECT_EQ(st.candidates, want.size()) << text << " " << first;  // no load wasted
      }
    }
  }
}

TEST(SelectIndex, EmptyRangeAndEmptyIndex) {
  index empty;
  empty.build();
  corpus c;
  EXPECT_TRUE(empty.evaluate(*parse(""), 0, 10, c).empty());
  std::mt19937 rng(1);
  auto some = generate(50, rng);
  auto ix = build(some);
  EXPECT_TRUE(ix.evaluate(*parse(""), 10, 10, some).empty());
  EXPECT_EQ(ix.evaluate(*parse("limit=5"), 0, 100, some), some.brute(*parse("limit=5"), 0, 100));
}

}  // namespace
}  // namespace cidns::select
