// xfr-bench: what a zone transfer costs, full against incremental, in process and without
// sockets (issue 12). Generates a gen-zone zone of N resources (signed online with a fresh
// Ed25519 key with --signed), makes a new version with PCT % of the resources' STATE changed
// (decompile, edit, the same pipeline and signer: what an UPDATE does on the primary), then
// times zone::diff, the reply stream of both transfers (xfr::writer + wire::encode: bytes,
// messages), reading it back (wire::decode + xfr::reader) and the secondary's apply (what
// zone_manager::apply_transfer does: an incremental transfer's changes patched into the old
// compiled version, or the full contents checked and compiled; "contents/changes ready" is the
// part before the compile or patch).
// The secondary's version is checked to equal the primary's (zone::diff) on the first run.
//   xfr-bench [--resources N] [--changed PCT] [--signed] [--runs R] [--json]
// Prints a table with the incremental/full ratios and peak RSS; every time is the median of R.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cidns/dnssec/zone_signer.hpp"
#include "cidns/record/data.hpp"
#include "cidns/util/clock.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/xfr/reader.hpp"
#include "cidns/xfr/writer.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/diff.hpp"
#include "cidns/zone/load.hpp"
#include "zone_gen.hpp"

namespace {

using namespace cidns;
using clock_type = std::chrono::steady_clock;
using zone_ptr = std::shared_ptr<const zone::compiled_zone>;

struct bench_options {
  std::size_t resources = 10000;
  double changed = 1.0;  // percent of the resources whose STATE changes
  bool sign = false;
  unsigned runs = 3;
  bool json = false;
};

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

long peak_rss_mib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "xfr-bench: %s\n", why.c_str());
  std::exit(1);
}

std::string gen_zone_text(std::size_t resources) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = ::open_memstream(&buf, &size);
  if (f == nullptr) die("open_memstream failed");
  bench::write_cidns_zone(f, resources);
  std::fclose(f);
  std::string text(buf, size);
  std::free(buf);  // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  return text;
}

// The online signer of the primary (zone_manager's pipeline_options): one key, a fixed window,
// and for a new version the SIGs of RRsets that `changed` does not name kept as they are.
struct signer {
  std::vector<dnssec::zone_key> keys;
  std::uint64_t inception = 0;
  std::uint64_t expiration = 0;

  zone::transform transform(std::function<bool(const name::identifier&, record::rtype)> changed,
                            std::size_t* signatures) const {
    return [this, changed = std::move(changed), signatures](
               zone::contents& z, const zone::layout& shape) -> result<void> {
      dnssec::sign_options so;
      so.keys = keys;
      so.inception = inception;
      so.expiration = expiration;
      if (changed) {
        so.reuse_until = expiration - 1;
        so.changed = changed;
      }
      auto r = dnssec::sign_zone(z, shape, so);
      if (!r) return std::move(r).err();
      if (signatures != nullptr) *signatures = r->signatures;
      return {};
    };
  }
};

zone::load_options primary_options(const name::identifier& origin, const signer* s,
                                   std::function<bool(const name::identifier&, record::rtype)> ch,
                                   std::size_t* signatures) {
  zone::load_options o;
  o.read.origin = origin;
  o.compile = true;
  if (s != nullptr) o.sign = s->transform(std::move(ch), signatures);
  return o;
}

zone_ptr compiled_or_die(zone::loaded_zone&& built, const char* what) {
  if (!built.ok() || !built.compiled) {
    auto m = built.messages();
    die(fmt::format("{}: {}", what, m.empty() ? std::string("compile failed") : m.front()));
  }
  return std::move(built.compiled);
}

// The owners whose STATE changes: `count` resources spread evenly over the zone.
std::unordered_set<std::string> chosen_owners(std::size_t resources, std::size_t count) {
  std::unordered_set<std::string> out;
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t i = j * resources / count;
    out.insert(fmt::format("r{}.pool{}.{}", i, i / 1000, bench::gen_origin));
  }
  return out;
}

// The STATE a provider's agent would publish next: a unit taken, a new score, 5 min later.
std::string next_state(const std::string& old_data) {
  auto st = record::state::decode(old_data);
  if (!st) die("a STATE does not decode: " + st.err().message);
  st->free = st->free.value_or(0) + 1;
  st->score = (st->score.value_or(0) + 1) % 11;
  st->updated = st->updated.value_or(0) + 300;
  return st->encode();
}

