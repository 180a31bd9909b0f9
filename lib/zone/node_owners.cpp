// Chunked, shared ownership of a version's nodes (node_owners.hpp).
#include "cidns/zone/node_owners.hpp"

#include <utility>

namespace cidns::zone {

node_owners::chunk& node_owners::writable(std::size_t c) {
  auto& p = m_chunks[c];
  // Only this table holds it: no other version can reach it, so it may change in place (the
  // table of a version being built is not shared until the version is published).
  if (p.use_count() != 1) p = std::make_shared<chunk>(*p);
  return *p;
}

void node_owners::push_back(std::shared_ptr<const node> n) {
  if (m_size % chunk_size == 0) m_chunks.push_back(std::make_shared<chunk>());
  writable(m_size / chunk_size)[m_size % chunk_size] = std::move(n);
  ++m_size;
}

void node_owners::set(std::size_t i, std::shared_ptr<const node> n) {
  writable(i / chunk_size)[i % chunk_size] = std::move(n);
}

void node_owners::erase(std::size_t i) {
  for (std::size_t j = i; j + 1 < m_size; ++j) {
    auto next = (*this)[j + 1];
    writable(j / chunk_size)[j % chunk_size] = std::move(next);
  }
  --m_size;
  writable(m_size / chunk_size)[m_size % chunk_size].reset();
  if (m_size % chunk_size == 0) m_chunks.pop_back();
}

}  // namespace cidns::zone
