// The zone pipeline (load.hpp).
#include "cidns/zone/load.hpp"

#include <exception>

namespace cidns::zone {
namespace {

void zone_wide_error(loaded_zone& z, std::string message) {
  z.diagnostics.push_back(diagnostic{severity::error, 0, 1, 1, std::move(message)});
  ++z.errors;
}

void run_pipeline(load_result read, const load_options& options, loaded_zone& out) {
  out.zone = std::move(read.zone);
  out.diagnostics = std::move(read.diagnostics);
  out.errors = read.errors;
  out.warnings = read.warnings;
  out.files = out.zone.files;
  // Semantic checks only on a zone that parsed: a broken record would make
  // them report follow-on problems (e.g. a missing SOA whose line had a typo).
  if (out.errors > 0) return;
  if (options.amend) {
    if (auto r = options.amend(out.zone); !r) {
      zone_wide_error(out, r.err().message);
      return;
    }
  }
  out.shape = adjust(out.zone);
  auto summary = check(out.zone, out.shape, out.diagnostics, options.check);
  out.errors += summary.errors;
  out.warnings += summary.warnings;
  if (out.errors > 0) return;
  if (options.sign) {
    result<void> signed_ok = make_error("");
    try {
      signed_ok = options.sign(out.zone, out.shape);
    } catch (const std::exception& e) {
      signed_ok = make_error(e.what());
    }
    if (!signed_ok) {
      zone_wide_error(out, "signing failed: " + signed_ok.err().message);
      return;
    }
    out.shape = adjust(out.zone);
  }
  if (!options.compile) return;
  try {
    out.compiled =
        compiled_zone::compile(std::move(out.zone), std::move(out.shape), options.previous);
  } catch (const std::exception& e) {
    zone_wide_error(out, e.what());
  }
  out.zone = contents{};
  out.shape = layout{};
}

}  // namespace

std::vector<std::string> loaded_zone::messages() const {
  std::vector<std::string> out;
  out.reserve(diagnostics.size());
  for (const auto& d : diagnostics) out.push_back(format_diagnostic(d, files));
  return out;
}

result<loaded_zone> load(const std::string& path, const load_options& options) {
  auto read = read_file(path, options.read);
  if (!read) return std::move(read).err();
  loaded_zone out;
  run_pipeline(std::move(*read), options, out);
  return out;
}

loaded_zone load_contents(contents zone, const load_options& options) {
  load_result read;
  read.zone = std::move(zone);
  loaded_zone out;
  run_pipeline(std::move(read), options, out);
  return out;
}

loaded_zone load_text(std::string_view text, std::string file_name, const load_options& options) {
  loaded_zone out;
  run_pipeline(read_text(text, std::move(file_name), options.read), options, out);
  return out;
}

}  // namespace cidns::zone