struct new_version {
  zone_ptr zone;
  std::size_t changed_rrsets = 0;
  std::size_t signatures = 0;  // made for it (the rest were kept)
  double build_ms = 0;
};

// The primary's next version: the old one decompiled, the chosen STATEs replaced and the
// serial raised, then checked, re-signed (changed RRsets only) and compiled.
new_version make_new_version(const zone::compiled_zone& old, const bench_options& o,
                             const signer* s) {
  new_version v;
  const auto t0 = clock_type::now();
  const std::size_t count = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::llround(o.resources * o.changed / 100.0)));
  const auto owners = chosen_owners(o.resources, std::min(count, o.resources));
  auto z = zone::decompile(old);
  for (auto& r : z.records) {
    if (r.type == record::rtype::state && owners.contains(r.owner.text())) {
      r.data = next_state(r.data);
      ++v.changed_rrsets;
    } else if (r.type == record::rtype::soa && r.owner == z.origin) {
      auto soa = record::soa::decode(r.data);
      if (!soa) die("the SOA does not decode");
      soa->serial = record::next_serial(soa->serial);
      r.data = soa->encode();
    }
  }
  z.touch();
  auto changed = [&owners](const name::identifier& owner, record::rtype t) {
    return t == record::rtype::soa || (t == record::rtype::state && owners.contains(owner.text()));
  };
  v.zone = compiled_or_die(
      zone::load_contents(std::move(z), primary_options(old.origin(), s, changed, &v.signatures)),
      "the new version");
  v.build_ms = ms_since(t0);
  return v;
}

wire::message transfer_request(const zone::compiled_zone& have, bool incremental) {
  wire::message q;
  q.id = 4242;
  q.opcode = wire::opcode::xfr;
  q.question = wire::question{have.origin(), record::rtype::soa};
  if (incremental) {
    q.authority.push_back(have.soa_record());
  }
  return q;
}

struct stream {
  std::vector<std::string> messages;  // encoded
  std::size_t bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t count = 0;  // messages
  double ms = 0;
};

// Every reply message of `w`, encoded.
stream write_stream(xfr::writer w, clock_type::time_point t0) {
  stream s;
  wire::message m;
  for (;;) {
    auto more = w.next(m);
    if (!more) die("writer: " + more.err().message);
    if (!*more) break;
    s.messages.push_back(wire::encode(m));
    s.bytes += s.messages.back().size();
  }
  s.records = w.records();
  s.count = w.messages();
  s.ms = ms_since(t0);
  return s;
}

// Decodes and feeds every message; the reader is complete after it.
std::unique_ptr<xfr::reader> read_stream(const stream& s, const zone::compiled_zone& have,
                                         bool incremental, double& ms) {
  const auto t0 = clock_type::now();
  std::optional<std::uint32_t> from;
  if (incremental) from = have.serial();
  auto r = std::make_unique<xfr::reader>(have.origin(), from);
  wire::message m;
  for (const auto& bytes : s.messages) {
    if (auto d = wire::decode(bytes, m); !d) die("decode: " + d.err().message);
    auto done = r->feed(m);
    if (!done) die("reader: " + done.err().message);
  }
  ms = ms_since(t0);
  if (!r->complete()) die("the transfer did not complete");
  return r;
}

// zone_manager::apply_transfer without the copy on disk: a full transfer's contents checked
// and compiled; an incremental one as RRset changes patched into the old version
// (compiled_zone::patched), or, where a patch cannot apply, the changesets applied to the
// decompiled old version, checked and compiled. `contents_ms`: until the contents or the RRset
// changes are ready.
zone_ptr secondary_apply(xfr::reader& r, const zone::compiled_zone& old, double& ms,
                         double& contents_ms, double& decompile_ms) {
  const auto t0 = clock_type::now();
  zone::contents z;
  if (r.kind() == xfr::transfer_kind::full) {
    z = r.take_contents();
  } else {
    auto changes = r.take_changesets();
    if (auto rrsets = zone::rrset_changes(old, changes); rrsets) {
      contents_ms = ms_since(t0);
      if (auto next = old.patched(*rrsets, nullptr)) {
        ms = ms_since(t0);
        return next;
      }
    }
    fmt::print(stderr, "xfr-bench: the incremental transfer does not patch; rebuilding\n");
    z = zone::decompile(old);
    decompile_ms = ms_since(t0);
    if (auto a = zone::apply_changesets(z, changes); !a) die("apply: " + a.err().message);
  }
  contents_ms = ms_since(t0);
  zone::load_options o;
  o.read.origin = old.origin();
  o.compile = true;
  auto built = compiled_or_die(zone::load_contents(std::move(z), o), "the secondary's version");
  ms = ms_since(t0);
  return built;
}

