// Ordering a resource's EP records for connection attempts: ascending priority, and among
// equal priorities a weighted random order (RFC 2782's selection: a record's chance of
// coming next is its weight over the remaining total; weight 0 comes last but for chance).
#pragma once

#include <random>
#include <vector>

#include "cidns/record/data.hpp"

namespace cidns::stub {

// Reorders `eps` in place with `rng` (tests seed it to get a fixed order).
void order_endpoints(std::vector<record::ep>& eps, std::mt19937_64& rng);
// The same with a per-thread generator seeded from std::random_device.
void order_endpoints(std::vector<record::ep>& eps);

}  // namespace cidns::stub
