// Encoding and decoding of cache values (cache_codec.hpp).
#include "cache_codec.hpp"

namespace cidns::resolve::detail {
namespace {

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_records(std::string& out, const std::vector<record::rr>& rrs,
                 const name::identifier& owner) {
  put_varint(out, rrs.size());
  for (const auto& rr : rrs) {
    if (rr.owner == owner) {
      out.push_back('\0');
    } else {
      out.push_back(static_cast<char>(rr.owner.text().size()));
      out += rr.owner.text();
    }
    put_u16(out, static_cast<std::uint16_t>(rr.type));
    put_u32(out, rr.ttl);
    put_varint(out, rr.data.size());
    out += rr.data;
  }
}

// A bounds-checked reader over untrusted bytes: every read fails (sets m_ok false) rather
// than running past the end.
class reader {
 public:
  explicit reader(std::string_view in) : m_in(in) {}
  bool ok() const noexcept { return m_ok; }
  bool at_end() const noexcept { return m_pos == m_in.size(); }
  std::size_t left() const noexcept { return m_in.size() - m_pos; }

  std::uint64_t uint(unsigned bytes) {
    if (!need(bytes)) return 0;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) {
      v |= std::uint64_t{static_cast<unsigned char>(m_in[m_pos + i])} << (8 * i);
    }
    m_pos += bytes;
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (!need(1)) return 0;
      const auto c = static_cast<unsigned char>(m_in[m_pos++]);
      v |= std::uint64_t{c & 0x7fu} << shift;
      if ((c & 0x80) == 0) return v;
    }
    m_ok = false;
    return 0;
  }
  std::string_view bytes(std::uint64_t n) {
    if (!need(n)) return {};
    std::string_view out = m_in.substr(m_pos, n);
    m_pos += n;
    return out;
  }

 private:
  bool need(std::uint64_t n) {
    if (!m_ok || n > m_in.size() - m_pos) m_ok = false;
    return m_ok;
  }
  std::string_view m_in;
  std::size_t m_pos = 0;
  bool m_ok = true;
};

constexpr std::size_t min_record_size = 8;  // owner length, type, ttl, data length

bool get_records(reader& r, std::vector<record::rr>& out, const name::identifier& owner) {
  const std::uint64_t n = r.varint();
  if (!r.ok() || n > r.left() / min_record_size) return false;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    record::rr rr;
    const auto owner_len = r.uint(1);
    if (owner_len == 0) {
      rr.owner = owner;
    } else {
      auto text = r.bytes(owner_len);
      if (!r.ok()) return false;
      auto parsed = name::identifier::parse(text);
      if (!parsed || parsed->text() != text) return false;
      rr.owner = std::move(*parsed);
    }
    rr.type = static_cast<record::rtype>(r.uint(2));
    rr.ttl = static_cast<std::uint32_t>(r.uint(4));
    const auto len = r.varint();
    rr.data = std::string(r.bytes(len));
    if (!r.ok()) return false;
    out.push_back(std::move(rr));
  }
  return true;
}

}  // namespace

void encode_entry(std::string& out, const cache_entry& e, const name::identifier& owner) {
  out.push_back(static_cast<char>(value_format));
  put_u32(out, e.stored);
  put_u32(out, e.ttl);
  out.push_back(static_cast<char>(e.rank));
  out.push_back(static_cast<char>(e.kind));
  out.push_back(static_cast<char>(e.state));
  put_varint(out, e.reason.size());
  out += e.reason;
  put_records(out, e.records, owner);
  put_records(out, e.proof, owner);
}

std::optional<entry_header> decode_header(std::string_view value) noexcept {
  reader r(value);
  if (r.uint(1) != value_format) return std::nullopt;
  entry_header h;
  h.stored = static_cast<std::uint32_t>(r.uint(4));
  h.ttl = static_cast<std::uint32_t>(r.uint(4));
  const auto rank = r.uint(1), kind = r.uint(1), state = r.uint(1);
  if (!r.ok() || rank > static_cast<unsigned>(rank::secure) ||
      kind > static_cast<unsigned>(entry_kind::nxdomain) ||
      state > static_cast<unsigned>(security::bogus)) {
    return std::nullopt;
  }
  h.rank = static_cast<resolve::rank>(rank);
  h.kind = static_cast<entry_kind>(kind);
  h.state = static_cast<security>(state);
  return h;
}

std::optional<cache_entry> decode_entry(std::string_view value, const name::identifier& owner) {
  auto h = decode_header(value);
  if (!h) return std::nullopt;
  reader r(value.substr(header_size));
  cache_entry e;
  e.kind = h->kind;
  e.rank = h->rank;
  e.state = h->state;
  e.stored = h->stored;
  e.ttl = h->ttl;
  e.reason = std::string(r.bytes(r.varint()));
  if (!r.ok() || !get_records(r, e.records, owner) || !get_records(r, e.proof, owner) ||
      !r.at_end()) {
    return std::nullopt;
  }
  return e;
}

}  // namespace cidns::resolve::detail
