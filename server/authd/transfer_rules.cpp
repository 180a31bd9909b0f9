// Transfer rules (transfer_rules.hpp).
#include "transfer_rules.hpp"

#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "cidns/record/token.hpp"

namespace cidns::authd {

namespace {

std::vector<std::string_view> words(std::string_view text) {
  auto tokens = record::tokenize_line(text);
  std::vector<std::string_view> w;
  if (tokens) {
    for (const auto& t : *tokens) w.push_back(t.text);
  }
  return w;
}

name::identifier absolute(std::string_view what, std::string_view text, std::string_view part,
                          std::string_view value) {
  auto n = name::identifier::parse(value);
  if (!n) {
    throw std::runtime_error(
        fmt::format("{} '{}': {} '{}': {}", what, text, part, value, n.err().message));
  }
  return *n;
}

}  // namespace

xfr_rule parse_xfr_rule(std::string_view text) {
  const auto w = words(text);
  if (w.size() != 2) {
    throw std::runtime_error(fmt::format("--allow-xfr '{}': expected ZONE KEYNAME", text));
  }
  return {absolute("--allow-xfr", text, "zone", w[0]),
          absolute("--allow-xfr", text, "key", w[1]).text()};
}

peer_rule parse_peer_rule(std::string_view what, std::string_view text) {
  const auto w = words(text);
  if (w.size() != 3) {
    throw std::runtime_error(fmt::format("{} '{}': expected ZONE ADDR[:PORT] KEYNAME", what, text));
  }
  auto ep = net::parse_endpoint(w[1]);
  if (!ep) {
    throw std::runtime_error(fmt::format("{} '{}': {}", what, text, ep.err().message));
  }
  return {absolute(what, text, "zone", w[0]), *ep, absolute(what, text, "key", w[2]).text()};
}

bool xfr_allowed(const std::vector<xfr_rule>& rules, const name::identifier& zone,
                 std::string_view key) noexcept {
  for (const auto& r : rules) {
    if (r.zone == zone && r.key == key) return true;
  }
  return false;
}

std::string secondary_copy_path(const std::string& state_dir, const name::identifier& zone) {
  const std::string& t = zone.text();
  const std::string file = t == "." ? std::string("root.zone") : t + "zone";
  return (std::filesystem::path(state_dir) / "secondary" / file).string();
}

}  // namespace cidns::authd