// The secondary's version is the primary's: the same serial and nothing else differs.
void check_same(const zone::compiled_zone& got, const zone::compiled_zone& want, const char* how) {
  const auto d = zone::diff(got, want);
  if (got.serial() != want.serial() || d.removed.size() != 1 || d.added.size() != 1) {
    die(fmt::format("{} transfer: the secondary's version differs ({} removed, {} added)", how,
                    d.removed.size(), d.added.size()));
  }
}

struct side {  // one kind of transfer over the runs
  std::size_t bytes = 0;
  std::uint64_t records = 0, messages = 0;
  std::vector<double> write_ms, read_ms, apply_ms, contents_ms, decompile_ms;
};

void run_transfer(side& out, const zone_ptr& old, const zone_ptr& now,
                  const record::changeset* change, bool check) {
  const bool incremental = change != nullptr;
  const auto request = transfer_request(*old, incremental);
  const auto t0 = clock_type::now();
  auto w = incremental ? xfr::writer::incremental(request, now, {*change})
                       : xfr::writer::full(request, now);
  // The changeset copy above is what a primary reads from its history: counted.
  stream s = write_stream(std::move(w), t0);
  double read_ms = 0, apply_ms = 0, contents_ms = 0, decompile_ms = 0;
  auto reader = read_stream(s, *old, incremental, read_ms);
  s.messages = {};
  auto built = secondary_apply(*reader, *old, apply_ms, contents_ms, decompile_ms);
  if (check) check_same(*built, *now, incremental ? "incremental" : "full");
  out.bytes = s.bytes;
  out.messages = s.count;
  out.records = s.records;
  out.write_ms.push_back(s.ms);
  out.read_ms.push_back(read_ms);
  out.apply_ms.push_back(apply_ms);
  out.contents_ms.push_back(contents_ms);
  out.decompile_ms.push_back(decompile_ms);
}

}  // namespace

