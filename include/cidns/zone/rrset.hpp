// One RRset of a compiled zone (compiled_zone.hpp), compact: its records and the SIGs that
// cover it live in one byte buffer, each as its pre-encoded Record body (what a reply copies)
// behind a 12-byte header, and a record's data is read inside its body (the data field is the
// body's last), not kept a second time. One heap block per RRset instead of four strings per
// record: at 1,000,000 resources this is most of the difference in memory (issue 10).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/record/rtype.hpp"

namespace cidns::zone {

class rrset {
 public:
  // One record as stored: its Record body, the data inside it, and its TTL (a SIG's own).
  struct entry {
    std::string_view body;
    std::string_view data;
    std::uint32_t ttl = 0;
  };

  // The records (or the SIGs) of the RRset, in order; a forward range of entries.
  class range {
   public:
    class iterator {
     public:
      using value_type = entry;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      explicit iterator(const char* at) noexcept : m_at(at) {}
      entry operator*() const noexcept;
      iterator& operator++() noexcept;
      iterator operator++(int) noexcept {
        auto old = *this;
        ++*this;
        return old;
      }
      friend bool operator==(const iterator&, const iterator&) = default;

     private:
      const char* m_at = nullptr;
    };
    range(const char* first, const char* last) noexcept : m_first(first), m_last(last) {}
    iterator begin() const noexcept { return iterator(m_first); }
    iterator end() const noexcept { return iterator(m_last); }

   private:
    const char* m_first;
    const char* m_last;
  };

  // Resolved once at compile time so that answering decodes nothing: for NS, the ADDR RRsets
  // of in-zone server names (RRsets of the same version; patched() resolves them again); for
  // CNAME, the target's canonical text. Few RRsets have them, so they sit behind a pointer.
  struct links {
    std::vector<const rrset*> glue;
    std::string target;
  };

  record::rtype type = record::rtype::none;
  std::uint32_t ttl = 0;

  rrset() = default;
  rrset(const rrset& other);
  rrset(rrset&& other) noexcept;
  rrset& operator=(const rrset& other);
  rrset& operator=(rrset&& other) noexcept;
  ~rrset() = default;

  std::size_t size() const noexcept { return m_count; }
  bool empty() const noexcept { return m_count == 0; }
  std::size_t sig_count() const noexcept { return m_sig_count; }
  range records() const noexcept;
  range sigs() const noexcept;
  // The first record's data (the one record of an SOA, DESC or STATE); empty when none.
  std::string_view front_data() const noexcept;
  // Copies, for the paths that build or compare (signing, patches, transfers).
  std::vector<std::string> datas() const;
  std::vector<std::string> sig_datas() const;
  std::vector<std::uint32_t> sig_ttls() const;
  // The same records and SIGs, byte for byte (TTLs included).
  bool same_records(const rrset& other) const noexcept {
    return m_count == other.m_count && m_sig_count == other.m_sig_count && bytes() == other.bytes();
  }

  // A record of owner `owner` (canonical text) with the RRset's type and TTL, after the
  // records already in and before the SIGs.
  void add(std::string_view owner, std::string_view data);
  // A SIG over the RRset, after the SIGs already in.
  void add_sig(std::string_view owner, std::string_view data, std::uint32_t ttl);
  void clear_sigs();
  // Empty, of type `t` and TTL `rttl`, keeping the buffer's capacity (a scratch RRset).
  void reset(record::rtype t, std::uint32_t rttl) noexcept;
  // Gives back the buffer's spare capacity (once the RRset is complete).
  void shrink();

  const std::vector<const rrset*>& glue() const noexcept;
  std::string_view target() const noexcept {
    return m_links ? std::string_view(m_links->target) : std::string_view();
  }
  void set_links(std::shared_ptr<const links> l) noexcept { m_links = std::move(l); }

 private:
  static constexpr std::size_t header_size = 12;  // body size, data size, TTL
  // An entry (header and body) for `data`, at `at` in the buffer.
  void put(std::size_t at, std::string_view owner, record::rtype t, std::uint32_t rttl,
           std::string_view data);

  std::uint32_t m_count = 0;
  std::uint32_t m_sig_count = 0;
  std::uint32_t m_sigs_at = 0;  // offset of the first SIG in the buffer
  // The buffer: a pointer and two 32-bit sizes (16 bytes where a std::string takes 32; there
  // are millions of RRsets).
  std::uint32_t m_size = 0;
  std::uint32_t m_capacity = 0;
  std::unique_ptr<char[]> m_bytes;
  std::shared_ptr<const links> m_links;

  std::string_view bytes() const noexcept { return {m_bytes.get(), m_size}; }
  void reserve(std::size_t n);
};

inline rrset::entry rrset::range::iterator::operator*() const noexcept {
  std::uint32_t h[3];
  std::memcpy(h, m_at, sizeof h);
  const char* body = m_at + header_size;
  return {{body, h[0]}, {body + h[0] - h[1], h[1]}, h[2]};
}

inline rrset::range::iterator& rrset::range::iterator::operator++() noexcept {
  std::uint32_t size = 0;
  std::memcpy(&size, m_at, sizeof size);
  m_at += header_size + size;
  return *this;
}

inline rrset::range rrset::records() const noexcept {
  return {m_bytes.get(), m_bytes.get() + m_sigs_at};
}

inline rrset::range rrset::sigs() const noexcept {
  return {m_bytes.get() + m_sigs_at, m_bytes.get() + m_size};
}

}  // namespace cidns::zone
