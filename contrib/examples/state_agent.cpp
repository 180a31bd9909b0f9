// cidns-state-agent: a provider's agent that reports a resource's live STATE to the zone's
// primary with signed dynamic UPDATEs (stub::replace_rrset + stub::send_update), once every
// interval. The STATE is fixed text, the first line a command prints, or (by default) a
// simulated pool whose free units cycle from --free-max down to --free-min (docs/stub.md).
// Exit 0 after --count reports, 1 the server refused one, 2 usage, key or network errors.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cidns/hmac/key.hpp"
#include "cidns/net/endpoint.hpp"
#include "cidns/record/presentation.hpp"
#include "cidns/record/token.hpp"
#include "cidns/stub/update.hpp"
#include "cidns/util/command_line.hpp"

namespace {

using namespace cidns;

struct options {
  std::string server, zone, key_file, name, command;
  std::vector<std::string> state_words;  // STATE-TEXT, one or more arguments
  int interval_s = 5, ttl = 30, free_min = 0, free_max = 8;
  long long count = 0;
};

constexpr int exit_refused = 1;
constexpr int exit_failure = 2;

int fail(const std::string& why) {
  fmt::print(stderr, "cidns-state-agent: {}\n", why);
  return exit_failure;
}

std::string utc_now_text() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

// Report k (0, 1, ...) of the simulated pool: free counts down from free_max to free_min
// and starts again; score is the free share of free_max, 0..10.
std::string simulated_state(const options& o, long long k) {
  const long long span = o.free_max - o.free_min + 1;
  const long long free = o.free_max - k % span;
  const long long score = o.free_max > 0 ? 10 * free / o.free_max : 0;
  return fmt::format("free={} score={} updated={} source=measured", free, score, utc_now_text());
}

// The first line `command` prints (sh -c), without its newline.
result<std::string> command_state(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return make_error(fmt::format("--command: cannot run '{}'", command));
  std::string line;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
    line += buf.data();
    if (!line.empty() && line.back() == '\n') break;
  }
  const int status = ::pclose(p);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (status != 0) return make_error(fmt::format("--command '{}' failed ({})", command, status));
  if (line.empty()) return make_error(fmt::format("--command '{}' printed nothing", command));
  return line;
}

result<std::string> state_text(const options& o, long long k) {
  if (!o.command.empty()) return command_state(o.command);
  if (!o.state_words.empty()) return fmt::format("{}", fmt::join(o.state_words, " "));
  return simulated_state(o, k);
}

// STATE presentation text into a record at `owner`, with the record module's parser.
result<record::rr> state_record(const std::string& text, const name::identifier& owner,
                                const name::identifier& zone, int ttl) {
  auto tokens = record::tokenize_line(text);
  if (!tokens) return make_error(fmt::format("STATE '{}': {}", text, tokens.err().message));
  auto data = record::parse_data(record::rtype::state, *tokens, zone);
  if (!data) return make_error(fmt::format("STATE '{}': {}", text, data.err().message));
  return record::rr{owner, record::rtype::state, static_cast<std::uint32_t>(ttl), std::move(*data)};
}

int run(const options& o) {
  auto server = net::parse_endpoint(o.server);
  if (!server) return fail(fmt::format("--server: {}", server.err().message));
  auto zone = name::identifier::parse(o.zone);
  if (!zone) return fail(fmt::format("--zone '{}': {}", o.zone, zone.err().message));
  auto owner = name::identifier::parse(o.name, *zone);  // relative unless it ends in '.'
  if (!owner) return fail(fmt::format("--name '{}': {}", o.name, owner.err().message));
  auto key = hmac::read_key_file(o.key_file);
  if (!key) return fail(key.err().message);
  if (o.free_min > o.free_max) return fail("--free-min is above --free-max");
  const auto interval = std::chrono::seconds(o.interval_s);
  const auto timeout = std::chrono::seconds(std::min(o.interval_s, 5) + 1);
  for (long long k = 0; o.count == 0 || k < o.count; ++k) {
    if (k > 0) std::this_thread::sleep_for(interval);
    auto text = state_text(o, k);
    if (!text) return fail(text.err().message);
    auto rr = state_record(*text, *owner, *zone, o.ttl);
    if (!rr) return fail(rr.err().message);
    auto out = stub::send_update(*server, stub::replace_rrset(*zone, *rr), *key, timeout);
    if (!out) return fail(out.err().message);
    std::string line = fmt::format("reported {}: {}", *text, wire::rcode_name(out->rcode));
    if (out->serial) line += fmt::format(" serial {}", *out->serial);
    if (!out->error.empty()) line += ": " + out->error;
    fmt::print("{}\n", line);
    std::fflush(stdout);
    if (out->rcode != wire::rcode::noerror) return exit_refused;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app(
      "Reports the live STATE of one resource to its zone's primary server with signed dynamic\n"
      "updates (replace the name's STATE RRset), once every --interval seconds.\n"
      "STATE comes from STATE-TEXT (sent as given), from --command (the first line it prints,\n"
      "run anew for each report), or else from a simulated pool: report k has\n"
      "free = FREE-MAX - k mod (FREE-MAX - FREE-MIN + 1), score = 10 * free / FREE-MAX,\n"
      "updated = now, source = measured.\n"
      "Prints one line per report; exit 0 after --count reports, 1 when the server refuses\n"
      "one, 2 on usage, key, STATE or network errors.",
      "cidns-state-agent");
  set_program_failure_message(app, "cidns-state-agent");
  app.add_option("--server", o.server, "the zone's primary server, ADDR[:PORT]")->required();
  app.add_option("--zone", o.zone, "the zone to update")->required();
  app.add_option("--key", o.key_file, "HMAC key file (cidns-admin keygen --hmac)")->required();
  app.add_option("--name", o.name, "the resource (relative to --zone unless it ends in '.')")
      ->required();
  app.add_option("--interval", o.interval_s, "seconds between reports (default 5)")
      ->check(whole_number(1, 86400, "seconds"));
  app.add_option("--count", o.count, "reports to send, then exit (default 0: forever)")
      ->check(whole_number(0, 1000000000));
  app.add_option("--ttl", o.ttl, "TTL of the STATE record (default 30)")
      ->check(whole_number(0, 86400, "seconds"));
  app.add_option("--free-min", o.free_min, "simulated pool: fewest free units (default 0)")
      ->check(whole_number(0, 1000000));
  app.add_option("--free-max", o.free_max, "simulated pool: most free units (default 8)")
      ->check(whole_number(0, 1000000));
  auto* cmd = app.add_option("--command", o.command,
                             "a shell command whose first output line is the STATE text");
  app.add_option("STATE-TEXT", o.state_words,
                 "fixed STATE text, e.g. \"free=3 score=8 source=measured\"")
      ->excludes(cmd);
  if (auto code = parse_command_line(app, argc, argv)) return *code;
  return run(o);
}
