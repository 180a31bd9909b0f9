// Update rules (update_policy.hpp).
#include "update_policy.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "cidns/record/token.hpp"

namespace cidns::authd {

bool server_managed(record::rtype t) noexcept {
  using record::rtype;
  return t == rtype::soa || t == rtype::key || t == rtype::sig || t == rtype::nsec;
}

bool update_rule::covers(std::string_view key_name, const name::identifier& owner,
                         record::rtype t) const noexcept {
  if (key_name != key) return false;
  if (below ? !(owner.is_part_of(name) && owner != name) : owner != name) return false;
  for (auto x : types) {
    if (x == t) return true;
  }
  return false;
}

namespace {

name::identifier absolute_name(std::string_view what, std::string_view text) {
  auto n = name::identifier::parse(text);
  if (!n) throw std::runtime_error(fmt::format("{} '{}': {}", what, text, n.err().message));
  return *n;
}

}  // namespace

update_rule parse_update_rule(std::string_view text) {
  // The CLIs' tokenizer: a rule is one line of presentation text.
  auto tokens = record::tokenize_line(text);
  std::vector<std::string_view> w;
  if (tokens) {
    for (const auto& t : *tokens) w.push_back(t.text);
  }
  if (w.size() < 4) {
    throw std::runtime_error(
        fmt::format("update rule '{}': expected ZONE KEYNAME NAME-PATTERN TYPE [TYPE...]", text));
  }
  update_rule r;
  r.zone = absolute_name("update rule zone", w[0]);
  r.key = absolute_name("update rule key", w[1]).text();
  std::string_view pattern = w[2];
  if (pattern.starts_with("*.")) {
    r.below = true;
    pattern.remove_prefix(2);
  }
  r.name = absolute_name("update rule name", pattern);
  if (!r.name.is_part_of(r.zone)) {
    throw std::runtime_error(
        fmt::format("update rule '{}': {} is not in zone {}", text, r.name.text(), r.zone.text()));
  }
  for (std::size_t i = 3; i < w.size(); ++i) {
    auto t = record::parse_type(w[i]);
    if (!t)
      throw std::runtime_error(fmt::format("update rule '{}': unknown type '{}'", text, w[i]));
    if (server_managed(*t)) {
      throw std::runtime_error(fmt::format(
          "update rule '{}': {} is managed by the server and cannot be granted", text, w[i]));
    }
    r.types.push_back(*t);
  }
  return r;
}

bool update_policy::allows(const name::identifier& zone, std::string_view key_name,
                           const name::identifier& owner, record::rtype t) const noexcept {
  for (const auto& r : m_rules) {
    if (r.zone == zone && r.covers(key_name, owner, t)) return true;
  }
  return false;
}

bool update_policy::has_rules(const name::identifier& zone) const noexcept {
  for (const auto& r : m_rules) {
    if (r.zone == zone) return true;
  }
  return false;
}

}  // namespace cidns::authd
