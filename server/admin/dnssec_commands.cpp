// cidns-admin keygen [--hmac] | zone sign | zone verify | zone ds (docs/cidns-admin.md).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/dnssec/key_files.hpp"
#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/dnssec/zone_verifier.hpp"
#include "cidns/hmac/key.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/time.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/ttl.hpp"
#include "cidns/zone/writer.hpp"
#include "command.hpp"
#include "command_line.hpp"

namespace cidns::admin {
namespace {

// A time option's value; prints the usage error and returns nullopt when bad.
std::optional<std::uint64_t> time_option(std::string_view flag, const std::string& text) {
  auto t = record::parse_time(text);
  if (!t) {
    fmt::print(stderr, "cidns-admin: {}: {}\n", flag, t.err().message);
    return std::nullopt;
  }
  return *t;
}

std::optional<name::identifier> parse_origin(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto n = name::identifier::parse(text);
  if (!n) throw std::runtime_error(fmt::format("bad --origin '{}': {}", text, n.err().message));
  return std::move(*n);
}

void print_messages(const zone::loaded_zone& l) {
  for (const auto& m : l.messages()) fmt::print(stderr, "{}\n", m);
}

// ---- keygen ----------------------------------------------------------------------

struct keygen_options {
  std::string zone;
  std::string hmac;  // with --hmac: the shared key's name (no --zone)
  std::string alg = "ed25519";
  bool ksk = false;
  std::string out;  // a folder (default .); with --hmac a file (default NAME.hmac)
  std::string ttl = "1h";
  bool json = false;
};

// keygen --hmac NAME: a shared key for transaction authentication, in a new file.
int run_keygen_hmac(const keygen_options& o) {
  auto key_name = name::identifier::parse(o.hmac);
  if (!key_name) {
    fmt::print(stderr, "cidns-admin: bad --hmac '{}': {}\n", o.hmac, key_name.err().message);
    return exit_usage;
  }
  const std::string file = o.out.empty() ? fmt::format("{}.hmac", key_name->text_no_dot()) : o.out;
  if (!hmac::create_key_file(file, hmac::generate(key_name->text()))) {
    fmt::print(stderr, "cidns-admin: {}: exists already; not replaced\n", file);
    return exit_wrong;
  }
  if (o.json) {
    nlohmann::json j{{"name", key_name->text()}, {"file", file}, {"algorithm", "hmac-sha256"}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}\n", file);
  }
  return exit_ok;
}

int run_keygen(const keygen_options& o) {
  if (!o.hmac.empty()) return run_keygen_hmac(o);
  if (o.zone.empty()) {
    fmt::print(stderr, "cidns-admin: keygen needs --zone (a zone key) or --hmac (a shared key)\n");
    return exit_usage;
  }
  auto zone = name::identifier::parse(o.zone);
  if (!zone) {
    fmt::print(stderr, "cidns-admin: bad --zone '{}': {}\n", o.zone, zone.err().message);
    return exit_usage;
  }
  auto alg = dnssec::parse_algorithm(o.alg);
  if (!alg) {
    fmt::print(stderr, "cidns-admin: --alg {}: use ed25519, p256 or sm2\n", o.alg);
    return exit_usage;
  }
  auto ttl = zone::parse_ttl(o.ttl);
  if (!ttl) {
    fmt::print(stderr, "cidns-admin: --ttl {}: {}\n", o.ttl, ttl.err().message);
    return exit_usage;
  }
  auto key = dnssec::zone_key::from(dnssec::private_key::generate(*alg), o.ksk);
  auto files = dnssec::write_key_files(*zone, key, o.out.empty() ? "." : o.out, *ttl);
  if (!files) {
    fmt::print(stderr, "cidns-admin: {}\n", files.err().message);
    return exit_usage;
  }
  if (o.json) {
    nlohmann::json j{{"zone", zone->text()},
                     {"algorithm", o.alg},
                     {"key_tag", key.tag},
                     {"ksk", o.ksk},
                     {"private", files->private_path},
                     {"public", files->public_path}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}\n{}\n", files->private_path, files->public_path);
  }
  return exit_ok;
}

// ---- zone sign ---------------------------------------------------------------------

struct sign_cli {
  std::string file;
  std::string origin;
  std::vector<std::string> keys;
  std::string validity = "30d";
  std::string inception;
  std::string expiration;
  std::string out;
  unsigned jobs = 0;
  bool quiet = false;
};

// "signing provx.cn-north.: 412345/1000000 names (41%)" on a terminal, redrawn in place.
class progress_line {
 public:
  progress_line(std::string zone, bool enabled) : m_zone(std::move(zone)), m_enabled(enabled) {}
  ~progress_line() { stop(); }

