// The zone journal (journal.hpp): keys, the per-zone entry, and the walk over a zone's
// changesets that checks the chain as it reads.
#include "cidns/store/journal.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "cidns/name/identifier.hpp"
#include "cidns/record/data.hpp"
#include "cidns/store/changeset_codec.hpp"
#include "cidns/store/schema.hpp"

namespace cidns::store {
namespace {

namespace fs = std::filesystem;
using record::changeset;

// A zone's entry in the "zones" database (layout in journal.hpp).
struct zone_meta {
  std::uint32_t first = 0, last = 0;
  std::uint64_t first_seq = 0, next_seq = 0, bytes = 0;
  std::uint64_t count() const noexcept { return next_seq - first_seq; }
};
constexpr std::size_t meta_size = 32;

void put_be(std::string& out, std::uint64_t v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_be(std::string_view in) {
  std::uint64_t v = 0;
  for (unsigned char c : in) v = (v << 8) | c;
  return v;
}

std::string encode_meta(const zone_meta& m) {
  std::string out;
  out.reserve(meta_size);
  put_be(out, m.first, 4);
  put_be(out, m.last, 4);
  put_be(out, m.first_seq, 8);
  put_be(out, m.next_seq, 8);
  put_be(out, m.bytes, 8);
  return out;
}

std::optional<zone_meta> decode_meta(std::string_view v) {
  if (v.size() != meta_size) return std::nullopt;
  zone_meta m;
  m.first = static_cast<std::uint32_t>(get_be(v.substr(0, 4)));
  m.last = static_cast<std::uint32_t>(get_be(v.substr(4, 4)));
  m.first_seq = get_be(v.substr(8, 8));
  m.next_seq = get_be(v.substr(16, 8));
  m.bytes = get_be(v.substr(24, 8));
  if (m.first_seq > m.next_seq) return std::nullopt;
  return m;
}

// A zone text that can be a key: not empty, no 0x00 (the separator). Readers treat any other
// text as a zone without history; append wants canonical text.
bool usable(std::string_view zone) {
  return !zone.empty() && zone.find('\0') == std::string_view::npos;
}

std::string key_prefix(std::string_view zone) {
  std::string out(zone);
  out.push_back('\0');
  return out;
}

std::string changeset_key(std::string_view zone, std::uint64_t seq) {
  std::string out = key_prefix(zone);
  put_be(out, seq, 8);
  return out;
}

[[noreturn]] void corrupted(const std::string& dir, std::string_view zone,
                            std::optional<std::uint64_t> seq, std::string_view what) {
  const std::string at = seq ? fmt::format(" sequence {}", *seq) : std::string();
  throw std::runtime_error(
      fmt::format("journal {}: zone {}{}: corrupted journal: {}", dir, zone, at, what));
}

std::optional<zone_meta> read_meta(const txn& t, dbi zones, const std::string& dir,
                                   std::string_view zone) {
  if (!usable(zone)) return std::nullopt;
  auto v = t.get(zones, zone);
  if (!v) return std::nullopt;
  auto m = decode_meta(*v);
  if (!m) corrupted(dir, zone, std::nullopt, "bad zone entry");
  return m;
}

// One changeset as the walk sees it: the value is a view into the map (valid until the
// transaction writes or ends).
struct stored {
  std::uint64_t seq = 0;
  std::size_t key_size = 0;
  std::string_view value;
  changeset_serials serials;
};

// Every changeset of a zone in order, checked: keys well formed, sequence numbers consecutive
// from the entry's first, each `from` the previous `to` (the first: the entry's first serial),
// the count and last serial those of the entry.
std::vector<stored> walk(const txn& t, dbi changesets, const std::string& dir,
                         std::string_view zone, const zone_meta& m) {
  std::vector<stored> out;
  const std::string prefix = key_prefix(zone);
  auto c = t.open_cursor(changesets);
  std::uint32_t expected_from = m.first;
  for (auto it = c.lower_bound(prefix); it && has_prefix(it->first, prefix); it = c.next()) {
    const std::uint64_t expected_seq = m.first_seq + out.size();
    if (it->first.size() != prefix.size() + 8) {
      corrupted(dir, zone, std::nullopt, fmt::format("key of {} bytes", it->first.size()));
    }
    const std::uint64_t seq = get_be(it->first.substr(prefix.size()));
    if (seq != expected_seq) {
      corrupted(dir, zone, seq, fmt::format("expected sequence {}", expected_seq));
    }
    auto s = decode_changeset_serials(it->second);
    if (!s) corrupted(dir, zone, seq, s.err().message);
    if (s->from != expected_from) {
      corrupted(dir, zone, seq, fmt::format("starts at serial {}, not {}", s->from, expected_from));
    }
    expected_from = s->to;
    out.push_back(stored{seq, it->first.size(), it->second, *s});
  }
  if (out.size() != m.count()) {
    corrupted(dir, zone, std::nullopt,
              fmt::format("{} changesets where the entry records {}", out.size(), m.count()));
  }
  if (!out.empty() && out.back().serials.to != m.last) {
    corrupted(dir, zone, std::nullopt, "the last changeset does not end at the last serial");
  }
  return out;
}

changeset decode_stored(const std::string& dir, std::string_view zone, const stored& s) {
  auto c = decode_changeset(s.value);
  if (!c) corrupted(dir, zone, s.seq, c.err().message);
  return std::move(*c);
}

// The SOA that opens `list` must be the zone's, with serial `serial`.
result<void> check_soa(std::string_view zone, const std::vector<record::rr>& list,
                       std::uint32_t serial, std::string_view which) {
  if (list.empty() || list.front().type != record::rtype::soa) {
    return make_error(fmt::format("changeset: {} does not start with an SOA", which));
  }
  if (list.front().owner.text() != zone) {
    return make_error(fmt::format("changeset: the SOA {} is not the zone's", which));
  }
  auto soa = record::soa::decode(list.front().data);
  if (!soa) return make_error(fmt::format("changeset: SOA {}: {}", which, soa.err().message));
  if (soa->serial != serial) {
    return make_error(fmt::format("changeset: SOA {} has serial {}, the changeset says {}", which,
                                  soa->serial, serial));
  }
  return {};
}

result<void> check_changeset(std::string_view zone, const changeset& c) {
  auto parsed = name::identifier::parse(zone);
  if (!parsed || parsed->text() != zone) {
    return make_error(fmt::format("journal: zone \"{}\" is not a canonical name", zone));
  }
  if (!record::serial_after(c.to, c.from)) {
    return make_error(fmt::format("changeset: serial {} does not follow {}", c.to, c.from));
  }
  if (auto ok = check_soa(zone, c.removed, c.from, "removed"); !ok) return ok;
  if (auto ok = check_soa(zone, c.added, c.to, "added"); !ok) return ok;
  return check_changeset_limits(c);
}

void make_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error(
        fmt::format("journal {}: cannot create: {}", dir.string(), std::strerror(errno)));
  }
}

}  // namespace

