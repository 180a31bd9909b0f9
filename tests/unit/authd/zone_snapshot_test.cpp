// The per-thread zone snapshots of zone_registry (zone_set.hpp): a publish() or withdraw()
// is seen by the next read() on every thread, a replaced snapshot is not kept alive by idle
// threads, a query in progress keeps its snapshot until it ends, and the thread caches tell
// registries apart.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cidns/serve/query_stats.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/zone/load.hpp"
#include "responder.hpp"
#include "zone_set.hpp"

namespace cidns::authd {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view provx = "provx.cn-north.";

std::shared_ptr<const zone::compiled_zone> make_zone(std::uint32_t serial,
                                                     std::string_view origin = provx) {
  const std::string text = fmt::format(
      "$ORIGIN {}\n$TTL 1h\n@ SOA ns1 hostmaster {} 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.21\nr1.pool1 DESC kind=gpu accel.count=8\n",
      origin, serial);
  zone::load_options options;
  options.read.origin = name::identifier::parse(origin).value();
  options.compile = true;
  auto loaded = zone::load_text(text, "test.zone", options);
  for (const auto& m : loaded.messages()) ADD_FAILURE() << m;
  return loaded.compiled;
}

// The serial of provx in the calling thread's view; 0 when it is not served.
std::uint32_t served_serial(const zone_registry& registry) {
  auto v = registry.read();
  const zone::compiled_zone* z = v->exact(provx);
  return z == nullptr ? 0 : z->serial();
}

// A thread that read() once, then waits idle until told to read again or to end.
class idle_reader {
 public:
  explicit idle_reader(const zone_registry& registry)
      : m_thread([this, &registry] { run(registry); }) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [this] { return m_reads == 1; });
  }
  ~idle_reader() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }
  // Reads again on the thread: the serial it saw.
  std::uint32_t read_again() {
    std::unique_lock lock(m_mutex);
    const int want = m_reads + 1;
    m_again = true;
    m_cv.notify_all();
    m_cv.wait(lock, [&] { return m_reads == want; });
    return m_serial;
  }

 private:
  void run(const zone_registry& registry) {
    std::unique_lock lock(m_mutex);
    while (true) {
      m_serial = served_serial(registry);
      ++m_reads;
      m_again = false;
      m_cv.notify_all();
      m_cv.wait(lock, [this] { return m_again || m_stop; });
      if (m_stop) return;
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_reads = 0;
  bool m_again = false;
  bool m_stop = false;
  std::uint32_t m_serial = 0;
  std::thread m_thread;
};

TEST(ZoneSnapshots, PublishIsSeenByTheNextReadOnEveryThread) {
  constexpr std::uint32_t versions = 300;
  std::vector<std::shared_ptr<const zone::compiled_zone>> zones;
  for (std::uint32_t s = 1; s <= versions; ++s) zones.push_back(make_zone(s));
  zone_registry registry;
  std::atomic<std::uint32_t> published{0};  // stored after publish() returned
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  std::atomic<long> stale{0};
  std::atomic<long> backwards{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::uint32_t last = 0;
      while (!done.load()) {
        const std::uint32_t floor = published.load();
        const std::uint32_t seen = served_serial(registry);
        if (seen < floor) ++stale;
        if (seen < last) ++backwards;
        last = seen;
        ++reads;
      }
    });
  }
  for (const auto& z : zones) {
    registry.publish(z);
    published.store(z->serial());
    std::this_thread::yield();
  }
  while (reads.load() < 3000) std::this_thread::yield();
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0) << "a read after publish() returned saw an older zone";
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_EQ(served_serial(registry), versions);
  EXPECT_EQ(registry.generation(), versions + 1);
}

TEST(ZoneSnapshots, WithdrawIsSeenThroughTheCache) {
  zone_registry registry;
  registry.publish(make_zone(7));
  registry.publish(make_zone(3, "provy.cn-south."));
  idle_reader other(registry);
  EXPECT_EQ(served_serial(registry), 7U);
  registry.withdraw(provx);
  EXPECT_EQ(served_serial(registry), 0U);
  EXPECT_EQ(other.read_again(), 0U);
  auto v = registry.read();
  EXPECT_NE(v->exact("provy.cn-south."), nullptr);
  EXPECT_EQ(v->find_zone("r1.pool1.provx.cn-north."), nullptr);
}

TEST(ZoneSnapshots, IdleThreadsKeepNoReplacedSnapshot) {
  zone_registry registry;
  registry.publish(make_zone(1));
  idle_reader a(registry);
  idle_reader b(registry);
  EXPECT_EQ(served_serial(registry), 1U);  // this thread holds a copy too
  std::weak_ptr<const zone_set> old = registry.load();
  std::weak_ptr<const zone::compiled_zone> old_zone = registry.load()->shared(provx);
  registry.publish(make_zone(2));
  // What zone_manager's release_snapshot() waits for: nobody but the writer's pointer.
  EXPECT_TRUE(old.expired());
  EXPECT_TRUE(old_zone.expired());
  EXPECT_EQ(a.read_again(), 2U);
  EXPECT_EQ(b.read_again(), 2U);
}