namespace {

struct figures {
  std::size_t records = 0;  // in the new version
  double load_ms = 0;
  new_version next;
  std::size_t removed = 0, added = 0;
  std::vector<double> diff_ms;
  side full, incr;
};

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

double total_ms(const side& s) {
  return median(s.write_ms) + median(s.read_ms) + median(s.apply_ms);
}

void print_row(const char* what, double full, double incr, int decimals) {
  fmt::print("{:<28}{:>14.{}f}{:>14.{}f}{:>12.4f}\n", what, full, decimals, incr, decimals,
             ratio(incr, full));
}

void print_table(const bench_options& o, const figures& f) {
  fmt::print(
      "xfr-bench: {} resources, {}, STATE of {} resources changed ({:.2f} %), median of {} "
      "run(s)\n",
      o.resources, o.sign ? "signed online (ed25519)" : "unsigned", f.next.changed_rrsets,
      o.changed, o.runs);
  fmt::print(
      "zone: {} records, read+check{}+compile {:.0f} ms; new version (decompile, edit, {}"
      "compile) {:.0f} ms\n",
      f.records, o.sign ? "+sign" : "", f.load_ms,
      o.sign ? fmt::format("{} signatures made, ", f.next.signatures) : std::string(),
      f.next.build_ms);
  fmt::print("zone::diff: {} records removed, {} added, {:.2f} ms\n\n", f.removed, f.added,
             median(f.diff_ms));
  fmt::print("{:<28}{:>14}{:>14}{:>12}\n", "", "full", "incremental", "incr/full");
  print_row("records sent", f.full.records, f.incr.records, 0);
  print_row("messages", f.full.messages, f.incr.messages, 0);
  print_row("bytes", f.full.bytes, f.incr.bytes, 0);
  print_row("writer + encode ms", median(f.full.write_ms), median(f.incr.write_ms), 2);
  print_row("decode + reader ms", median(f.full.read_ms), median(f.incr.read_ms), 2);
  print_row("secondary apply ms", median(f.full.apply_ms), median(f.incr.apply_ms), 2);
  print_row("  contents/changes ready", median(f.full.contents_ms), median(f.incr.contents_ms), 2);
  print_row("    of which decompile", 0, median(f.incr.decompile_ms), 2);
  print_row("  compile / patch", median(f.full.apply_ms) - median(f.full.contents_ms),
            median(f.incr.apply_ms) - median(f.incr.contents_ms), 2);
  print_row("total ms", total_ms(f.full), total_ms(f.incr), 2);
  print_row("total ms, incr. with diff", total_ms(f.full), total_ms(f.incr) + median(f.diff_ms), 2);
  fmt::print("\npeak RSS {} MiB\n", peak_rss_mib());
}

nlohmann::json side_json(const side& s) {
  return {{"records", s.records},
          {"messages", s.messages},
          {"bytes", s.bytes},
          {"write_ms", median(s.write_ms)},
          {"read_ms", median(s.read_ms)},
          {"apply_ms", median(s.apply_ms)},
          {"apply_contents_ms", median(s.contents_ms)},
          {"apply_decompile_ms", median(s.decompile_ms)},
          {"total_ms", total_ms(s)}};
}

void print_json(const bench_options& o, const figures& f) {
  nlohmann::json j = {
      {"resources", o.resources},
      {"signed", o.sign},
      {"changed_percent", o.changed},
      {"changed_rrsets", f.next.changed_rrsets},
      {"runs", o.runs},
      {"records", f.records},
      {"load_ms", f.load_ms},
      {"new_version_ms", f.next.build_ms},
      {"diff", {{"removed", f.removed}, {"added", f.added}, {"ms", median(f.diff_ms)}}},
      {"full", side_json(f.full)},
      {"incremental", side_json(f.incr)},
      {"ratio",
       {{"bytes", ratio(f.incr.bytes, f.full.bytes)},
        {"write", ratio(median(f.incr.write_ms), median(f.full.write_ms))},
        {"read", ratio(median(f.incr.read_ms), median(f.full.read_ms))},
        {"apply", ratio(median(f.incr.apply_ms), median(f.full.apply_ms))},
        {"total", ratio(total_ms(f.incr), total_ms(f.full))}}},
      {"peak_rss_mib", peak_rss_mib()}};
  fmt::print("{}\n", j.dump(2));
}

signer make_signer() {
  signer s;
  s.keys.push_back(
      dnssec::zone_key::from(dnssec::private_key::generate(record::algorithm::ed25519), true));
  const std::uint64_t now = util::unix_seconds();
  s.inception = now - 3600;
  s.expiration = now + 30 * 86400;
  return s;
}

figures measure(const bench_options& o) {
  figures f;
  const auto origin = name::identifier::parse(bench::gen_origin).value();
  const signer s = o.sign ? make_signer() : signer{};
  const signer* sp = o.sign ? &s : nullptr;
  auto t0 = clock_type::now();
  zone_ptr old;
  {
    const std::string text = gen_zone_text(o.resources);
    old = compiled_or_die(zone::load_text(text, "gen-zone", primary_options(origin, sp, {}, {})),
                          "the zone");
  }
  f.load_ms = ms_since(t0);
  f.next = make_new_version(*old, o, sp);
  f.records = f.next.zone->record_count();
  record::changeset change;
  for (unsigned r = 0; r < o.runs; ++r) {
    t0 = clock_type::now();
    change = zone::diff(*old, *f.next.zone);
    f.diff_ms.push_back(ms_since(t0));
  }
  f.removed = change.removed.size();
  f.added = change.added.size();
  for (unsigned r = 0; r < o.runs; ++r) {
    run_transfer(f.full, old, f.next.zone, nullptr, r == 0);
    run_transfer(f.incr, old, f.next.zone, &change, r == 0);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  bench_options o;
  CLI::App app{"xfr-bench: full against incremental zone transfers, in process"};
  app.add_option("--resources", o.resources, "resources in the zone (DESC + STATE + EP each)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--changed", o.changed, "percent of the resources whose STATE changes (1)")
      ->check(CLI::Range(0.0001, 100.0));
  app.add_flag("--signed", o.sign, "sign online with a fresh Ed25519 key (changes re-signed)");
  app.add_option("--runs", o.runs, "repetitions; times are their median (3)")
      ->check(CLI::Range(1U, 1000U));
  app.add_flag("--json", o.json, "the figures as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const figures f = measure(o);
  if (o.json) {
    print_json(o, f);
  } else {
    print_table(o, f);
  }
  return 0;
}
