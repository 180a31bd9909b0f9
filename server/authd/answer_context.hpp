// What the answering steps of cidns-authd share (answer.cpp for queries, discover.cpp for
// DISCOVER): the reply being built and the helpers that add RRsets, proofs, glue and
// referrals to it.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

#include "answer.hpp"
#include "cidns/zone/compiled_zone.hpp"

namespace cidns::authd {

struct context {
  const zone_set& zones;
  wire::reply_builder& rb;
  record::rtype qtype;
  bool dnssec;
  // Owners of the CNAMEs answered so far (views into the zones or the query,
  // alive for the whole answer): a loop stops at its first repeated name.
  std::array<std::string_view, max_cname_links + 1> chain{};
  std::size_t chain_size = 0;
  // NSEC RRsets already in the authority section (a proof may need one twice).
  std::array<const zone::rrset*, 2 * (max_cname_links + 1)> proofs{};
  std::size_t proof_count = 0;

  bool seen(std::string_view name) const noexcept {
    return std::find(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(chain_size),
                     name) != chain.begin() + static_cast<std::ptrdiff_t>(chain_size);
  }
};

// An RRset with its SIGs when DO is set.
void add_set(context& c, wire::section s, const zone::rrset& set);
// An NSEC RRset (with its SIGs) as a proof in the authority section, once.
void add_proof(context& c, const zone::rrset* nsec);
// ADDR records of in-zone server names, for the additional section.
void add_glue(context& c, const zone::rrset& ns_set);
// The apex SOA (and its SIGs with DO) for the authority section of a negative answer.
void add_negative_soa(context& c, const zone::compiled_zone& z);
// A delegation: NS in authority, DS (or the NSEC proving there is none) with DO, glue.
void refer(context& c, const zone::node& cut);

}  // namespace cidns::authd
