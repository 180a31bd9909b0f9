// A compiled zone's RRset in one buffer (rrset.hpp).
#include "cidns/zone/rrset.hpp"

#include <stdexcept>

#include "cidns/wire/message.hpp"

namespace cidns::zone {

namespace {

const std::vector<const rrset*> no_glue;

}  // namespace

void rrset::put(std::size_t at, std::string_view owner, record::rtype t, std::uint32_t rttl,
                std::string_view data) {
  std::string item(header_size, '\0');
  wire::encode_record_body(owner, t, rttl, data, item);
  const std::size_t body = item.size() - header_size;
  if (body > 0xffffffffu || m_bytes.size() + item.size() > 0xffffffffu) {
    throw std::length_error("RRset larger than 4 GiB");
  }
  const std::uint32_t h[3] = {static_cast<std::uint32_t>(body),
                              static_cast<std::uint32_t>(data.size()), rttl};
  std::memcpy(item.data(), h, sizeof h);
  m_bytes.insert(at, item);
}

void rrset::add(std::string_view owner, std::string_view data) {
  const std::size_t before = m_bytes.size();
  put(m_sigs_at, owner, type, ttl, data);
  m_sigs_at += static_cast<std::uint32_t>(m_bytes.size() - before);
  ++m_count;
}

void rrset::add_sig(std::string_view owner, std::string_view data, std::uint32_t rttl) {
  put(m_bytes.size(), owner, record::rtype::sig, rttl, data);
  ++m_sig_count;
}

void rrset::clear_sigs() {
  m_bytes.resize(m_sigs_at);
  m_sig_count = 0;
}

void rrset::reset(record::rtype t, std::uint32_t rttl) noexcept {
  type = t;
  ttl = rttl;
  m_count = 0;
  m_sig_count = 0;
  m_sigs_at = 0;
  m_bytes.clear();
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
