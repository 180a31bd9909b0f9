// A compiled zone's RRset in one buffer (rrset.hpp).
#include "cidns/zone/rrset.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "cidns/wire/message.hpp"

namespace cidns::zone {

namespace {

const std::vector<const rrset*> no_glue;

}  // namespace

rrset::rrset(const rrset& other)
    : type(other.type),
      ttl(other.ttl),
      m_count(other.m_count),
      m_sig_count(other.m_sig_count),
      m_sigs_at(other.m_sigs_at),
      m_size(other.m_size),
      m_capacity(other.m_size),
      m_bytes(other.m_size != 0 ? new char[other.m_size] : nullptr),
      m_links(other.m_links) {
  if (m_size != 0) std::memcpy(m_bytes.get(), other.m_bytes.get(), m_size);
}

rrset::rrset(rrset&& other) noexcept
    : type(other.type),
      ttl(other.ttl),
      m_count(std::exchange(other.m_count, 0)),
      m_sig_count(std::exchange(other.m_sig_count, 0)),
      m_sigs_at(std::exchange(other.m_sigs_at, 0)),
      m_size(std::exchange(other.m_size, 0)),
      m_capacity(std::exchange(other.m_capacity, 0)),
      m_bytes(std::move(other.m_bytes)),
      m_links(std::move(other.m_links)) {}

rrset& rrset::operator=(const rrset& other) {
  if (this != &other) *this = rrset(other);
  return *this;
}

rrset& rrset::operator=(rrset&& other) noexcept {
  if (this == &other) return *this;
  type = other.type;
  ttl = other.ttl;
  m_count = std::exchange(other.m_count, 0);
  m_sig_count = std::exchange(other.m_sig_count, 0);
  m_sigs_at = std::exchange(other.m_sigs_at, 0);
  m_size = std::exchange(other.m_size, 0);
  m_capacity = std::exchange(other.m_capacity, 0);
  m_bytes = std::move(other.m_bytes);
  m_links = std::move(other.m_links);
  return *this;
}

void rrset::reserve(std::size_t n) {
  if (n <= m_capacity) return;
  if (n > 0xffffffffu) throw std::length_error("RRset larger than 4 GiB");
  std::unique_ptr<char[]> fresh(new char[n]);
  if (m_size != 0) std::memcpy(fresh.get(), m_bytes.get(), m_size);
  m_bytes = std::move(fresh);
  m_capacity = static_cast<std::uint32_t>(n);
}

void rrset::shrink() {
  if (m_capacity == m_size) return;
  std::unique_ptr<char[]> fresh(m_size != 0 ? new char[m_size] : nullptr);
  if (m_size != 0) std::memcpy(fresh.get(), m_bytes.get(), m_size);
  m_bytes = std::move(fresh);
  m_capacity = m_size;
}

void rrset::put(std::size_t at, std::string_view owner, record::rtype t, std::uint32_t rttl,
                std::string_view data) {
  thread_local std::string item;
  item.assign(header_size, '\0');
  wire::encode_record_body(owner, t, rttl, data, item);
  const std::size_t body = item.size() - header_size;
  const std::size_t size = std::size_t{m_size} + item.size();
  if (size > 0xffffffffu) throw std::length_error("RRset larger than 4 GiB");
  const std::uint32_t h[3] = {static_cast<std::uint32_t>(body),
                              static_cast<std::uint32_t>(data.size()), rttl};
  std::memcpy(item.data(), h, sizeof h);
  // Grows by doubling while it is built (shrink() or a copy makes it exact).
  if (size > m_capacity) reserve(std::max<std::size_t>(size, std::size_t{m_capacity} * 2));
  char* p = m_bytes.get();
  std::memmove(p + at + item.size(), p + at, m_size - at);
  std::memcpy(p + at, item.data(), item.size());
  m_size = static_cast<std::uint32_t>(size);
}

void rrset::add(std::string_view owner, std::string_view data) {
  const std::size_t before = m_size;
  put(m_sigs_at, owner, type, ttl, data);
  m_sigs_at += static_cast<std::uint32_t>(m_size - before);
  ++m_count;
}

void rrset::add_sig(std::string_view owner, std::string_view data, std::uint32_t rttl) {
  put(m_size, owner, record::rtype::sig, rttl, data);
  ++m_sig_count;
}

void rrset::clear_sigs() {
  m_size = m_sigs_at;
  m_sig_count = 0;
}

void rrset::reset(record::rtype t, std::uint32_t rttl) noexcept {
  type = t;
  ttl = rttl;
  m_count = 0;
  m_sig_count = 0;
  m_sigs_at = 0;
  m_size = 0;
  m_links.reset();
}

std::string_view rrset::front_data() const noexcept {
  return m_count == 0 ? std::string_view() : (*records().begin()).data;
}

std::vector<std::string> rrset::datas() const {
  std::vector<std::string> out;
  out.reserve(m_count);
  for (const entry e : records()) out.emplace_back(e.data);
  return out;
}

std::vector<std::string> rrset::sig_datas() const {
  std::vector<std::string> out;
  out.reserve(m_sig_count);
  for (const entry e : sigs()) out.emplace_back(e.data);
  return out;
}

std::vector<std::uint32_t> rrset::sig_ttls() const {
  std::vector<std::uint32_t> out;
  out.reserve(m_sig_count);
  for (const entry e : sigs()) out.push_back(e.ttl);
  return out;
}

const std::vector<const rrset*>& rrset::glue() const noexcept {
  return m_links ? m_links->glue : no_glue;
}

}  // namespace cidns::zone
