// cidns-lookup's command-line checks (flags.hpp).
#include "flags.hpp"

#include <array>
#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace cidns::lookup {
namespace {

constexpr std::string_view program = "cidns-lookup";

// dig's +options and the flag that does the same here ("" : none).
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> dig_options{{
    {"short", "--short"},
    {"dnssec", "--dnssec"},
    {"tcp", "--tcp"},
    {"vc", "--tcp"},
    {"norec", "--norec"},
    {"norecurse", "--norec"},
    {"cd", "--cd"},
    {"cdflag", "--cd"},
    {"trace", "--trace"},
    {"json", "--json"},
    {"time", "--timeout MS (milliseconds)"},
    {"tries", "--attempts N"},
}};

std::string dig_option_hint(std::string_view word) {
  std::string_view option = word.substr(1);
  if (const auto eq = option.find('='); eq != std::string_view::npos) option = option.substr(0, eq);
  for (const auto& [dig, flag] : dig_options) {
    if (option == dig) return fmt::format("'{}' is dig's syntax: use {}", word, flag);
  }
  return fmt::format("'{}' is dig's syntax, which cidns-lookup does not take (see --help)", word);
}

}  // namespace

std::optional<std::string> dig_habit(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") break;
    if (word.starts_with('-')) {
      if (word.find('=') != std::string_view::npos) continue;
      const CLI::Option* opt = app.get_option_no_throw(std::string(word));
      if (opt != nullptr && opt->get_type_size() != 0) ++i;  // its value follows
      continue;
    }
    if (word.starts_with('@')) {
      const std::string_view server = word.substr(1);
      return fmt::format("'{}' is dig's syntax: use --server {}", word,
                         server.empty() ? "ADDR[:PORT]" : server);
    }
    if (word.starts_with('+')) return dig_option_hint(word);
  }
  return std::nullopt;
}

result<net::endpoint> parse_server_flag(std::string_view flag, std::string_view text) {
  auto ep = net::parse_endpoint(text);
  if (!ep) return make_error(fmt::format("{} {}", flag, ep.err().message));
  if (ep->port == 0)
    return make_error(
        fmt::format("{} {}: port 0 is not a server port (allowed: 1 to 65535)", flag, text));
  return ep;
}

}  // namespace cidns::lookup
