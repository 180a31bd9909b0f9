// The trust anchor file (validator.hpp): DS or KEY records of one zone in presentation format,
// read with the zonefile reader; KEY records become the DS that pins them. Errors come back as
// "file:line:col: message", one line each.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cidns/dnssec/canonical.hpp"
#include "cidns/resolve/validator.hpp"
#include "cidns/zone/reader.hpp"

namespace cidns::resolve {
namespace {

using record::rtype;

zone::reader_options anchor_reader_options() {
  zone::reader_options o;
  o.origin = name::identifier();  // owners are absolute; relative ones are below the root
  o.allow_include = false;
  o.max_errors = 20;
  return o;
}

std::string located(const zone::contents& z, std::size_t i, std::string_view message) {
  const auto& pos = z.positions[i];
  std::string_view file = pos.file < z.files.size() ? std::string_view(z.files[pos.file]) : "";
  return fmt::format("{}:{}:{}: {}", file, pos.line, pos.col, message);
}

// One record of the file as a DS of the anchor's zone, or why it cannot be one.
result<record::ds> anchor_ds(const record::rr& r) {
  if (r.type == rtype::ds) return record::ds::decode(r.data);
  if (r.type != rtype::key) {
    return make_error(
        fmt::format("a trust anchor holds DS or KEY records, not {}", record::type_name(r.type)));
  }
  auto k = record::key::decode(r.data);
  if (!k) return std::move(k).err();
  if ((k->flags & record::key_flag_zone) == 0) {
    return make_error("the KEY is not a zone key (no zone flag)");
  }
  return dnssec::make_ds(r.owner, r.data);
}

result<trust_anchor> from_read(zone::load_result&& read) {
  const auto& z = read.zone;
  if (!read.ok()) {
    std::string msg;
    std::uint32_t line = 0, col = 0;  // of the first error
    for (const auto& d : read.diagnostics) {
      if (d.level != zone::severity::error) continue;
      if (msg.empty()) {
        line = d.line;
        col = d.col;
      }
      std::string_view file = d.file < z.files.size() ? std::string_view(z.files[d.file]) : "";
      msg += fmt::format("{}{}:{}:{}: {}", msg.empty() ? "" : "\n", file, d.line, d.col, d.message);
    }
    return make_error(std::move(msg), line, col);
  }
  if (z.records.empty()) {
    const std::string file = z.files.empty() ? std::string() : z.files.front();
    return make_error(file + ":1:1: no DS or KEY record in the trust anchor", 1, 1);
  }
  trust_anchor out{z.records.front().owner, {}};
  for (std::size_t i = 0; i < z.records.size(); ++i) {
    const auto& r = z.records[i];
    const auto& pos = z.positions[i];
    if (r.owner != out.zone) {
      return make_error(located(z, i,
                                fmt::format("the trust anchor is for {}, not also for {}",
                                            out.zone.text(), r.owner.text())),
                        pos.line, pos.col);
    }
    auto d = anchor_ds(r);
    if (!d) return make_error(located(z, i, d.err().message), pos.line, pos.col);
    if (std::find(out.ds.begin(), out.ds.end(), *d) == out.ds.end()) {
      out.ds.push_back(std::move(*d));
    }
  }
  return out;
}

}  // namespace

result<trust_anchor> load_trust_anchor(const std::string& path) {
  auto read = zone::read_file(path, anchor_reader_options());
  if (!read) return std::move(read).err();
  return from_read(std::move(*read));
}

result<trust_anchor> parse_trust_anchor(std::string_view text, const std::string& file_name) {
  return from_read(zone::read_text(text, file_name, anchor_reader_options()));
}

}  // namespace cidns::resolve
