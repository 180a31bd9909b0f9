// libFuzzer target: a zone transfer's reply stream (include/cidns/xfr/reader.hpp). The input
// is a first byte choosing the transfer asked (odd: incremental from serial byte >> 1; even:
// full) and then messages, each prefixed by its length as 2 bytes big-endian (as on TCP),
// decoded with wire::decode and fed to a reader for zone "z.". The reader never crashes,
// stays failed after an error, and what it accepts keeps its promises: changesets chain from
// the serial asked to the one brought; an incremental transfer patched into a small zone at
// the serial asked (zone::rrset_changes + compiled_zone::patched, as a secondary applies it)
// holds exactly the records the full pipeline compiles from the same changesets; a full zone
// that loads goes through the writer and a second reader to exactly what the zone decompiles
// to.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cidns/wire/message.hpp"
#include "cidns/xfr/reader.hpp"
#include "cidns/xfr/writer.hpp"
#include "cidns/zone/amend.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "cidns/zone/load.hpp"

using namespace cidns;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_changesets(const std::vector<record::changeset>& cs, std::uint32_t have,
                      std::uint32_t serial) {
  check(!cs.empty() && cs.front().from == have && cs.back().to == serial);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    check(!cs[i].removed.empty() && !cs[i].added.empty());
    check(cs[i].removed.front().type == record::rtype::soa);
    check(cs[i].added.front().type == record::rtype::soa);
    if (i > 0) check(cs[i].from == cs[i - 1].to);
  }
}

using zone_ptr = std::shared_ptr<const zone::compiled_zone>;

// The records of `c`, sorted.
std::vector<record::rr> sorted(zone::contents c) {
  c.sort_canonical();
  return std::move(c.records);
}

// The small zone "z." at `serial`: the TXTs the seeds' incremental transfers change (one
// below an empty non-terminal), a resource, a delegation.
const zone::compiled_zone& base_zone(std::uint32_t serial) {
  static std::array<zone_ptr, 128> zones;
  auto& z = zones.at(serial);
  if (!z) {
    zone::load_options o;
    o.compile = true;
    auto l = zone::load_text(
        "$ORIGIN z.\n$TTL 1h\n@ SOA ns1 admin " + std::to_string(serial) +
            " 1h 10m 14d 5m\n@ NS ns1\nns1 ADDR 127.0.0.1\na TXT \"two\"\nb TXT \"bee\"\n"
            "b.c DESC kind=gpu\n"
            "b.c STATE free=1\nc.d TXT \"deep\"\nk NS ns.k\nns.k ADDR 127.0.0.2\n",
        "z.zone", o);
    check(l.ok() && l.compiled != nullptr);
    z = l.compiled;
  }
  return *z;
}

// The changesets as a secondary applies them: patched, or (declined) through the pipeline.
// Whatever the patch accepts, the pipeline, when it accepts the same changesets, compiles to
// the same records.
void patch_and_compare(std::uint32_t have, const std::vector<record::changeset>& cs) {
  const auto& base = base_zone(have);
  auto changes = zone::rrset_changes(base, cs);
  zone::contents whole = zone::decompile(base);
  const bool applies = zone::apply_changesets(whole, cs).ok();
  if (!changes) return;
  check(applies);  // the same rules (rrset_changes also checks the data)
  auto patched = base.patched(*changes, nullptr);
  if (!patched) return;
  zone::load_options o;
  o.compile = true;
  auto loaded = zone::load_contents(std::move(whole), o);
  if (!loaded.ok() || !loaded.compiled) return;  // the patch does not check CNAME rules
  check(patched->serial() == loaded.compiled->serial());
  check(patched->name_count() == loaded.compiled->name_count());
  check(sorted(zone::decompile(*patched)) == sorted(zone::decompile(*loaded.compiled)));
  for (const auto& n : loaded.compiled->nodes()) check(patched->find(n->name) != nullptr);
}

// A zone the reader accepted, through the pipeline; when it compiles, the writer's full
// transfer of it reads back as its records.
void round_trip(zone::contents got) {
  zone::load_options o;
  o.compile = true;
  auto loaded = zone::load_contents(std::move(got), o);
  if (!loaded.ok() || !loaded.compiled) return;
  const auto& z = loaded.compiled;
  wire::message request;
  request.opcode = wire::opcode::xfr;
  request.question = wire::question{z->origin(), record::rtype::soa};
  auto w = xfr::writer::full(request, z, 2000);
  xfr::reader again(z->origin(), std::nullopt);
  wire::message m;
  for (;;) {
    auto more = w.next(m);
    if (!more.ok()) return;  // a record over the budget
    if (!*more) break;
    check(wire::encode(m).size() <= 2000);
    check(again.feed(m).ok());
  }
  check(again.complete());
  check(again.take_contents().records == zone::decompile(*z).records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  static const name::identifier apex = name::identifier::parse("z.").value();
  std::optional<std::uint32_t> have;
  if ((bytes[0] & 1U) != 0) have = bytes[0] >> 1U;
  xfr::reader r(apex, have, xfr::reader_limits{10000});
  std::size_t pos = 1;
  bool failed = false;
  while (pos + 2 <= size) {
    const std::size_t len = (std::size_t{bytes[pos]} << 8U) | bytes[pos + 1];
    pos += 2;
    if (len > size - pos) break;
    auto m = wire::decode(std::string_view(reinterpret_cast<const char*>(bytes + pos), len));
    pos += len;
    if (!m) continue;
    auto fed = r.feed(*m);
    if (failed) check(!fed.ok());
    if (!fed.ok()) {
      failed = true;
      check(!r.complete());
      continue;
    }
    check(*fed == r.complete());
  }
  if (!r.complete()) return 0;
  switch (r.kind()) {
    case xfr::transfer_kind::up_to_date:
      check(have.has_value() && r.records() == 1);
      break;
    case xfr::transfer_kind::incremental: {
      auto cs = r.take_changesets();
      check_changesets(cs, *have, r.serial());
      patch_and_compare(*have, cs);
      break;
    }
    case xfr::transfer_kind::full: {
      auto got = r.take_contents();
      check(got.records.size() + 1 == r.records());
      round_trip(std::move(got));
      break;
    }
  }
  return 0;
}
