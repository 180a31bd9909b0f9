// zone_manager's dynamic-update path without sockets (issue 12): an UPDATE publishes a new
// version and journals its changeset; a refused or no-op update changes nothing; a full
// journal is written back to the zonefile; a restart replays the journal; a zonefile edited
// to a newer serial wins over the journal, an older one fails; a zone signed online still
// verifies (NSEC chain included) after adds and deletes, and its written-back file too;
// flush() picks dynamic zones only.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "cidns/dnssec/key.hpp"
#include "cidns/dnssec/key_files.hpp"
#include "cidns/dnssec/rrset_signer.hpp"
#include "cidns/dnssec/zone_verifier.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/store/journal.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/load.hpp"
#include "update_policy.hpp"
#include "zone_manager.hpp"

namespace cidns::authd {
namespace {

using record::rtype;
using wire::change_kind;
using wire::prerequisite_kind;
using wire::rcode;

const std::string provx = "provx.cn-north.";
const std::string h100 = "h100-8x.pool1.provx.cn-north.";
const std::string fixed = "fixed.spot.provx.cn-north.";
const std::string agent = "agent.";
constexpr std::uint32_t base_serial = 2026120101;

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

name::identifier n(std::string_view text) {
  return name::identifier::parse(text, name::identifier::parse(provx).value()).value();
}

std::string data(rtype t, std::string_view text) {
  auto tokens = record::tokenize_line(text).value();
  return record::parse_data(t, tokens, n("@")).value();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// The zonefile `path` through the pipeline (no signing): its serial, or 0 when it fails.
std::uint32_t file_serial(const std::string& path) {
  zone::load_options o;
  o.read.origin = n("@");
  o.compile = true;
  auto loaded = zone::load(path, o);
  if (!loaded || !loaded->ok() || !loaded->compiled) return 0;
  return loaded->compiled->serial();
}

// Every problem the verifier finds in `c`, one a line ("" when it verifies).
std::string verify(zone::contents c) {
  const zone::layout shape = zone::adjust(c);
  dnssec::verify_options o;
  o.now = unix_now();
  o.jobs = 1;
  std::string out;
  for (const auto& p : dnssec::verify_zone(c, shape, o)) {
    out += p.name + " " + p.type + ": " + p.message + "\n";
  }
  return out;
}

// A registry and the manager publishing into it (one running server).
struct instance {
  zone_registry registry;
  zone_manager manager;
  explicit instance(std::vector<zone_config> zones) : manager(std::move(zones), registry) {}

  const zone::compiled_zone* served(const std::string& origin = provx) const {
    m_snapshot = registry.load();
    return m_snapshot->exact(origin);
  }
  // The data of (owner, type) in service; empty when absent.
  std::vector<std::string> rrset(const std::string& owner, rtype t) const {
    const auto* z = served();
    const auto* node = z == nullptr ? nullptr : z->find(owner);
    const auto* set = node == nullptr ? nullptr : node->find(t);
    return set == nullptr ? std::vector<std::string>{} : set->datas();
  }
  std::uint32_t serial() const {
    const auto* z = served();
    return z == nullptr ? 0 : z->serial();
  }

 private:
  mutable std::shared_ptr<const zone_set> m_snapshot;
};

class ZoneUpdates : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("cidns-zone-updates-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    m_zone_file = (m_dir / "provx.zone").string();
    std::filesystem::copy_file(std::string(CIDNS_SOURCE_DIR) + "/tests/data/authd/provx.zone",
                               m_zone_file);
    m_policy.add(parse_update_rule("provx.cn-north. agent. *.provx.cn-north. STATE TXT DESC"));
    reopen_journal();
  }
  void TearDown() override {
    m_journal.reset();
    std::filesystem::remove_all(m_dir);
  }

  // As after a restart: the journal closed and opened again.
  void reopen_journal() {
    m_journal.reset();
    m_journal.emplace(store::journal::open(m_dir / "journal"));
  }

  // A manager over the zonefile (and `extra` zones), updates enabled, loaded.
  std::unique_ptr<instance> start(std::vector<std::string> keys = {},
                                  std::vector<zone_config> extra = {}, bool expect_loaded = true) {
    std::vector<zone_config> zones{zone_config{n("@"), m_zone_file, std::move(keys)}};
    for (auto& z : extra) zones.push_back(std::move(z));
    auto s = std::make_unique<instance>(std::move(zones));
    s->manager.enable_updates(&m_policy, &*m_journal, m_limits);
    EXPECT_EQ(s->manager.load_all(), expect_loaded);
    return s;
  }

  wire::message update() const {
    wire::message m;
    m.opcode = wire::opcode::update;
    m.question = wire::question{n("@"), rtype::soa};
    return m;
  }
  // Replaces h100-8x.pool1's STATE with `state`.
  wire::message state_update(std::string_view state) const {
    auto m = update();
    m.changes.push_back({change_kind::delete_rrset, record::rr{n(h100), rtype::state, 0, {}}});
    m.changes.push_back(
        {change_kind::add, record::rr{n(h100), rtype::state, 30, data(rtype::state, state)}});
    return m;
  }

  store::journal_usage usage() const { return m_journal->usage(provx); }

  // A fresh Ed25519 key for the zone written to m_dir: the .private file's path.
  std::string make_key(bool ksk) {
    auto k = dnssec::zone_key::from(dnssec::private_key::generate(record::algorithm::ed25519), ksk);
    auto files = dnssec::write_key_files(n("@"), k, m_dir.string(), 3600);
    EXPECT_TRUE(files) << (files ? "" : files.err().message);
    return files ? files->private_path : std::string();
  }

  std::filesystem::path m_dir;
  std::string m_zone_file;
  update_policy m_policy;
  std::optional<store::journal> m_journal;
  store::journal_limits m_limits{1 << 20, 3};
};

TEST_F(ZoneUpdates, UpdatePublishesANewVersionAndJournalsIt) {
  auto s = start();
  ASSERT_EQ(s->serial(), base_serial);
  auto r = s->manager.apply_update(state_update("free=1 score=7"), agent);
  ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.serial, base_serial + 1);
  ASSERT_TRUE(r.soa);
  EXPECT_EQ(s->serial(), base_serial + 1);
  EXPECT_EQ(s->rrset(h100, rtype::state),
            std::vector<std::string>{data(rtype::state, "free=1 score=7")});