  void start(std::size_t total) {
    if (!m_enabled || total < 20000) return;
    m_total = total;
    m_thread = std::thread([this] {
      std::unique_lock lock(m_mutex);
      while (!m_done) {
        m_cv.wait_for(lock, std::chrono::milliseconds(250));
        std::size_t n = count.load(std::memory_order_relaxed);
        fmt::print(stderr, "\rsigning {}: {}/{} names ({}%)", m_zone, n, m_total,
                   n * 100 / m_total);
      }
      fmt::print(stderr, "\r\033[K");
    });
  }
  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }

  std::atomic<std::size_t> count{0};

 private:
  std::string m_zone;
  bool m_enabled;
  std::size_t m_total = 0;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  std::thread m_thread;
};

int run_sign(const sign_cli& o) {
  zone::load_options lo;
  lo.read.origin = parse_origin(o.origin);
  dnssec::sign_options so;
  for (const auto& k : o.keys) {
    auto key = dnssec::load_zone_key(k);
    if (!key) {
      fmt::print(stderr, "cidns-admin: {}\n", key.err().message);
      return exit_usage;
    }
    so.keys.push_back(std::move(*key));
  }
  const std::uint64_t now = util::unix_seconds();
  so.inception = now - 3600;
  if (!o.inception.empty()) {
    auto t = time_option("--inception", o.inception);
    if (!t) return exit_usage;
    so.inception = *t;
  }
  if (!o.expiration.empty()) {
    auto t = time_option("--expiration", o.expiration);
    if (!t) return exit_usage;
    so.expiration = *t;
  } else {
    auto v = zone::parse_ttl(o.validity);
    if (!v || *v == 0) {
      fmt::print(stderr, "cidns-admin: --validity {}: a duration such as 30d or 12h\n", o.validity);
      return exit_usage;
    }
    so.expiration = (o.inception.empty() ? now : so.inception) + *v;
  }
  so.jobs = o.jobs;
  progress_line progress(o.origin.empty() ? o.file : o.origin, !o.quiet && isatty(2) != 0);
  so.progress = &progress.count;
  dnssec::sign_stats stats;
  lo.sign = [&](zone::contents& z, const zone::layout& shape) -> result<void> {
    progress.start(shape.names.size());
    auto r = dnssec::sign_zone(z, shape, so);
    progress.stop();
    if (!r) return std::move(r).err();
    stats = *r;
    return {};
  };
  const auto started = std::chrono::steady_clock::now();
  auto loaded = zone::load(o.file, lo);
  if (!loaded) {
    fmt::print(stderr, "cidns-admin: {}\n", loaded.err().message);
    return exit_usage;
  }
  print_messages(*loaded);
  if (!loaded->ok()) {
    fmt::print(stderr, "zone {}: {} error(s), not signed\n", o.file, loaded->errors);
    return exit_wrong;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string text = zone::write_text(loaded->zone);
  if (o.out.empty() || o.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) return exit_usage;
  } else {
    const std::string tmp = o.out + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f || std::rename(tmp.c_str(), o.out.c_str()) != 0) {
      fmt::print(stderr, "cidns-admin: cannot write {}\n", o.out);
      std::remove(tmp.c_str());
      return exit_usage;
    }
  }
  if (!o.quiet) {
    fmt::print(stderr,
               "zone {}: signed {} names with {} key(s): {} signatures, {} NSEC, valid {} to "
               "{}, in {:.2f} s\n",
               loaded->zone.origin.text(), stats.names, so.keys.size(), stats.signatures,
               stats.nsec, record::format_sig_time(so.inception),
               record::format_sig_time(so.expiration), secs);
  }
  return exit_ok;
}

// ---- zone verify -------------------------------------------------------------------

struct verify_cli {
  std::string file;
  std::string origin;
  std::string anchor;
  std::vector<std::string> children;
  std::string time;
  unsigned jobs = 0;
  bool json = false;
};