journal journal::open(const fs::path& dir, std::uint64_t map_size) {
  make_dir(dir);
  env_options o;
  o.map_size = map_size;
  o.max_dbs = 4;
  o.flags = 0;  // every commit syncs (LMDB's default): append is durable when it returns
  try {
    env e = env::open(dir.string(), o);
    e.reader_check();
    auto t = txn::begin(e, txn::mode::read_write);
    const dbi changesets = t.open_dbi("changesets", true);
    const dbi zones = t.open_dbi("zones", true);
    const dbi meta = t.open_dbi("meta", true);
    if (check_format_version(t, meta, changesets, format_version) == version_check::mismatch) {
      throw std::runtime_error(
          fmt::format("journal {}: has another format version (this build reads and writes {})",
                      dir.string(), format_version));
    }
    t.commit();
    return journal(std::move(e), changesets, zones);
  } catch (const lmdb_error& e) {
    throw std::runtime_error(fmt::format("journal {}: {}", dir.string(), e.what()));
  }
}

result<void> journal::append(std::string_view zone, const changeset& c) {
  if (auto ok = check_changeset(zone, c); !ok) return ok;
  const std::string value = encode_changeset(c);
  try {
    auto t = txn::begin(m_env, txn::mode::read_write);
    auto m = read_meta(t, m_zones, dir(), zone);
    if (m && c.from != m->last) {
      return make_error(
          fmt::format("journal: zone {}: changeset from serial {} does not follow "
                      "the journal's last serial {}",
                      zone, c.from, m->last));
    }
    if (!m) m = zone_meta{c.from, c.from, 0, 0, 0};
    if (m->count() == 0) m->first = c.from;
    const std::string key = changeset_key(zone, m->next_seq);
    if (t.get(m_changesets, key)) corrupted(dir(), zone, m->next_seq, "next sequence in use");
    t.put(m_changesets, key, value);
    ++m->next_seq;
    m->last = c.to;
    m->bytes += key.size() + value.size();
    t.put(m_zones, zone, encode_meta(*m));
    t.commit();
    return {};
  } catch (const lmdb_error& e) {
    if (e.code() != MDB_MAP_FULL) throw;
    return make_error(fmt::format("journal {}: full: {}", dir(), e.what()));
  }
}