  const auto journaled = m_journal->all(provx);
  ASSERT_EQ(journaled.size(), 1u);
  EXPECT_EQ(journaled[0].from, base_serial);
  EXPECT_EQ(journaled[0].to, base_serial + 1);
  bool added = false, removed = false;
  for (const auto& rr : journaled[0].added) {
    added |= rr.type == rtype::state && rr.data == data(rtype::state, "free=1 score=7");
  }
  for (const auto& rr : journaled[0].removed) removed |= rr.type == rtype::state;
  EXPECT_TRUE(added);
  EXPECT_TRUE(removed);
  EXPECT_EQ(s->manager.status()[0]["updates"], 1);
}

TEST_F(ZoneUpdates, RefusedUpdateChangesNothing) {
  auto s = start();
  auto m = state_update("free=0");
  m.prerequisites.push_back(
      {prerequisite_kind::rrset_exists, record::rr{n("nothing.pool1"), rtype::txt, 0, {}}});
  const auto before = usage();
  auto r = s->manager.apply_update(m, agent);
  EXPECT_EQ(r.rcode, rcode::nxrrset) << r.why;
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.serial, base_serial);
  EXPECT_EQ(s->serial(), base_serial);
  EXPECT_EQ(s->rrset(h100, rtype::state).size(), 1u);
  EXPECT_NE(s->rrset(h100, rtype::state).front(), data(rtype::state, "free=0"));
  EXPECT_EQ(usage(), before);

  // A key without a rule for the type: refused, nothing journaled either.
  auto cname = update();
  cname.changes.push_back({change_kind::add, record::rr{n("x.pool1"), rtype::cname, 30,
                                                        data(rtype::cname, "h100-8x.pool1")}});
  EXPECT_EQ(s->manager.apply_update(cname, agent).rcode, rcode::refused);
  EXPECT_EQ(s->serial(), base_serial);
  EXPECT_EQ(usage(), before);
}

TEST_F(ZoneUpdates, NoOpKeepsTheSerialAndJournalsNothing) {
  auto s = start();
  auto m = update();
  m.changes.push_back(
      {change_kind::delete_rrset, record::rr{n("nothing.pool1"), rtype::state, 0, {}}});
  auto r = s->manager.apply_update(m, agent);
  EXPECT_EQ(r.rcode, rcode::noerror) << r.why;
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.serial, base_serial);
  EXPECT_EQ(s->serial(), base_serial);
  EXPECT_EQ(usage().changesets, 0u);
  EXPECT_TRUE(m_journal->all(provx).empty());
}

