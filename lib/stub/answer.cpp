// Classification and validation state of a resolver's reply (DESIGN §8).
#include "cidns/stub/answer.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace cidns::stub {

std::string_view outcome_name(outcome o) {
  switch (o) {
    case outcome::answer:
      return "answer";
    case outcome::nxdomain:
      return "nxdomain";
    case outcome::nodata:
      return "nodata";
    case outcome::referral:
      return "referral";
    case outcome::failure:
      return "failure";
  }
  return "failure";
}

outcome classify(const wire::message& reply) {
  if (reply.rcode == wire::rcode::nxdomain) return outcome::nxdomain;
  if (reply.rcode != wire::rcode::noerror) return outcome::failure;
  if (!reply.answer.empty()) return outcome::answer;
  const auto has = [&](record::rtype t) {
    return std::any_of(reply.authority.begin(), reply.authority.end(),
                       [t](const record::rr& r) { return r.type == t; });
  };
  if (has(record::rtype::soa)) return outcome::nodata;
  if (has(record::rtype::ns)) return outcome::referral;
  return outcome::nodata;
}

int exit_code(outcome o) {
  switch (o) {
    case outcome::answer:
      return 0;
    case outcome::nxdomain:
    case outcome::nodata:
      return 1;
    case outcome::referral:
      return 3;
    case outcome::failure:
      return 2;
  }
  return 2;
}

std::string_view validation_name(validation v) {
  switch (v) {
    case validation::secure:
      return "secure";
    case validation::bogus:
      return "bogus";
    case validation::insecure:
      return "insecure";
  }
  return "insecure";
}

std::string validation_state::text() const {
  if (state == validation::bogus) return fmt::format("bogus: {}", reason);
  if (reason.empty()) return std::string(validation_name(state));
  return fmt::format("{} ({})", validation_name(state), reason);
}

bool is_dnssec_error(std::uint32_t code) {
  using wire::error_code;
  switch (static_cast<error_code>(code)) {
    case error_code::unsupported_algorithm:
    case error_code::dnssec_bogus:
    case error_code::signature_expired:
    case error_code::signature_not_yet_valid:
    case error_code::key_missing:
    case error_code::signatures_missing:
    case error_code::nsec_missing:
    case error_code::ds_digest_mismatch:
      return true;
    default:
      return false;
  }
}

namespace {

bool mentions_not_validated(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("not validated") != std::string::npos;
}

}  // namespace

validation_state validation_of(const wire::message& reply) {
  if (reply.has_flag(wire::flag::ad)) return {validation::secure, {}};
  const auto& e = reply.error;
  if (reply.rcode == wire::rcode::servfail && e && is_dnssec_error(e->code)) {
    std::string reason = e->text.empty() ? wire::error_code_name(e->code) : e->text;
    return {validation::bogus, std::move(reason)};
  }
  if (e && mentions_not_validated(e->text)) return {validation::insecure, e->text};
  return {validation::insecure, {}};
}

}  // namespace cidns::stub
