// secondary_service against a fake primary on 127.0.0.1 and a real zone_manager on a temporary
// state directory: the first full transfer, an incremental one on NOTIFY (a NOTIFY of a serial
// not newer is ignored), the fall back to a full transfer when the primary's history does not
// match our copy, retries before the first success, expiry (withdrawn, then served again), a
// copy past its expire time at start, and a prompt stop().
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "secondary.hpp"
#include "transfer_fixture.hpp"
#include "unit/net/test_support.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using net::testing::eventually;

class Secondary : public ::testing::Test {
 protected:
  Secondary() : m_primary(m_key) {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-secondary-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    m_keys.add(m_key);
    m_timing.read_timeout = 500ms;
    m_timing.first_retry = 100ms;
    m_timing.max_first_retry = 400ms;
  }
  ~Secondary() override {
    m_service.reset();
    m_manager.reset();
    std::filesystem::remove_all(m_dir);
  }

  std::string copy_path() const { return secondary_copy_path(m_dir.string(), id(zone_text_name)); }
  void write_copy(const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(copy_path()).parent_path());
    std::ofstream(copy_path()) << text;
  }
  // A manager holding sec.test. as a secondary zone (its copy loaded when there is one), and the
  // service keeping it in step with the fake primary, started.
  void start() {
    zone_config z;
    z.name = id(zone_text_name);
    z.file = copy_path();
    z.secondary = true;
    m_manager = std::make_unique<zone_manager>(std::vector<zone_config>{z}, m_registry);
    ASSERT_TRUE(m_manager->load_all());
    m_service = std::make_unique<secondary_service>(
        *m_manager, m_keys,
        std::vector<peer_rule>{peer_rule{z.name, m_primary.endpoint(), m_key.name}}, m_dir.string(),
        m_timing);
    m_service->start();
  }
  std::uint32_t served() const {
    auto z = m_manager->current(id(zone_text_name));
    return z ? z->serial() : 0;
  }
  nlohmann::json status() const { return m_service->status().at(0); }
  bool serves(std::uint32_t serial, std::chrono::milliseconds within = 3s) const {
    return eventually([&] { return served() == serial; }, within);
  }

  hmac::key m_key = make_key("sec-key.", 'q');
  hmac::keyring m_keys;
  primary_on_loopback m_primary;
  std::filesystem::path m_dir;
  secondary_timing m_timing;
  zone_registry m_registry;
  std::unique_ptr<zone_manager> m_manager;
  std::unique_ptr<secondary_service> m_service;
};

TEST_F(Secondary, FullTransferFirstThenIncrementalOnNotify) {
  m_primary.handler.add_version(compile(zone_text(100)));
  start();
  EXPECT_TRUE(serves(100)) << status().dump();
  ASSERT_TRUE(eventually([&] { return status()["state"] == "ok"; })) << status().dump();
  EXPECT_EQ(status()["transfers"]["full"], 1);
  EXPECT_TRUE(std::filesystem::exists(copy_path()));
  EXPECT_FALSE(m_primary.handler.requests().at(0));  // full: no copy yet

  m_primary.handler.add_version(compile(zone_text(101)));
  m_service->notified(id(zone_text_name), 101);
  EXPECT_TRUE(serves(101)) << status().dump();
  ASSERT_TRUE(eventually([&] { return status()["transfers"]["incremental"] == 1; }))
      << status().dump();
  EXPECT_EQ(m_primary.handler.requests().back(), std::optional<std::uint32_t>(100));
  EXPECT_EQ(status()["serial"], 101);
  EXPECT_GT(status()["bytes"].get<std::uint64_t>(), 0u);
  EXPECT_GT(status()["next_refresh"].get<std::int64_t>(),
            status()["last_success"].get<std::int64_t>());

  // A NOTIFY of a serial we hold already asks nothing.
  const auto asked = m_primary.handler.requests().size();
  m_service->notified(id(zone_text_name), 101);
  m_service->notified(id(zone_text_name), 100);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(m_primary.handler.requests().size(), asked);
}

TEST_F(Secondary, RestartFromTheCopyAsksIncremental) {
  write_copy(zone_text(100));
  m_primary.handler.add_version(compile(zone_text(100)));
  m_primary.handler.add_version(compile(zone_text(101)));
  start();
  EXPECT_TRUE(serves(101)) << status().dump();
  ASSERT_FALSE(m_primary.handler.requests().empty());
  EXPECT_EQ(m_primary.handler.requests().front(), std::optional<std::uint32_t>(100));
  ASSERT_TRUE(eventually([&] { return status()["transfers"]["incremental"] == 1; }))
      << status().dump();
}