TEST_F(ZoneUpdates, FullJournalIsWrittenBack) {
  {
    auto s = start();
    for (int i = 1; i <= 3; ++i) {
      auto r = s->manager.apply_update(state_update(fmt::format("free={}", i)), agent);
      ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
    }
    EXPECT_EQ(usage().changesets, 3u);  // at the limit, not over it
    EXPECT_EQ(file_serial(m_zone_file), base_serial);
    auto r = s->manager.apply_update(state_update("free=4"), agent);
    ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
    EXPECT_EQ(file_serial(m_zone_file), base_serial + 4);
    EXPECT_EQ(usage().changesets, 0u);
  }
  reopen_journal();
  auto s = start();
  EXPECT_EQ(s->serial(), base_serial + 4);
  EXPECT_EQ(s->rrset(h100, rtype::state), std::vector<std::string>{data(rtype::state, "free=4")});
  // And it takes updates again, journaled from the written-back serial.
  auto r = s->manager.apply_update(state_update("free=5"), agent);
  ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
  EXPECT_EQ(usage().changesets, 1u);
  EXPECT_EQ(m_journal->all(provx).front().from, base_serial + 4);
}

TEST_F(ZoneUpdates, RestartReplaysTheJournal) {
  const std::string before = read_text(m_zone_file);
  {
    auto s = start();
    ASSERT_EQ(s->manager.apply_update(state_update("free=2"), agent).rcode, rcode::noerror);
    auto txt = update();
    txt.changes.push_back(
        {change_kind::add, record::rr{n("new.pool1"), rtype::txt, 60, data(rtype::txt, "\"hi\"")}});
    ASSERT_EQ(s->manager.apply_update(txt, agent).rcode, rcode::noerror);
  }
  EXPECT_EQ(read_text(m_zone_file), before);  // under the limit: not written back
  reopen_journal();
  auto s = start();
  EXPECT_EQ(s->serial(), base_serial + 2);
  EXPECT_EQ(s->rrset(h100, rtype::state), std::vector<std::string>{data(rtype::state, "free=2")});
  EXPECT_EQ(s->rrset("new.pool1.provx.cn-north.", rtype::txt),
            std::vector<std::string>{data(rtype::txt, "\"hi\"")});
  EXPECT_EQ(usage().changesets, 2u);
}

TEST_F(ZoneUpdates, NewerZonefileWinsOverTheJournal) {
  {
    auto s = start();
    ASSERT_EQ(s->manager.apply_update(state_update("free=2"), agent).rcode, rcode::noerror);
  }
  std::string text = read_text(m_zone_file);
  text.replace(text.find("2026120101"), 10, "2026120500");
  write_text(m_zone_file, text);
  reopen_journal();
  ::testing::internal::CaptureStderr();
  auto s = start();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("newer than the journal"), std::string::npos) << log;
  EXPECT_EQ(s->serial(), 2026120500u);
  EXPECT_NE(s->rrset(h100, rtype::state).front(), data(rtype::state, "free=2"));  // the file's
  EXPECT_EQ(usage().changesets, 0u);
  // The journal starts over from the file's serial.
  ASSERT_EQ(s->manager.apply_update(state_update("free=3"), agent).rcode, rcode::noerror);
  EXPECT_EQ(m_journal->all(provx).front().from, 2026120500u);
}

TEST_F(ZoneUpdates, OlderZonefileThanTheJournalFailsToLoad) {
  {
    auto s = start();
    ASSERT_EQ(s->manager.apply_update(state_update("free=2"), agent).rcode, rcode::noerror);
  }
  std::string text = read_text(m_zone_file);
  text.replace(text.find("2026120101"), 10, "2026120100");
  write_text(m_zone_file, text);
  reopen_journal();
  ::testing::internal::CaptureStderr();
  auto s = start({}, {}, false);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("does not continue the zonefile"), std::string::npos) << log;
  EXPECT_EQ(s->served(), nullptr);
  const auto st = s->manager.status();
  EXPECT_FALSE(st[0]["loaded"].get<bool>());
  EXPECT_TRUE(st[0].contains("last_error"));
  EXPECT_EQ(usage().changesets, 1u);  // the journal is kept for the operator
}

