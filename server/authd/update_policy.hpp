// Who may change what in a zone by dynamic UPDATE (BIND's update-policy, simplified): a rule
// names a zone, a key, a name pattern (an exact name, or "*." + a name for every name below
// it, not the name itself) and the types the key may change there. No rule, no update.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::authd {

struct update_rule {
  name::identifier zone;
  std::string key;  // key name, canonical text
  name::identifier name;
  bool below = false;  // "*.NAME": strictly below `name`
  std::vector<record::rtype> types;

  bool covers(std::string_view key_name, const name::identifier& owner,
              record::rtype t) const noexcept;
};

// "ZONE KEYNAME NAME-PATTERN TYPE [TYPE...]" (the --allow-update flag and the config's
// allow-update strings). Names without a trailing dot are taken as absolute. SOA, KEY, SIG
// and NSEC cannot be granted (the server manages them). Throws std::runtime_error naming the
// problem.
update_rule parse_update_rule(std::string_view text);

class update_policy {
 public:
  void add(update_rule r) { m_rules.push_back(std::move(r)); }
  // Whether any rule lets `key_name` change `t` at `owner` in `zone`.
  bool allows(const name::identifier& zone, std::string_view key_name,
              const name::identifier& owner, record::rtype t) const noexcept;
  // Whether `zone` has any rule (no rule: updates are refused outright).
  bool has_rules(const name::identifier& zone) const noexcept;
  bool empty() const noexcept { return m_rules.empty(); }

 private:
  std::vector<update_rule> m_rules;
};

// Types no client may add or delete: the server keeps them (SOA serial, keys, signatures,
// NSEC chain).
bool server_managed(record::rtype t) noexcept;

}  // namespace cidns::authd
