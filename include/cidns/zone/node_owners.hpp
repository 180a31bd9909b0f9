// What keeps the nodes of a compiled zone version alive (compiled_zone.hpp), shared between
// versions in chunks of 256: a version patched from another copies one pointer per chunk and
// then only the chunks holding the nodes it replaces. Making a version thus touches about
// names/256 + changes reference counts, not one per name, each on a cache line of its own
// (at 100,000 names the difference between tens of microseconds and tens of milliseconds).
// Lookups do not come here: compiled_zone keeps plain pointers beside it.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace cidns::zone {

struct node;

class node_owners {
 public:
  static constexpr std::size_t chunk_size = 256;

  std::size_t size() const noexcept { return m_size; }
  const std::shared_ptr<const node>& operator[](std::size_t i) const noexcept {
    return (*m_chunks[i / chunk_size])[i % chunk_size];
  }
  void reserve(std::size_t n) { m_chunks.reserve((n + chunk_size - 1) / chunk_size); }
  void push_back(std::shared_ptr<const node> n);
  // Replaces node `i`; its chunk is copied first when another version shares it.
  void set(std::size_t i, std::shared_ptr<const node> n);
  // Removes node `i`, moving the ones after it down (O(size - i)).
  void erase(std::size_t i);

 private:
  using chunk = std::array<std::shared_ptr<const node>, chunk_size>;
  chunk& writable(std::size_t c);

  std::vector<std::shared_ptr<chunk>> m_chunks;
  std::size_t m_size = 0;
};

}  // namespace cidns::zone