TEST(ZoneSnapshots, AQueryInProgressKeepsItsSnapshotUntilItEnds) {
  zone_registry registry;
  registry.publish(make_zone(1));
  std::mutex mutex;
  std::condition_variable cv;
  int step = 0;  // 1: view open, 2: published, 3: view closed, 4: end
  auto advance_to = [&](int s) {
    {
      std::lock_guard lock(mutex);
      step = s;
    }
    cv.notify_all();
  };
  auto wait_for = [&](int s) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return step >= s; });
  };
  std::uint32_t during = 0;
  std::thread reader([&] {
    {
      auto v = registry.read();
      advance_to(1);
      wait_for(2);
      during = v->exact(provx)->serial();  // the writer published meanwhile
    }
    advance_to(3);
    wait_for(4);  // idle, the thread still alive
  });
  wait_for(1);
  std::weak_ptr<const zone_set> old = registry.load();
  registry.publish(make_zone(2));  // does not wait for the query in progress
  EXPECT_FALSE(old.expired());
  advance_to(2);
  wait_for(3);
  EXPECT_TRUE(old.expired()) << "the query ended but its thread kept the replaced set";
  advance_to(4);
  reader.join();
  EXPECT_EQ(during, 1U);
  EXPECT_EQ(served_serial(registry), 2U);
}

TEST(ZoneSnapshots, NestedViewsAndAWriterOnTheSameThread) {
  zone_registry registry;
  registry.publish(make_zone(1));
  {
    auto outer = registry.read();
    auto inner = registry.read();
    EXPECT_EQ(&*outer, &*inner);
    std::weak_ptr<const zone_set> old = registry.load();
    registry.publish(make_zone(2));  // must not wait for this thread's own view
    EXPECT_EQ(inner->exact(provx)->serial(), 1U);
    EXPECT_FALSE(old.expired());
  }
  EXPECT_EQ(registry.load().use_count(), 2);  // the outer view's end dropped this thread's copy
  EXPECT_EQ(served_serial(registry), 2U);
}

TEST(ZoneSnapshots, AnEndedThreadKeepsNoCopy) {
  zone_registry registry;
  registry.publish(make_zone(1));
  std::thread([&] { EXPECT_EQ(served_serial(registry), 1U); }).join();
  EXPECT_EQ(registry.load().use_count(), 2);  // m_current and this one
}

TEST(ZoneSnapshots, ThreadCachesTellRegistriesApart) {
  for (std::uint32_t s = 1; s <= 20; ++s) {
    // Often at the same address as the one before: the cache must not take it for it.
    auto registry = std::make_unique<zone_registry>();
    EXPECT_EQ(served_serial(*registry), 0U);
    registry->publish(make_zone(s));
    EXPECT_EQ(served_serial(*registry), s);
  }
  zone_registry first;
  zone_registry second;
  first.publish(make_zone(5));
  second.publish(make_zone(6));
  auto a = first.read();
  auto b = second.read();
  EXPECT_EQ(a->exact(provx)->serial(), 5U);
  EXPECT_EQ(b->exact(provx)->serial(), 6U);
}

TEST(ZoneSnapshots, AResponderOnAnotherThreadAnswersFromTheNewZone) {
  zone_registry registry;
  serve::query_stats stats;
  responder r(registry, stats);
  auto ask = [&r] {
    wire::message q;
    q.id = 9;
    q.question = wire::question{name::identifier::parse("r1.pool1.provx.cn-north.").value(),
                                record::rtype::desc};
    std::string reply;
    EXPECT_TRUE(r.respond(wire::encode(q), false, reply));
    auto m = wire::decode(reply);
    return m ? m->rcode : wire::rcode::servfail;
  };
  wire::rcode before = wire::rcode::noerror;
  wire::rcode after = wire::rcode::refused;
  std::mutex mutex;
  std::condition_variable cv;
  int step = 0;
  std::thread worker([&] {
    before = ask();
    {
      std::lock_guard lock(mutex);
      step = 1;
    }
    cv.notify_all();
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return step == 2; });
    after = ask();
  });
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return step == 1; });
    registry.publish(make_zone(1));
    step = 2;
  }
  cv.notify_all();
  worker.join();
  EXPECT_EQ(before, wire::rcode::refused);
  EXPECT_EQ(after, wire::rcode::noerror);
}

}  // namespace
}  // namespace cidns::authd
