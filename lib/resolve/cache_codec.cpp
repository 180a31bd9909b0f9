// Encoding and decoding of cache values (cache_codec.hpp).
#include "cache_codec.hpp"

#include "cidns/util/byte_codec.hpp"

namespace cidns::resolve::detail {
namespace {

void put_u16(std::string& out, std::uint16_t v) {
  util::put_uint(out, v, 2, util::byte_order::little);
}
void put_u32(std::string& out, std::uint32_t v) {
  util::put_uint(out, v, 4, util::byte_order::little);
}
using util::put_varint;

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

// util::byte_reader in this format's terms: little-endian integers.
class reader : public util::byte_reader {
 public:
  using byte_reader::byte_reader;
  std::uint64_t uint(unsigned bytes) { return byte_reader::uint(bytes, util::byte_order::little); }
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
