// cidns-admin zone check | zone print.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cidns/name/identifier.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/zone/load.hpp"
#include "cidns/zone/writer.hpp"
#include "command.hpp"

namespace cidns::admin {
namespace {

struct zone_options {
  std::string file;
  std::string origin;
  bool json = false;
};

// A read and checked zone, or the exit code of a usage / I/O error.
using loaded = zone::loaded_zone;

std::optional<loaded> load(const zone_options& o, int& usage_code) {
  zone::load_options lo;
  if (!o.origin.empty()) {
    auto n = name::identifier::parse(o.origin);
    if (!n) {
      fmt::print(stderr, "cidns-admin: bad --origin '{}': {}\n", o.origin, n.err().message);
      usage_code = exit_usage;
      return std::nullopt;
    }
    lo.read.origin = std::move(*n);
  }
  auto r = zone::load(o.file, lo);
  if (!r) {
    fmt::print(stderr, "cidns-admin: {}\n", r.err().message);
    usage_code = exit_usage;
    return std::nullopt;
  }
  return std::move(*r);
}

void print_diagnostics(const loaded& l, std::FILE* to) {
  for (const auto& m : l.messages()) fmt::print(to, "{}\n", m);
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

int run_check(const zone_options& o) {
  int code = exit_usage;
  auto read = load(o, code);
  if (!read) return code;
  const loaded& l = *read;
  print_diagnostics(l, stdout);
  const auto& z = l.zone;
  const std::string name =
      o.origin.empty() && z.origin.is_root() && l.errors > 0 ? o.file : z.origin.text();
  if (l.errors > 0) {
    fmt::print("zone {}: {}{}\n", name, plural(l.errors, "error"),
               l.warnings > 0 ? ", " + plural(l.warnings, "warning") : std::string());
    return exit_wrong;
  }
  fmt::print("zone {}: {}, {}, OK{}\n", name, plural(z.size(), "record"),
             plural(l.shape.name_count(), "name"),
             l.warnings > 0 ? " (" + plural(l.warnings, "warning") + ")" : std::string());
  // The summary is out before the zone is released (on return), which takes a moment for
  // millions of records.
  return std::fflush(stdout) == 0 ? exit_ok : exit_usage;
}

int run_print(const zone_options& o) {
  int code = exit_usage;
  auto l = load(o, code);
  if (!l) return code;
  print_diagnostics(*l, stderr);
  if (l->errors > 0) {
    fmt::print(stderr, "zone {}: {}, not printed\n", o.file, plural(l->errors, "error"));
    return exit_wrong;
  }
  auto& z = l->zone;
  if (o.json) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : z.records) records.push_back(record::to_json(r));
    nlohmann::json j{{"origin", z.origin.text()}, {"records", std::move(records)}};
    fmt::print("{}\n", j.dump(2));
  } else {
    const std::string text = zone::write_text(z);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return std::fflush(stdout) == 0 ? exit_ok : exit_usage;
}

}  // namespace

void add_zone_file_options(CLI::App* cmd, std::string& file, std::string& origin) {
  cmd->add_option("FILE", file, "The zonefile")->required();
  cmd->add_option("--origin", origin,
                  "The zone's name; default: the file's first $ORIGIN (which must agree)");
}

void add_zone_commands(CLI::App& app, action& selected) {
  auto* zone_cmd = app.add_subcommand("zone", "Zonefile tools");
  zone_cmd->require_subcommand(1);

  auto check_opts = std::make_shared<zone_options>();
  auto* check = zone_cmd->add_subcommand(
      "check", "Read and check a zonefile; print every error and warning and a summary");
  add_zone_file_options(check, check_opts->file, check_opts->origin);
  check->callback(
      [&selected, check_opts] { selected = [check_opts] { return run_check(*check_opts); }; });

  auto print_opts = std::make_shared<zone_options>();
  auto* print = zone_cmd->add_subcommand(
      "print", "Print a checked zone in canonical text (or JSON) on standard output");
  add_zone_file_options(print, print_opts->file, print_opts->origin);
  print->add_flag("--json", print_opts->json,
                  "JSON: {\"origin\": ..., \"records\": [record, ...]}");
  print->callback(
      [&selected, print_opts] { selected = [print_opts] { return run_print(*print_opts); }; });
}

}  // namespace cidns::admin
