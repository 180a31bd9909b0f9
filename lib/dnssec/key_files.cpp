// Key files and record files (key_files.hpp).
#include "cidns/dnssec/key_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cidns/record/data.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/zone/reader.hpp"

namespace cidns::dnssec {

std::string key_file_base(const name::identifier& zone, const zone_key& key) {
  return fmt::format("K{}+{}+{:05}", zone.text(),
                     algorithm_name(static_cast<std::uint32_t>(key.key.algorithm())), key.tag);
}

result<key_file_pair> write_key_files(const name::identifier& zone, const zone_key& key,
                                      const std::string& dir, std::uint32_t ttl) {
  const std::filesystem::path base = std::filesystem::path(dir) / key_file_base(zone, key);
  key_file_pair out{base.string() + ".private", base.string() + ".key"};
  for (const auto& p : {out.private_path, out.public_path}) {
    if (std::filesystem::exists(p)) return make_error(p + ": exists already; not replaced");
  }
  if (auto r = key.key.save(out.private_path); !r) return std::move(r).err();
  std::ofstream pub(out.public_path, std::ios::binary | std::ios::trunc);
  pub << "; " << (key.sep ? "key-signing" : "zone-signing") << " key " << key.tag << " for "
      << zone.text() << "\n"
      << record::format_rr(record::rr{zone, record::rtype::key, ttl, key.key_data}) << "\n";
  pub.close();
  if (!pub)
    return make_error(fmt::format("{}: cannot write: {}", out.public_path, std::strerror(errno)));
  return out;
}

result<std::vector<record::rr>> read_records(const std::string& path) {
  zone::reader_options o;
  o.origin = name::identifier();  // owners are absolute; relative ones are below the root
  o.allow_include = false;
  o.max_errors = 20;
  auto r = zone::read_file(path, o);
  if (!r) return std::move(r).err();
  if (!r->ok()) {
    std::string msg;
    for (const auto& d : r->diagnostics) {
      if (d.level != zone::severity::error) continue;
      msg += (msg.empty() ? "" : "\n") + zone::format_diagnostic(d, r->zone.files);
    }
    return make_error(msg);
  }
  return std::move(r->zone.records);
}

result<zone_key> load_zone_key(const std::string& path) {
  std::filesystem::path p(path);
  std::filesystem::path private_path = p, public_path = p;
  if (p.extension() == ".key") {
    private_path.replace_extension(".private");
  } else {
    public_path.replace_extension(".key");
  }
  auto key = private_key::load(private_path.string());
  if (!key) return std::move(key).err();
  bool sep = false;
  if (public_path != private_path && std::filesystem::exists(public_path)) {
    auto recs = read_records(public_path.string());
    if (!recs) return std::move(recs).err();
    bool found = false;
    for (const auto& r : *recs) {
      if (r.type != record::rtype::key) continue;
      auto k = record::key::decode(r.data);
      if (!k || k->public_key != key->public_key_bytes()) continue;
      sep = (k->flags & record::key_flag_sep) != 0;
      found = true;
    }
    if (!found) {
      return make_error(fmt::format("{}: no KEY record matching the private key in {}",
                                    public_path.string(), private_path.string()));
    }
  }
  return zone_key::from(std::move(*key), sep);
}

}  // namespace cidns::dnssec
