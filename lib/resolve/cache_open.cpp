// Opening an lmdb_cache: creating the directory, checking the file and its format-version
// stamp, and moving a bad file aside so the resolver keeps serving (lmdb_cache.hpp).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <variant>

#include <fmt/format.h>

#include "cidns/store/schema.hpp"
#include "lmdb_cache_state.hpp"

namespace cidns::resolve {
namespace {

namespace fs = std::filesystem;

std::atomic<std::uint64_t> g_next_id{1};

void make_dir(const std::string& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  fs::create_directories(
      fs::path(dir).parent_path().empty() ? fs::path(".") : fs::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error(
        fmt::format("cache directory {}: cannot create: {}", dir, std::strerror(errno)));
  }
}

// A new state, or why the file in `dir` cannot be used.
std::variant<std::unique_ptr<lmdb_cache::state>, std::string> try_open(
    const lmdb_cache_options& o) {
  store::env_options eo;
  eo.map_size = o.max_size;
  eo.max_dbs = 4;
  eo.flags = MDB_NOSYNC | MDB_NORDAHEAD;
  try {
    auto s = std::make_unique<lmdb_cache::state>(o, store::env::open(o.dir, eo));
    s->env.reader_check();
    auto t = store::txn::begin(s->env, store::txn::mode::read_write);
    s->main = t.open_dbi(nullptr, false);
    s->entries = t.open_dbi("entries", true);
    s->age = t.open_dbi("age", true);
    s->meta = t.open_dbi("meta", true);
    auto v = store::check_format_version(t, s->meta, s->entries, lmdb_cache::format_version);
    if (v == store::version_check::mismatch) {
      return fmt::format("has another format version (this build writes {})",
                         lmdb_cache::format_version);
    }
    t.commit();
    s->id = g_next_id.fetch_add(1);
    return s;
  } catch (const store::lmdb_error& e) {
    return std::string(e.what());
  }
}

std::string move_aside(const std::string& dir) {
  const fs::path data = fs::path(dir) / "data.mdb";
  fs::path to = data;
  to += fmt::format(".corrupt-{}", static_cast<long long>(std::time(nullptr)));
  for (int i = 1; fs::exists(to); ++i) {
    to = data;
    to += fmt::format(".corrupt-{}.{}", static_cast<long long>(std::time(nullptr)), i);
  }
  std::error_code ec;
  fs::rename(data, to, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cache {}: cannot move aside: {}", data.string(), ec.message()));
  }
  // The lock file describes readers of the old file: processes still using it keep their
  // open copy, new ones start a fresh one.
  fs::remove(fs::path(dir) / "lock.mdb", ec);
  return to.string();
}

}  // namespace

std::unique_ptr<lmdb_cache> lmdb_cache::open(lmdb_cache_options options) {
  make_dir(options.dir);
  auto first = try_open(options);
  if (auto* s = std::get_if<0>(&first))
    return std::unique_ptr<lmdb_cache>(new lmdb_cache(std::move(*s)));
  const std::string problem = std::get<1>(first);
  if (!fs::exists(fs::path(options.dir) / "data.mdb")) {
    throw std::runtime_error(fmt::format("cache {}: cannot create: {}", options.dir, problem));
  }
  const std::string aside = move_aside(options.dir);
  if (options.log) {
    options.log(
        fmt::format("cache {}: {}; moved aside to {} and recreated", options.dir, problem, aside));
  }
  auto second = try_open(options);
  if (auto* s = std::get_if<0>(&second))
    return std::unique_ptr<lmdb_cache>(new lmdb_cache(std::move(*s)));
  throw std::runtime_error(
      fmt::format("cache {}: cannot create: {}", options.dir, std::get<1>(second)));
}

lmdb_cache::lmdb_cache(std::unique_ptr<state> s) : m(std::move(s)) {}

lmdb_cache::~lmdb_cache() {
  if (!m) return;
  m->alive.reset();
  std::lock_guard lock(m->readers_mutex);
  m->readers.clear();  // aborts every thread's read transaction before the env closes
}

const std::string& lmdb_cache::dir() const noexcept { return m->opts.dir; }

}  // namespace cidns::resolve