TEST_F(Secondary, IncrementalThatDoesNotFitTheCopyFallsBackToFull) {
  // Our copy of serial 100 differs from the primary's serial 100: its changeset's removals
  // are not in our copy.
  write_copy(zone_text(100, 3));
  m_primary.handler.add_version(compile(zone_text(100, 20)));
  m_primary.handler.add_version(compile(zone_text(101, 20)));
  start();
  EXPECT_TRUE(serves(101)) << status().dump();
  ASSERT_TRUE(eventually([&] { return status()["transfers"]["full"] == 1; })) << status().dump();
  const auto asked = m_primary.handler.requests();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0], std::optional<std::uint32_t>(100));
  EXPECT_FALSE(asked[1]);
  EXPECT_EQ(m_manager->current(id(zone_text_name))->record_count(),
            compile(zone_text(101, 20))->record_count());
}

TEST_F(Secondary, RetriesBeforeTheFirstTransferWithBackoff) {
  m_primary.handler.add_version(compile(zone_text(100)));
  m_primary.handler.set_fault(fault::refuse);
  start();
  ASSERT_TRUE(eventually([&] { return m_primary.handler.requests().size() >= 3; }, 3s));
  auto st = status();
  EXPECT_EQ(st["state"], "waiting for first transfer");
  EXPECT_NE(st["last_error"].get<std::string>().find("REFUSED"), std::string::npos) << st.dump();
  EXPECT_GE(st["transfers"]["failed"].get<int>(), 2);
  EXPECT_EQ(served(), 0u);
  m_primary.handler.set_fault(fault::none);
  EXPECT_TRUE(serves(100, 3s)) << status().dump();
  EXPECT_TRUE(eventually([&] { return status()["state"] == "ok"; }));
}

TEST_F(Secondary, ExpiresWhenThePrimaryIsGoneAndComesBack) {
  m_primary.handler.add_version(compile(zone_text(100, 5, soa_timers{1, 1, 3})));
  start();
  ASSERT_TRUE(serves(100)) << status().dump();
  m_primary.handler.set_fault(fault::refuse);
  // Still served while the primary refuses, until the expire time (3 s).
  ASSERT_TRUE(eventually([&] { return status()["state"] == "retrying"; }, 2500ms))
      << status().dump();
  EXPECT_EQ(served(), 100u);
  ASSERT_TRUE(eventually([&] { return served() == 0; }, 4s)) << status().dump();
  EXPECT_EQ(status()["state"], "expired");
  m_primary.handler.set_fault(fault::none);
  EXPECT_TRUE(serves(100, 3s)) << status().dump();
  EXPECT_TRUE(eventually([&] { return status()["state"] == "ok"; }));
  // Withdrawn: it asked for the whole zone again.
  EXPECT_FALSE(m_primary.handler.requests().back());
}

TEST_F(Secondary, CopyPastItsExpireIsWithdrawnAtStart) {
  write_copy(zone_text(100, 5, soa_timers{3600, 600, 60}));
  std::filesystem::last_write_time(copy_path(),
                                   std::filesystem::file_time_type::clock::now() - 120s);
  m_primary.handler.add_version(compile(zone_text(100, 5, soa_timers{3600, 600, 60})));
  m_primary.handler.set_fault(fault::refuse);
  start();
  EXPECT_EQ(served(), 0u);
  EXPECT_EQ(status()["state"], "expired");
  m_primary.handler.set_fault(fault::none);
  // The retry interval of the SOA is 600 s: a NOTIFY brings it back now.
  m_service->notified(id(zone_text_name), 100);
  EXPECT_TRUE(serves(100)) << status().dump();
  // The copy's time is refreshed (by the background thread, after the version is served), so
  // a restart knows it is fresh.
  auto fresh = [&] {
    const auto age = std::filesystem::file_time_type::clock::now() -
                     std::filesystem::last_write_time(copy_path());
    return age < 30s;
  };
  EXPECT_TRUE(eventually(fresh));
}

TEST_F(Secondary, StopIsPromptMidTransfer) {
  m_primary.handler.add_version(compile(zone_text(100)));
  m_primary.handler.set_fault(fault::silent);
  start();
  ASSERT_TRUE(eventually([&] { return !m_primary.handler.requests().empty(); }));
  const auto t0 = std::chrono::steady_clock::now();
  m_service->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(status()["transfers"]["failed"], 0);  // interrupted, not failed
}

}  // namespace
}  // namespace cidns::authd