std::optional<std::vector<changeset>> journal::since(std::string_view zone,
                                                     std::uint32_t serial) const {
  auto t = txn::begin(m_env, txn::mode::read_only);
  auto m = read_meta(t, m_zones, dir(), zone);
  if (!m) return std::nullopt;
  if (serial == m->last) return std::vector<changeset>{};
  const auto kept = walk(t, m_changesets, dir(), zone, *m);
  // The newest changeset that starts at `serial` (serials may repeat after a wrap).
  std::size_t start = kept.size();
  for (std::size_t i = kept.size(); i-- > 0;) {
    if (kept[i].serials.from == serial) {
      start = i;
      break;
    }
  }
  if (start == kept.size()) return std::nullopt;
  std::vector<changeset> out;
  out.reserve(kept.size() - start);
  for (std::size_t i = start; i < kept.size(); ++i)
    out.push_back(decode_stored(dir(), zone, kept[i]));
  return out;
}

std::vector<changeset> journal::all(std::string_view zone) const {
  auto t = txn::begin(m_env, txn::mode::read_only);
  auto m = read_meta(t, m_zones, dir(), zone);
  if (!m) return {};
  std::vector<changeset> out;
  for (const auto& s : walk(t, m_changesets, dir(), zone, *m)) {
    out.push_back(decode_stored(dir(), zone, s));
  }
  return out;
}

journal_usage journal::usage(std::string_view zone) const {
  auto t = txn::begin(m_env, txn::mode::read_only);
  auto m = read_meta(t, m_zones, dir(), zone);
  if (!m) return {};
  return journal_usage{static_cast<std::size_t>(m->count()), m->bytes, m->first, m->last};
}

bool journal::over(std::string_view zone, const journal_limits& limits) const {
  const journal_usage u = usage(zone);
  return u.bytes > limits.max_bytes || u.changesets > limits.max_changesets;
}

namespace {

// Drops the `n` oldest of `kept` (the zone's changesets, oldest first) and commits.
void drop_oldest(txn& t, dbi changesets, dbi zones, std::string_view zone, zone_meta& m,
                 const std::vector<stored>& kept, std::size_t n) {
  if (n == 0) return;
  std::uint64_t freed = 0;
  for (std::size_t i = 0; i < n; ++i) freed += kept[i].key_size + kept[i].value.size();
  m.first = n < kept.size() ? kept[n].serials.from : m.last;
  // The views in `kept` die with the first write.
  for (std::size_t i = 0; i < n; ++i) t.del(changesets, changeset_key(zone, m.first_seq + i));
  m.first_seq += n;
  m.bytes = freed > m.bytes ? 0 : m.bytes - freed;
  t.put(zones, zone, encode_meta(m));
  t.commit();
}

}  // namespace

void journal::drop_through(std::string_view zone, std::uint32_t serial) {
  auto t = txn::begin(m_env, txn::mode::read_write);
  auto m = read_meta(t, m_zones, dir(), zone);
  if (!m) return;
  const auto kept = walk(t, m_changesets, dir(), zone, *m);
  std::size_t n = 0;  // how many to drop
  for (std::size_t i = kept.size(); i-- > 0;) {
    if (kept[i].serials.to == serial) {
      n = i + 1;
      break;
    }
  }
  if (n == 0) {
    while (n < kept.size() && record::serial_after(serial, kept[n].serials.to)) ++n;
  }
  drop_oldest(t, m_changesets, m_zones, zone, *m, kept, n);
}

void journal::trim(std::string_view zone, const journal_limits& limits) {
  auto t = txn::begin(m_env, txn::mode::read_write);
  auto m = read_meta(t, m_zones, dir(), zone);
  if (!m) return;
  const auto kept = walk(t, m_changesets, dir(), zone, *m);
  // Down to half of each limit, so that a journal at its limit is not trimmed on every append.
  std::uint64_t bytes = m->bytes;
  std::size_t n = 0;
  while (n < kept.size() &&
         (bytes > limits.max_bytes / 2 || kept.size() - n > limits.max_changesets / 2)) {
    bytes -= std::min<std::uint64_t>(bytes, kept[n].key_size + kept[n].value.size());
    ++n;
  }
  drop_oldest(t, m_changesets, m_zones, zone, *m, kept, n);
}

void journal::drop_zone(std::string_view zone) {
  if (!usable(zone)) return;
  auto t = txn::begin(m_env, txn::mode::read_write);
  const std::string prefix = key_prefix(zone);
  {
    auto c = t.open_cursor(m_changesets);
    for (auto it = c.lower_bound(prefix); it && has_prefix(it->first, prefix);
         it = c.lower_bound(prefix)) {
      c.del();
    }
  }
  t.del(m_zones, zone);
  t.commit();
}

std::vector<std::string> journal::zones() const {
  auto t = txn::begin(m_env, txn::mode::read_only);
  std::vector<std::string> out;
  auto c = t.open_cursor(m_zones);
  for (auto it = c.first(); it; it = c.next()) {
    auto m = decode_meta(it->second);
    if (!m) corrupted(dir(), it->first, std::nullopt, "bad zone entry");
    if (m->count() != 0) out.emplace_back(it->first);
  }
  return out;
}

}  // namespace cidns::store