int run_verify(const verify_cli& o) {
  zone::load_options lo;
  lo.read.origin = parse_origin(o.origin);
  auto loaded = zone::load(o.file, lo);
  if (!loaded) {
    fmt::print(stderr, "cidns-admin: {}\n", loaded.err().message);
    return exit_usage;
  }
  print_messages(*loaded);
  if (!loaded->ok()) {
    fmt::print(stderr, "zone {}: {} error(s), not verified\n", o.file, loaded->errors);
    return exit_wrong;
  }
  dnssec::verify_options vo;
  vo.jobs = o.jobs;
  vo.now = util::unix_seconds();
  if (!o.time.empty()) {
    auto t = time_option("--time", o.time);
    if (!t) return exit_usage;
    vo.now = *t;
  }
  if (!o.anchor.empty()) {
    auto a = dnssec::read_records(o.anchor);
    if (!a) {
      fmt::print(stderr, "cidns-admin: {}\n", a.err().message);
      return exit_usage;
    }
    vo.anchors = std::move(*a);
  }
  for (const auto& c : o.children) {
    auto child = zone::load(c, {});
    if (!child || !child->ok()) {
      fmt::print(stderr, "cidns-admin: --child {}: {}\n", c,
                 !child ? child.err().message : "the zone has errors (zone check tells)");
      return exit_usage;
    }
    dnssec::child_keys ck{child->zone.origin, {}};
    for (const auto& r : child->zone.records) {
      if (r.type == record::rtype::key && r.owner == ck.apex) ck.key_data.push_back(r.data);
    }
    vo.children.push_back(std::move(ck));
  }
  auto problems = dnssec::verify_zone(loaded->zone, loaded->shape, vo);
  const std::string& zname = loaded->zone.origin.text();
  if (o.json) {
    auto list = nlohmann::json::array();
    for (const auto& p : problems) {
      list.push_back({{"name", p.name}, {"type", p.type}, {"problem", p.message}});
    }
    nlohmann::json j{{"zone", zname}, {"ok", problems.empty()}, {"problems", list}};
    fmt::print("{}\n", j.dump(2));
  } else {
    for (const auto& p : problems) fmt::print("{} {}: {}\n", p.name, p.type, p.message);
    if (problems.empty()) {
      fmt::print("zone {}: signatures, NSEC chain{}{} OK\n", zname,
                 vo.anchors.empty() ? "" : ", trust anchor", vo.children.empty() ? "" : ", DS");
    } else {
      fmt::print("zone {}: {} problem{}\n", zname, problems.size(),
                 problems.size() == 1 ? "" : "s");
    }
  }
  return problems.empty() ? exit_ok : exit_wrong;
}

// ---- zone ds -----------------------------------------------------------------------

struct ds_cli {
  std::string file;
  std::string origin;
};

int run_ds(const ds_cli& o) {
  std::vector<record::rr> keys;
  std::string path = o.file;
  if (path.ends_with(".private")) path = path.substr(0, path.size() - 8) + ".key";
  if (path.ends_with(".key")) {
    auto r = dnssec::read_records(path);
    if (!r) {
      fmt::print(stderr, "cidns-admin: {}\n", r.err().message);
      return exit_usage;
    }
    for (auto& rr : *r) {
      if (rr.type == record::rtype::key) keys.push_back(std::move(rr));
    }
  } else {
    zone::load_options lo;
    lo.read.origin = parse_origin(o.origin);
    auto loaded = zone::load(path, lo);
    if (!loaded) {
      fmt::print(stderr, "cidns-admin: {}\n", loaded.err().message);
      return exit_usage;
    }
    print_messages(*loaded);
    if (!loaded->ok()) return exit_wrong;
    std::vector<record::rr> zone_keys;
    for (const auto& r : loaded->zone.records) {
      if (r.type != record::rtype::key || r.owner != loaded->zone.origin) continue;
      auto k = record::key::decode(r.data);
      if (!k || (k->flags & record::key_flag_zone) == 0) continue;
      ((k->flags & record::key_flag_sep) != 0 ? keys : zone_keys).push_back(r);
    }
    if (keys.empty()) keys = std::move(zone_keys);
  }
  if (keys.empty()) {
    fmt::print(stderr, "cidns-admin: {}: no zone KEY records\n", path);
    return exit_wrong;
  }
  for (const auto& k : keys) {
    auto ds = dnssec::make_ds(k.owner, k.data);
    if (!ds) {
      fmt::print(stderr, "cidns-admin: {}: {}\n", k.owner.text(), ds.err().message);
      return exit_wrong;
    }
    fmt::print("{}\n",
               record::format_rr(record::rr{k.owner, record::rtype::ds, k.ttl, ds->encode()}));
  }
  return exit_ok;
}

}  // namespace