TEST_F(ZoneUpdates, OnlineSignedZoneVerifiesAfterAddsAndDeletes) {
  const std::vector<std::string> keys{make_key(true), make_key(false)};
  auto s = start(keys);
  ASSERT_NE(s->served(), nullptr);
  ASSERT_TRUE(s->served()->is_signed());
  ASSERT_EQ(verify(zone::decompile(*s->served())), "");

  auto add = update();  // a new name: the NSEC chain takes it in
  add.changes.push_back(
      {change_kind::add, record::rr{n("new.pool1"), rtype::txt, 60, data(rtype::txt, "\"new\"")}});
  auto r = s->manager.apply_update(add, agent);
  ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
  EXPECT_EQ(r.serial, base_serial + 1);
  ASSERT_TRUE(s->served()->find("new.pool1.provx.cn-north.") != nullptr);
  EXPECT_NE(s->served()->find("new.pool1.provx.cn-north.")->find(rtype::nsec), nullptr);
  EXPECT_EQ(verify(zone::decompile(*s->served())), "");

  auto del = update();  // a name gone: the chain closes over it
  del.changes.push_back(
      {change_kind::delete_name, record::rr{n("fixed.spot"), rtype::none, 0, {}}});
  r = s->manager.apply_update(del, agent);
  ASSERT_EQ(r.rcode, rcode::noerror) << r.why;
  EXPECT_EQ(r.serial, base_serial + 2);
  EXPECT_EQ(s->served()->find(fixed), nullptr);
  EXPECT_EQ(verify(zone::decompile(*s->served())), "");

  auto flushed = s->manager.flush(provx);
  ASSERT_TRUE(flushed);
  EXPECT_TRUE(flushed->empty()) << flushed->front();
  EXPECT_EQ(usage().changesets, 0u);
  zone::load_options o;
  o.read.origin = n("@");
  auto file = zone::load(m_zone_file, o);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->ok()) << file->messages().front();
  EXPECT_EQ(verify(std::move(file->zone)), "");
  EXPECT_EQ(file_serial(m_zone_file), base_serial + 2);

  // A restart with the keys loads the written-back file (re-signed) at the same serial.
  s.reset();
  reopen_journal();
  s = start(keys);
  EXPECT_EQ(s->serial(), base_serial + 2);
  EXPECT_EQ(s->served()->find(fixed), nullptr);
  EXPECT_NE(s->served()->find("new.pool1.provx.cn-north."), nullptr);
  EXPECT_EQ(verify(zone::decompile(*s->served())), "");
}

TEST_F(ZoneUpdates, FlushPicksDynamicZonesOnly) {
  const std::string other_file = (m_dir / "other.zone").string();
  const std::string other_text =
      "$ORIGIN other.cn-north.\n$TTL 1h\n@ SOA ns1 hostmaster 5 1h 10m 14d 5m\n@ NS ns1\n"
      "ns1 ADDR 127.0.0.22\n";
  write_text(other_file, other_text);
  const auto other = name::identifier::parse("other.cn-north.").value();
  auto s = start({}, {zone_config{other, other_file, {}}});
  ASSERT_EQ(s->manager.apply_update(state_update("free=2"), agent).rcode, rcode::noerror);

  auto e = s->manager.flush("other.cn-north.");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 1u);
  EXPECT_NE(e->front().find("not a dynamic zone"), std::string::npos) << e->front();
  EXPECT_EQ(file_serial(m_zone_file), base_serial);  // the dynamic zone was not touched

  EXPECT_FALSE(s->manager.flush("nowhere.cn-north."));

  e = s->manager.flush("");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->empty()) << e->front();
  EXPECT_EQ(file_serial(m_zone_file), base_serial + 1);
  EXPECT_EQ(usage().changesets, 0u);
  EXPECT_EQ(read_text(other_file), other_text);

  e = s->manager.flush("provx.cn-north");  // the bare name too
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->empty());
}

// An operator's edit that failed to load is not overwritten by a write-back.
TEST_F(ZoneUpdates, FlushKeepsAZonefileThatFailedToLoad) {
  auto s = start();
  ASSERT_EQ(s->manager.apply_update(state_update("free=2"), agent).rcode, rcode::noerror);
  const std::string broken = read_text(m_zone_file) + "\nbroken.pool1 STATE free=oops\n";
  write_text(m_zone_file, broken);
  EXPECT_FALSE(s->manager.load_all());  // the edit does not load: the old version stays
  auto e = s->manager.flush("");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 1u);
  EXPECT_NE(e->front().find("not overwritten"), std::string::npos) << e->front();
  EXPECT_EQ(read_text(m_zone_file), broken);
  EXPECT_EQ(usage().changesets, 1u);  // the update is still journaled
}

}  // namespace
}  // namespace cidns::authd
