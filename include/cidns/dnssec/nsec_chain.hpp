// NSEC chain construction (RFC 4034 §4.1.1 applied to cidns): which names of
// a zone carry an NSEC and what each one's next name is; and the parallel
// walk over a zone's names that the signer and the verifier share.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/layout.hpp"

namespace cidns::dnssec {

// For each entry of `shape.names`: the next name of its NSEC, or nullptr for a
// name that carries none (empty non-terminals, glue, occluded names, and names
// whose only records are SIG or NSEC). The last one's next name is the apex.
// Pointers into `shape`.
std::vector<const name::identifier*> nsec_chain(const zone::contents& zone,
                                                const zone::layout& shape);

// Calls `work(run, begin, end)` for consecutive runs of [0, count) on `jobs`
// threads (0: one per core), with many more runs than threads so that uneven
// names balance out. Returns the number of runs (run < that). When `work`
// throws, the other threads stop after their current run and the first
// exception is rethrown here.
std::size_t for_each_run(std::size_t count, unsigned jobs,
                         const std::function<void(std::size_t, std::size_t, std::size_t)>& work);
// The number of runs for_each_run will use.
std::size_t run_count(std::size_t count, unsigned jobs);

}  // namespace cidns::dnssec
