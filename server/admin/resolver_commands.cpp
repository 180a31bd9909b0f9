// cidns-admin resolver status | stats | flush [NAME] [--subtree]: talk to a running
// cidns-resolverd over its control socket (docs/cidns-admin.md).
#include <memory>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "control_client.hpp"

namespace cidns::admin {
namespace {

struct resolver_options : control_options {
  std::string name = ".";
  bool subtree = false;
};

void print_status(const nlohmann::json& r) {
  fmt::print("program: {}\npid: {}\nuptime: {} s\nvalidating: {}\ncache: {}\nthreads: {}\n",
             r.value("program", "?"), r.value("pid", 0), r.value("uptime", 0),
             r.value("validating", false) ? "yes" : "no (no trust anchor)",
             r.value("cache_dir", "?"), r.value("threads", 0));
  if (r.contains("listen")) {
    for (const auto& l : r["listen"]) fmt::print("listen: {}\n", l.get<std::string>());
  }
}

void print_stats(const nlohmann::json& r) {
  print_flat(r.value("stats", nlohmann::json::object()));
}

void print_flush(const nlohmann::json& r) {
  fmt::print("flushed {} entr{} at {}{}\n", r.value("removed", 0),
             r.value("removed", 0) == 1 ? "y" : "ies", r.value("name", "?"),
             r.value("subtree", false) ? " and below" : "");
}

}  // namespace

void add_resolver_commands(CLI::App& app, action& selected) {
  auto o = std::make_shared<resolver_options>();
  CLI::App* resolver =
      app.add_subcommand("resolver", "talk to a running cidns-resolverd over its control socket");
  resolver->require_subcommand(1);

  CLI::App* status = resolver->add_subcommand(
      "status", "show the resolver's process, addresses, cache and whether it validates");
  add_control_options(status, *o, "resolverd");
  status->callback([o, &selected] {
    selected = [o] { return control_call("resolverd", *o, {{"cmd", "status"}}, print_status); };
  });

  CLI::App* stats = resolver->add_subcommand(
      "stats", "show queries, cache hits and misses, upstream work and validation outcomes");
  add_control_options(stats, *o, "resolverd");
  stats->callback([o, &selected] {
    selected = [o] { return control_call("resolverd", *o, {{"cmd", "stats"}}, print_stats); };
  });

  CLI::App* flush = resolver->add_subcommand(
      "flush", "remove cached data at NAME (every type), or with --subtree at and below it");
  flush->add_option("name", o->name, "name to flush (default: the root, with --subtree: all)");
  flush->add_flag("--subtree", o->subtree, "also every name below NAME");
  add_control_options(flush, *o, "resolverd");
  flush->callback([o, &selected] {
    selected = [o] {
      return control_call("resolverd", *o,
                          {{"cmd", "flush"}, {"name", o->name}, {"subtree", o->subtree}},
                          print_flush);
    };
  });
}

}  // namespace cidns::admin