void add_dnssec_commands(CLI::App& app, action& selected) {
  auto kg = std::make_shared<keygen_options>();
  auto* keygen = app.add_subcommand(
      "keygen",
      "Generate a zone key: writes K<zone>+<alg>+<tag>.private (PEM, mode 0600) and "
      ".key (the KEY record); prints both file names. With --hmac: a shared key for "
      "UPDATE, XFR and NOTIFY in one file (mode 0600); prints its name");
  auto* zone_opt = keygen->add_option("--zone", kg->zone, "The zone the key signs");
  keygen
      ->add_option("--hmac", kg->hmac,
                   "Make an HMAC-SHA256 shared key of this name instead (no --zone)")
      ->excludes(zone_opt);
  keygen->add_option("--alg", kg->alg, "ed25519 (default), p256 or sm2")
      ->check(CLI::IsMember({"ed25519", "p256", "sm2"}, CLI::ignore_case));
  keygen->add_flag("--ksk", kg->ksk,
                   "A key-signing key (flag sep): signs the KEY RRset; its DS goes to the parent");
  keygen->add_option("--out", kg->out,
                     "Folder to write the files into (default: .); with --hmac the key file "
                     "(default: NAME.hmac, not replaced if it exists)");
  keygen->add_option("--ttl", kg->ttl, "TTL of the KEY record in the .key file (default 1h)");
  keygen->add_flag(
      "--json", kg->json,
      "Print {zone, algorithm, key_tag, ksk, private, public} (--hmac: {name, file, algorithm})");
  keygen->callback([&selected, kg] { selected = [kg] { return run_keygen(*kg); }; });

  CLI::App* zone_cmd = app.get_subcommand("zone");

  auto sg = std::make_shared<sign_cli>();
  auto* sign = zone_cmd->add_subcommand(
      "sign",
      "Sign a zone: KEYs at the apex, SIGs over every authoritative RRset, the NSEC "
      "chain; replaces earlier KEY, SIG and NSEC records");
  add_zone_file_options(sign, sg->file, sg->origin);
  sign->add_option("-k,--key", sg->keys, "A private key file (.private, or its .key) (repeatable)")
      ->required();
  auto* validity = sign->add_option(
      "--validity", sg->validity, "Signatures valid from an hour ago for this long (default 30d)");
  sign->add_option("--inception", sg->inception,
                   "Start of validity: YYYYMMDDHHMMSS, RFC 3339 or unix time")
      ->excludes(validity);
  sign->add_option("--expiration", sg->expiration,
                   "End of validity: YYYYMMDDHHMMSS, RFC 3339 or unix time")
      ->excludes(validity);
  sign->add_option("-o,--output", sg->out, "Write the signed zone here (default: standard output)");
  sign->add_option("-j,--jobs", sg->jobs, "Signing threads (default: one per core)")
      ->check(whole_number(0, 256, "threads"));
  sign->add_flag("-q,--quiet", sg->quiet, "No progress line and no summary");
  sign->callback([&selected, sg] { selected = [sg] { return run_sign(*sg); }; });

  auto vf = std::make_shared<verify_cli>();
  auto* verify = zone_cmd->add_subcommand(
      "verify",
      "Verify a signed zone: signatures, validity windows, NSEC chain, trust anchor, "
      "children's DS; one line per problem, exit 1 if any");
  add_zone_file_options(verify, vf->file, vf->origin);
  verify->add_option("--anchor", vf->anchor,
                     "A file of KEY or DS records (as zone ds prints) the apex keys must match");
  verify->add_option("--child", vf->children,
                     "A child zonefile whose KEYs the DS records must match (repeatable)");
  verify->add_option(
      "--time", vf->time,
      "Check validity windows at this time (YYYYMMDDHHMMSS, RFC 3339 or unix; default now)");
  verify->add_option("-j,--jobs", vf->jobs, "Threads (default: one per core)")
      ->check(whole_number(0, 256, "threads"));
  verify->add_flag("--json", vf->json, "JSON: {zone, ok, problems: [{name, type, problem}]}");
  verify->callback([&selected, vf] { selected = [vf] { return run_verify(*vf); }; });

  auto dso = std::make_shared<ds_cli>();
  auto* ds = zone_cmd->add_subcommand(
      "ds",
      "Print the DS record(s) to give the parent: from a .key/.private file, or from a "
      "zonefile's sep keys (every zone key when none is sep)");
  ds->add_option("FILE", dso->file, "A .key or .private file, or a zonefile")->required();
  ds->add_option("--origin", dso->origin, "For a zonefile: the zone's name");
  ds->callback([&selected, dso] { selected = [dso] { return run_ds(*dso); }; });
}

}  // namespace cidns::admin
